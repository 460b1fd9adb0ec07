"""The table of which instructions expand variables."""
from __future__ import annotations

from buildkit_py.shell import Lexer
from buildkit_py.shell.table import EXPANDING_INSTRUCTIONS, HEREDOC_LEXER, expansion_for, word_lexer


def test_instructions_that_expand() -> None:
    assert EXPANDING_INSTRUCTIONS == frozenset(
        {"ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "RUN", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}
    )


def test_instructions_left_to_the_shell() -> None:
    for name in ("CMD", "ENTRYPOINT", "HEALTHCHECK", "SHELL", "MAINTAINER", "ONBUILD", "NOSUCH"):
        rule = expansion_for(name)
        assert rule.args == "none" and not rule.flags


def test_flags_that_expand() -> None:
    assert expansion_for("copy").flags == {"chown", "chmod"}  # never --from
    assert expansion_for("ADD").flags == {"chown", "chmod", "checksum"}
    assert expansion_for("RUN").flags == {"mount"}
    assert expansion_for("FROM").flags == {"platform"} and expansion_for("FROM").scope == "global"


def test_expose_splits_and_env_expands_names_and_values() -> None:
    assert expansion_for("EXPOSE").args == "split"
    assert expansion_for("ENV").args == "kv" and expansion_for("LABEL").args == "kv"
    assert expansion_for("ARG").args == "value"


def test_lexers() -> None:
    assert word_lexer("`") == Lexer(escape="`")
    assert word_lexer() == Lexer()
    assert HEREDOC_LEXER.process_word("'$A' \"x\"", {"A": "1"}) == "'1' \"x\""

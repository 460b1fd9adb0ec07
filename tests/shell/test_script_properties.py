"""The analyser over random input: always a result, never an internal error."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from buildkit_py.shell.script import parse_shell

PIECES = st.sampled_from(
    ["if", "then", "elif", "else", "fi", "for", "in", "do", "done", "while", "until", "case", "esac", "function",
     "{", "}", "(", ")", "((", "))", "$(", "${", "`", "'", '"', "\\", "\\\n", "\n", " ", "\t", ";", ";;", "&",
     "&&", "|", "||", "!", "<", ">", "<<", "<<-", "EOF", "2>&1", "#", "=", "a=", "$", "x", "apt-get", "-y", "*", "[[", "]]"]
)
SCRIPTS = st.one_of(st.text(max_size=60), st.lists(PIECES | st.text(max_size=2), max_size=40).map(" ".join),
                    st.lists(PIECES, max_size=40).map("".join))


@settings(max_examples=500, deadline=None)
@given(SCRIPTS)
def test_any_text_parses_without_internal_errors(text: str) -> None:
    p = parse_shell(text)
    assert not any("internal error" in pr or "nested too deeply to parse" in pr for pr in p.problems), p.problems
    for cmd in p.commands:
        assert cmd.words  # assignment-only commands are not listed
        assert 0 <= cmd.start <= cmd.end <= len(text) or cmd.context  # backtick bodies are approximate
        cmd.unwrap()
        cmd.args_without_flags(["t"])
    p.is_pipeline_with("a", "b")

"""Which Dockerfile instructions expand variables, in which parts, and how (as BuildKit does).

Learned from BuildKit's `instructions` package (the `Expand` methods of commands.go and
commands_runmount.go) and from `dockerfile2llb` (dispatch, EXPOSE, ARG, FROM, COPY --from).

- Words are expanded one at a time with `Lexer(escape=<the file's escape character>)` and
  `process_word`, against the stage's variables so far (its ARGs and ENVs, build args applied).
- EXPOSE is the exception that splits: each argument goes through `process_words`.
- FROM's image and `--platform` see only the global ARGs (those before the first FROM).
- ARG expands its default value only, never its name, and only when no build arg overrides it.
- Heredoc bodies of ADD/COPY whose delimiter is unquoted are expanded with
  `HEREDOC_LEXER` (escape `\\`, quotes kept as text), whatever the file's escape character.
- RUN expands only the `key=value` fields of `--mount`; the command itself, like CMD,
  ENTRYPOINT, HEALTHCHECK, SHELL, MAINTAINER and ONBUILD, is left to the shell at run time
  (RUN heredocs included).
- `COPY --from` is never expanded: BuildKit rejects a value that expansion would change.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from buildkit_py.records import dataclass
from buildkit_py.shell.lex import Lexer


@dataclass(frozen=True)
class Expansion:
    """How one instruction expands: `args` is what happens to its arguments."""

    args: str  # "none" | "words" (each one word) | "kv" (keys and values) | "value" | "split"
    flags: frozenset[str] = frozenset()  # flags whose values are expanded, without the dashes
    scope: str = "stage"  # "stage": the stage's ARG/ENV so far; "global": ARGs before the first FROM
    heredocs: bool = False  # heredoc bodies with an unquoted delimiter are expanded
    note: str = ""


_NONE = Expansion("none")

EXPANSIONS: Mapping[str, Expansion] = MappingProxyType({
    "ADD": Expansion("words", frozenset({"chown", "chmod", "checksum"}), heredocs=True,
                     note="sources and destination"),
    "ARG": Expansion("value", note="the default value, unless a build arg overrides it; never the name"),
    "COPY": Expansion("words", frozenset({"chown", "chmod"}), heredocs=True,
                      note="sources and destination; --from is not expanded"),
    "ENV": Expansion("kv", note="names and values"),
    "EXPOSE": Expansion("split", note="each argument expanded then split into words"),
    "FROM": Expansion("words", frozenset({"platform"}), scope="global",
                      note="the image reference; the stage name after AS is not expanded"),
    "LABEL": Expansion("kv", note="names and values"),
    "RUN": Expansion("none", frozenset({"mount"}), note="each key=value field of --mount"),
    "STOPSIGNAL": Expansion("words"),
    "USER": Expansion("words"),
    "VOLUME": Expansion("words", note="each path"),
    "WORKDIR": Expansion("words"),
    "CMD": _NONE,
    "ENTRYPOINT": _NONE,
    "HEALTHCHECK": _NONE,
    "MAINTAINER": _NONE,
    "ONBUILD": Expansion("none", note="the trigger is expanded like its instruction when it runs in a later build"),
    "SHELL": _NONE,
})

# Instructions whose arguments or flags see variable expansion at all.
EXPANDING_INSTRUCTIONS: frozenset[str] = frozenset(
    name for name, rule in EXPANSIONS.items() if rule.args != "none" or rule.flags
)

# BuildKit expands ADD/COPY heredoc bodies with a fixed `\` escape and quotes left as text.
HEREDOC_LEXER = Lexer(escape="\\", skip_process_quotes=True)


def expansion_for(instruction: str) -> Expansion:
    """The rule for an instruction name (any case); unknown instructions expand nothing."""
    return EXPANSIONS.get(instruction.upper(), _NONE)


def word_lexer(escape: str = "\\") -> Lexer:
    """The lexer BuildKit uses for instruction words in a file with this escape character."""
    return _BACKTICK if escape == "`" else _BACKSLASH if escape == "\\" else Lexer(escape=escape)


_BACKSLASH = Lexer()
_BACKTICK = Lexer(escape="`")

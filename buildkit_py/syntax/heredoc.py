"""Heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`) in RUN, COPY and ADD, as BuildKit finds them."""
from __future__ import annotations

import re
from dataclasses import replace

from ..records import dataclass
from ..shell.lex import Lexer, ShellExpansionError
from .line_parsers import LineError, LineSplit

_HEREDOC_RE = re.compile(r"(\d*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")
_HEREDOC_INSTRUCTIONS = frozenset({"add", "copy", "run"})
# BuildKit reads heredoc words with `\` as escape whatever the file's escape character is.
_WORDS_RAW = Lexer(escape="\\", raw_quotes=True, raw_escapes=True, skip_unset_env=True)
_NAME = Lexer(escape="\\", skip_unset_env=True)
_NAME_RAW = Lexer(escape="\\", raw_quotes=True, skip_unset_env=True)
_EMPTY: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class Heredoc:
    """A heredoc opened on an instruction line (`<<EOF`, `<<-"EOF"`, `3<<EOF`), and its body once read."""

    name: str  # the terminator word, quotes removed
    fd: int  # the file descriptor before `<<`, 0 when none is given
    expand: bool  # False when any part of the word was quoted: no variable expansion in the body
    chomp: bool  # `<<-`: leading tabs are removed from the body and the terminator line
    content: str = ""  # the body, terminator excluded, as it is in the file
    end_text: str = ""  # the terminator line as written
    line: int = 0  # the first line of the body

    def with_body(self, content: str, end_text: str, line: int) -> "Heredoc":
        return replace(self, content=content, end_text=end_text, line=line)

    @property
    def body(self) -> str:
        """The content the instruction sees: leading tabs removed for `<<-`."""
        if self.chomp:
            return re.sub(r"(?m)^\t+", "", self.content)
        return self.content


def can_contain_heredoc(split: LineSplit) -> bool:
    if split.keyword.lower() == "onbuild" and split.child is not None:
        split = split.child
    return split.keyword.lower() in _HEREDOC_INSTRUCTIONS and not split.json


def parse_heredoc(word: str) -> Heredoc | None:
    """The heredoc a word opens (`<<EOF`), or None."""
    m = _HEREDOC_RE.match(word)
    if m is None:
        return None
    fd, chomp, rest = m.groups()
    if rest == "":
        return None
    try:
        words = _NAME.process_words(rest, _EMPTY)
    except ShellExpansionError as err:
        raise LineError(str(err.message)) from None
    if len(words) != 1:
        return None
    raw = _NAME_RAW.process_words(rest, _EMPTY)
    if len(raw) != len(words):
        raise LineError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    quoted = words[0].count("'") + words[0].count('"')
    raw_quoted = raw[0].count("'") + raw[0].count('"')
    return Heredoc(name=words[0], fd=int(fd) if fd else 0, expand=quoted == raw_quoted, chomp=chomp == "-")


def heredocs_from_line(line: str) -> list[Heredoc]:
    try:
        words = _WORDS_RAW.process_words(line, _EMPTY)
    except ShellExpansionError:
        return []
    docs = []
    for word in words:
        doc = parse_heredoc(word)
        if doc is not None:
            docs.append(doc)
    return docs

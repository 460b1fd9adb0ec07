"""The grammar's tokens, read with Lark's own parse table and contextual lexers, without its runtime.

Lark compiles grammar/dockerfile.lark into an LALR table and, for each parser state, a lexer that
tries only the terminals that state accepts (which is how a `# syntax=` comment is a directive at
the top of a file and a comment anywhere else). `Lark.parse` then builds a Token object per token,
counts lines and columns, and builds a tree, which for this grammar (a few tokens per instruction)
cost about as much as matching the terminals. `tokens` drives the same table and the same lexers
with plain tuples. tests/syntax check that it gives what `Lark.parse` gives.
"""
from __future__ import annotations

import functools
from typing import Any

from .grammar import parser_for


class NoToken(Exception):
    """No terminal of the grammar fits here (the grammar covers every text; kept for safety)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


@functools.cache
def _tables(escape: str) -> tuple[dict[Any, dict[str, tuple[Any, Any]]], dict[Any, Any], Any, Any, Any, Any] | None:
    """Lark's parse table and per-state scanners, or None where this Lark keeps them elsewhere."""
    try:
        from lark.parsers.lalr_analysis import Shift
        from lark.utils import TextSlice

        frontend = parser_for(escape).parser
        table = frontend.parser.parser.parse_table
        scanners = {state: lexer.scanner for state, lexer in frontend.lexer.lexers.items()}
        return table.states, scanners, table.start_states["start"], table.end_states["start"], Shift, TextSlice
    except (ImportError, AttributeError, KeyError, TypeError):  # another Lark's internals: use Lark.parse
        return None


def tokens(text: str, escape: str) -> list[tuple[str, str, int]]:
    """(terminal, text, first line) for each token of `text`. Raises NoToken and raw._Unterminated."""
    tables = _tables(escape)
    if tables is None:
        return lark_tokens(text, escape)
    from .raw import heredoc_tokens

    states, scanners, start, end, shift, text_slice = tables
    whole = text_slice(text, 0, len(text))
    n = len(text)
    stack = [start]
    out: list[tuple[str, str, int]] = []
    pos, line = 0, 1
    queued: list[tuple[str, str, int]] = []
    while True:
        if queued:
            token = queued.pop(0)
        elif pos < n:
            found = scanners[stack[-1]].match(whole, pos)
            if found is None:
                raise NoToken(line)
            value, kind = found
            token = (kind, value, line)
            pos += len(value)
            line += value.count("\n")
            if kind == "LOGICAL_LINE" and "<<" in value:
                queued = heredoc_tokens(value, escape, text, pos, line)
                if queued:
                    last_kind, last_value, last_line = queued[-1]
                    pos += sum(len(v) for _, v, _ in queued)
                    line = last_line + last_value.count("\n")
        else:
            token = ("$END", "", line)
        try:
            _feed(states, stack, token[0], end, shift)
        except KeyError:
            raise NoToken(token[2]) from None
        if token[0] == "$END":
            return out
        out.append(token)


def _feed(states: dict, stack: list, kind: str, end: Any, shift: Any) -> None:
    """One token through the LALR table: reduce as the table says, then shift (or accept at the end)."""
    while True:
        action, arg = states[stack[-1]][kind]  # KeyError: this token cannot come here
        if action is shift:
            stack.append(arg)
            return
        size = len(arg.expansion)
        if size:
            del stack[-size:]
        stack.append(states[stack[-1]][arg.origin.name][1])
        if kind == "$END" and stack[-1] == end:
            return


def lark_tokens(text: str, escape: str) -> list[tuple[str, str, int]]:
    """The same tokens through `Lark.parse` (the reference, and the way on a Lark whose internals differ)."""
    from lark.exceptions import UnexpectedInput

    try:
        tree = parser_for(escape).parse(text)
    except UnexpectedInput as err:  # pragma: no cover - every text has a parse
        raise NoToken(getattr(err, "line", 1)) from None
    return [(tok.type, str(tok), tok.line) for tok in tree.scan_values(lambda _: True)]

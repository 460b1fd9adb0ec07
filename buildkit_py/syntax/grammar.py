"""Builds the Lark parsers from grammar/dockerfile.lark, one per escape character.

LALR(1) with Lark's contextual lexer, extended (HeredocLexer) so that after an instruction
that opens heredocs the lexer reads their bodies up to each terminator word.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lark import Lark, Token
from lark.lexer import ContextualLexer, LexerState, TerminalDef

_HERE = Path(__file__).resolve().parent
# In a checkout the grammar lives at the top of the repository; an installed package carries a copy.
_CANDIDATES = (_HERE.parent.parent / "grammar" / "dockerfile.lark", _HERE / "dockerfile.lark")

# Terminals whose patterns mention the escape character.
_ESCAPED_TERMINALS = frozenset({"LOGICAL_LINE"})

HeredocScanner = Callable[[str, str, LexerState], Iterator[Token]]


def grammar_text() -> str:
    for path in _CANDIDATES:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError("grammar/dockerfile.lark not found")  # pragma: no cover


def _swap_escape(escape: str) -> Callable[[TerminalDef], None]:
    def edit(term: TerminalDef) -> None:
        if escape != "\\" and term.name in _ESCAPED_TERMINALS:
            # In the regex source a literal backslash is `\\`; `\n`, `\Z`, `\x85` are not touched.
            term.pattern.value = term.pattern.value.replace("\\\\", "`")

    return edit


def _lexer_class(escape: str, scan_heredocs: HeredocScanner) -> type[ContextualLexer]:
    class HeredocLexer(ContextualLexer):
        """Lark's contextual lexer, plus heredoc bodies after the instruction that opens them."""

        def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
            for tok in super().lex(lexer_state, parser_state):
                yield tok
                if tok.type == "LOGICAL_LINE" and "<<" in tok.value:
                    yield from scan_heredocs(tok.value, escape, lexer_state)

    return HeredocLexer


@functools.cache
def parser_for(escape: str, scan_heredocs: HeredocScanner) -> Lark:
    """The Lark parser for Dockerfiles whose escape character is `escape`."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        edit_terminals=_swap_escape(escape),
        _plugins={"ContextualLexer": _lexer_class(escape, scan_heredocs)},
        maybe_placeholders=False,
    )

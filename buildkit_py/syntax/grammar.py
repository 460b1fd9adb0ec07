"""Builds the Lark parsers from grammar/dockerfile.lark, one per escape character.

LALR(1) with Lark's contextual lexer, extended (HeredocLexer) so that after an instruction
that opens heredocs the lexer reads their bodies up to each terminator word. The compiled
parse tables are cached on disk (Lark checks the grammar's hash), so a process pays for
building them only once per grammar change.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import Any

from lark import Lark, Token
from lark.lexer import ContextualLexer, LexerState, TerminalDef

from .grammar_source import grammar_text

# Terminals whose patterns mention the escape character.
_ESCAPED_TERMINALS = frozenset({"LOGICAL_LINE"})


def use_backtick(term: TerminalDef) -> None:
    """edit_terminals for `# escape=``: the grammar's escape character `\\` becomes a backtick."""
    if term.name in _ESCAPED_TERMINALS:
        # In the regex source a literal backslash is `\\`; `\n`, `\Z`, `\x85` are not touched.
        term.pattern.value = term.pattern.value.replace("\\\\", "`")


class HeredocLexer(ContextualLexer):
    """Lark's contextual lexer, plus heredoc bodies after the instruction that opens them."""

    escape = "\\"

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        from .raw import scan_heredocs

        for tok in super().lex(lexer_state, parser_state):
            yield tok
            if tok.type == "LOGICAL_LINE" and "<<" in tok.value:
                yield from scan_heredocs(tok.value, self.escape, lexer_state)


class BacktickHeredocLexer(HeredocLexer):
    escape = "`"


def _cache_path(escape: str) -> str | bool:
    """Where to keep the compiled tables: the user's cache directory, or nowhere."""
    from ..locations import cache_dir

    d = cache_dir()
    try:
        os.makedirs(d, exist_ok=True)
    except OSError:
        return False
    if not os.access(d, os.W_OK):
        return False
    import lark

    name = "backslash" if escape == "\\" else "backtick"
    return os.path.join(d, f"dockerfile-grammar-{name}-lark{lark.__version__}.cache")


@functools.cache
def parser_for(escape: str) -> Lark:
    """The Lark parser for Dockerfiles whose escape character is `escape`."""
    options: dict[str, Any] = dict(
        parser="lalr", lexer="contextual", maybe_placeholders=False,
        _plugins={"ContextualLexer": HeredocLexer if escape == "\\" else BacktickHeredocLexer},
    )
    if escape != "\\":
        options["edit_terminals"] = use_backtick
    cache = _cache_path(escape)
    if cache:
        try:
            return Lark(grammar_text(), cache=cache, **options)
        except Exception:  # an unreadable or half-written cache file (pickle errors vary): rebuild
            try:
                os.unlink(cache)
            except OSError:
                pass
    return Lark(grammar_text(), **options)

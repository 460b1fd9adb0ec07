"""The grammar's tokens, read with the parse table and contextual lexers Lark builds, without its runtime.

Lark compiles grammar/dockerfile.lark into an LALR table and, for each parser state, a lexer that
tries only the terminals that state accepts (which is how a `# syntax=` comment is a directive at
the top of a file and a comment anywhere else). `Lark.parse` then builds a Token object per token,
counts lines and columns, and builds a tree, which for this grammar (a few tokens per instruction)
cost about as much as matching the terminals; importing Lark cost more than parsing a typical file.

So the table and each state's terminal regex are taken from the Lark parser once, kept as plain data
in the user's cache directory (keyed by the grammar's text), and `tokens` drives them with plain
tuples; Lark is imported only to build them. tests/syntax check the tokens against `Lark.parse`'s.
"""
from __future__ import annotations

import functools
import os
import re

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from typing import Any

heredoc_tokens = None  # raw.heredoc_tokens, bound by the first tokens() call

# Bump when the layout of the cached tables changes.
_FORMAT = 1


class NoToken(Exception):
    """No terminal of the grammar fits here (the grammar covers every text; kept for safety)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


@functools.cache
def _tables(escape: str) -> tuple[dict, dict[Any, list[re.Pattern[str]]], Any, Any] | None:
    """(actions by state, compiled scanners by state, start state, end state); None: use Lark.parse.

    An action is (1, next state) to shift, or (0, rule name, rule size) to reduce.
    """
    from .grammar_source import grammar_text

    grammar = grammar_text()
    data = _load(escape, grammar)
    if data is None:
        data = _from_lark(escape, grammar)
        if data is None:
            return None
        _save(escape, data)
    try:
        scanners = {state: [re.compile(p, f) for p, f in pats] for state, pats in data["scanners"]}
        return data["states"], scanners, data["start"], data["end"]
    except (KeyError, TypeError, ValueError, re.error):  # pragma: no cover - _load checked the shape
        return None


def _from_lark(escape: str, grammar: str) -> dict | None:
    """The tables of the Lark parser for `escape`, as plain data; None where Lark keeps them elsewhere."""
    try:
        from lark.parsers.lalr_analysis import Shift

        from .grammar import parser_for

        frontend = parser_for(escape).parser
        table = frontend.parser.parser.parse_table
        # plain str and int throughout (Lark's names are str subclasses), as marshal needs
        states = {
            int(state): {str(name): (1, int(arg)) if action is Shift else (0, str(arg.origin.name), len(arg.expansion))
                         for name, (action, arg) in actions.items()}
            for state, actions in table.states.items()
        }
        scanners = [(int(state), [(str(m.pattern), int(m.flags)) for m in lexer.scanner._mres])
                    for state, lexer in frontend.lexer.lexers.items()]
        return {"format": _FORMAT, "grammar": grammar, "escape": escape, "states": states, "scanners": scanners,
                "start": int(table.start_states["start"]), "end": int(table.end_states["start"])}
    except (ImportError, AttributeError, KeyError, TypeError):  # another Lark's internals: use Lark.parse
        return None


def _cache_file(escape: str, grammar: str) -> str:
    """The file for this grammar: two pybuild versions (or checkouts) on one machine each keep theirs,
    instead of rebuilding the tables every time the other one ran."""
    import zlib

    from ..locations import cache_dir

    name = "backslash" if escape == "\\" else "backtick"
    return os.path.join(cache_dir(), f"dockerfile-tables-{name}-{zlib.crc32(grammar.encode()):08x}.marshal")


def _load(escape: str, grammar: str) -> dict | None:
    import marshal

    try:
        with open(_cache_file(escape, grammar), "rb") as f:
            data = marshal.loads(f.read())  # one read: marshal.load(f) reads in small pieces
    except (OSError, EOFError, ValueError, TypeError):
        return None
    ok = (isinstance(data, dict) and data.get("format") == _FORMAT and data.get("grammar") == grammar
          and data.get("escape") == escape and isinstance(data.get("states"), dict)
          and isinstance(data.get("scanners"), list))
    return data if ok else None


def _save(escape: str, data: dict) -> None:
    """Write the tables for the next process (a cache that cannot be written is skipped)."""
    import marshal

    from ..locations import replace_file

    try:
        blob = marshal.dumps(data)
    except ValueError:  # something marshal cannot write: the next process builds the tables again
        return
    replace_file(_cache_file(escape, data["grammar"]), blob)


def tokens(text: str, escape: str) -> list[tuple[str, str, int]]:
    """(terminal, text, first line) for each token of `text`. Raises NoToken and raw._Unterminated."""
    tables = _tables(escape)
    if tables is None:
        return lark_tokens(text, escape)
    global heredoc_tokens
    if heredoc_tokens is None:
        from .raw import heredoc_tokens  # (raw imports this module: bound at the first call)

    states, scanners, start, end = tables
    steps = _STEPS.get(escape)
    if steps is None:
        steps = _STEPS[escape] = {}
    trans, matchers = _step_to(steps, scanners, (start,))
    stack: tuple = (start,)
    n = len(text)
    out: list[tuple[str, str, int]] = []
    pos, line = 0, 1
    while pos < n:
        for match in matchers:  # the state's terminals, in Lark's order
            m = match(text, pos)
            if m is not None:
                break
        else:
            raise NoToken(line)
        value = m[0]
        kind = m.lastgroup or ""
        token = (kind, value, line)
        pos = m.end()
        line += value.count("\n")
        step = trans.get(kind)
        if step is None:
            step = _shift(states, stack, token, end, steps, scanners)
        stack, trans, matchers = step
        out.append(token)
        if kind == "LOGICAL_LINE" and "<<" in value:
            for token in heredoc_tokens(value, escape, text, pos, line):
                step = trans.get(token[0])
                if step is None:
                    step = _shift(states, stack, token, end, steps, scanners)
                stack, trans, matchers = step
                out.append(token)
                pos += len(token[1])
                line = token[2] + token[1].count("\n")
    if "$END" not in trans:  # the end of the file is accepted here: checked once per stack
        _shift(states, stack, ("$END", "", line), end, steps, scanners)
    return out


def _step_to(steps: dict, scanners: dict, stack: tuple) -> tuple[dict, list]:
    """(the steps out of `stack`, the `match` of each scanner of its state), made at the first visit."""
    entry = steps.get(stack)
    if entry is None:
        entry = steps[stack] = ({}, [s.match for s in scanners.get(stack[-1], ())])
    return entry


def _shift(states: dict, stack: tuple, token: tuple, end: Any, steps: dict, scanners: dict) -> tuple:
    """The step for `token` out of `stack`, worked out from the LALR table (once per stack and kind)."""
    kind = token[0]
    try:
        after = _feed(states, stack, kind, end)
    except KeyError:
        raise NoToken(token[2]) from None
    trans, matchers = _step_to(steps, scanners, after)
    step = steps[stack][0][kind] = (after, trans, matchers)
    return step


# Per escape character (each has its own tables): parse stack -> ({token kind: (the stack after that
# token, its steps, its matchers)}, the `match` of each scanner of the stack's state). A Dockerfile is a
# long run of the same few tokens in the same few states (the grammar has no nesting: the stack stays a
# handful of entries deep), so after the first file or two every step of the LALR automaton is one
# lookup by the token's kind.
_STEPS: dict[str, dict[tuple, tuple[dict[str, tuple], list]]] = {}


def _feed(states: dict, stack: tuple, kind: str, end: Any) -> tuple:
    """One token through the LALR table: reduce as the table says, then shift (or accept at the end)."""
    work = list(stack)
    while True:
        action = states[work[-1]][kind]  # KeyError: this token cannot come here
        if action[0]:
            work.append(action[1])
            return tuple(work)
        size = action[2]
        if size:
            del work[-size:]
        work.append(states[work[-1]][action[1]][1])
        if kind == "$END" and work[-1] == end:
            return tuple(work)


def lark_tokens(text: str, escape: str) -> list[tuple[str, str, int]]:
    """The same tokens through `Lark.parse` (the reference, and the way on a Lark whose internals differ)."""
    from lark.exceptions import UnexpectedInput

    from .grammar import parser_for

    try:
        tree = parser_for(escape).parse(text)
    except UnexpectedInput as err:  # pragma: no cover - every text has a parse
        raise NoToken(getattr(err, "line", 1)) from None
    return [(tok.type, str(tok), tok.line) for tok in tree.scan_values(lambda _: True)]

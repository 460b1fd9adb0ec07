"""Text → BuildKit's node tree: the grammar's tokens turned into logical lines and heredocs.

This is the layer that must agree with BuildKit's parser to the byte: `dump()` prints the
same AST dump as BuildKit's `parser.Node.Dump`. The typed AST (ast.py) is built on top.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import field

from ..errors import Span
from ..records import dataclass, maker
from .errors import DockerfileSyntaxError
from ..shell.goquote import go_quote
from .scan import NoToken, tokens
from .heredoc import Heredoc, can_contain_heredoc, heredocs_from_line
from .line_parsers import GO_SPACE, LineError, LineSplit, split_line

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from lark import Token
    from lark.lexer import LexerState

BOM = "\ufeff"
_DIRECTIVE_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")


@dataclass(frozen=True, slots=True)
class Directive:
    """A parser directive line as BuildKit reads it (`# syntax=`, `# escape=`, `# check=`)."""

    name: str  # lower case: syntax, escape or check
    value: str
    line: int
    text: str  # the source text of the line, newline included


@dataclass(frozen=True, slots=True)
class Trivia:
    """Comment and blank lines; kept so that the file prints back byte for byte. (The typed AST
    holds these very nodes: made once here, not copied there.)"""

    text: str
    line: int  # where the first of them is

    @property
    def span(self) -> Span:
        """From the start of the first line to the start of the last (worked out when asked: a file
        has about as many trivia as instructions, and rules look at few of them)."""
        return Span(self.line, 1, last_line(self.text, self.line), 1)


def last_line(text: str, first: int) -> int:
    """The number of the last line of `text`, which starts on line `first` (a final newline ends
    that line; it does not start another)."""
    return first + max(text.count("\n") - (1 if text.endswith("\n") else 0), 0)


@dataclass(frozen=True, slots=True)
class Piece:
    """Where a stretch of the logical line comes from: offset in the line → (line, column)."""

    offset: int
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class RawInstruction:
    """One instruction as BuildKit's node tree has it: its logical line split, source text, lines and heredocs."""

    split: LineSplit  # keyword, flags, rest, and the arguments as BuildKit parses them
    line: str  # the logical line: continuations joined, comments inside them dropped
    text: str  # the source text, heredoc bodies included
    start_line: int
    end_line: int
    span: Span  # from the keyword to the end of the last line with text (heredoc bodies included)
    escape: str
    empty_continuation_lines: tuple[int, ...]
    comments: tuple[str, ...]  # comment lines directly above, as BuildKit's PrevComment
    heredocs: tuple[Heredoc, ...] = ()

    @property
    def pieces(self) -> tuple[Piece, ...]:
        """Where each stretch of the logical line is in the file (worked out when asked)."""
        return _pieces(self.text, self.start_line, self.escape)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), 1-based, of a character offset in the logical line."""
        piece = self.pieces[0]
        for p in self.pieces:
            if p.offset > offset:
                break
            piece = p
        return piece.line, piece.col + (offset - piece.offset) + 1

    def span_of(self, start: int, end: int) -> Span:
        sl, sc = self.position(start)
        el, ec = self.position(max(end - 1, start))
        return Span(sl, sc, el, ec + (1 if end > start else 0))

    def dump(self) -> str:
        return _dump(self.split)


@dataclass(frozen=True, slots=True)
class RawResult:
    """A whole file as BuildKit's parser reads it: directives, then instructions and trivia in order."""

    directives: tuple[Directive, ...]
    items: tuple[Directive | Trivia | RawInstruction, ...]
    escape: str
    bom: bool
    warnings: tuple[str, ...] = field(default=())

    @property
    def instructions(self) -> tuple[RawInstruction, ...]:
        return tuple(i for i in self.items if isinstance(i, RawInstruction))

    def dump(self) -> str:
        """BuildKit's AST dump of the whole file, one line per instruction."""
        return "".join(f"({i.dump()})\n" for i in self.instructions)

    def source(self) -> str:
        return (BOM if self.bom else "") + "".join(i.text for i in self.items)


# Made positionally (records.maker), as fast as a mutable class: a file has a few of each per instruction.
_new_instruction = maker(RawInstruction)
_new_trivia = maker(Trivia)
_new_span = maker(Span)


@functools.lru_cache(maxsize=256)
def _pieces(text: str, start_line: int, escape: str) -> tuple[Piece, ...]:
    return assemble(text, start_line, escape)[1]


def _dump(split: LineSplit) -> str:
    out = [split.keyword.lower()]
    if split.flags:
        out.append("[" + " ".join(go_quote(f) for f in split.flags) + "]")
    if split.child is not None:
        out.append(f"({_dump(split.child)})")
    out.extend(go_quote(a) for a in split.args)
    return " ".join(out).strip()


# ---- directives -------------------------------------------------------------------------

def scan_directives(text: str, path: str | None = None) -> list[tuple[str, str, int]]:
    """The parser directives at the top of `text`: (name, value, line). Raises on repeats."""
    if text[:1] not in _MAY_START_DIRECTIVE:  # most files start with an instruction
        return []
    found: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for lineno, raw in enumerate(_lines(text), start=1):
        line = raw.rstrip("\r\n").lstrip(GO_SPACE)
        if not line.startswith("#"):
            break
        m = _DIRECTIVE_RE.match(line[1:].lstrip(GO_SPACE))
        if m is None:
            break
        name = m.group(1).lower()
        if name not in ("syntax", "escape", "check"):
            break
        if name in seen:
            raise DockerfileSyntaxError(
                f"only one {name} parser directive can be used",
                span=Span(lineno, 1, lineno, len(raw) + 1), path=path, source=text,
                hint="remove the repeated directive",
            )
        seen.add(name)
        value = m.group(2)
        if name == "escape" and value not in ("\\", "`"):
            raise DockerfileSyntaxError(
                f"invalid escape token '{value}' does not match ` or \\",
                span=Span(lineno, 1, lineno, len(raw) + 1), path=path, source=text,
                hint="the escape character can only be \\ (the default) or ` (backtick)",
            )
        found.append((name, value, lineno))
    return found


_MAY_START_DIRECTIVE = frozenset(GO_SPACE + "#")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` one at a time (the directive scan stops at the first few)."""
    start = 0
    while True:
        nl = text.find("\n", start)
        if nl < 0:
            yield text[start:]
            return
        yield text[start:nl]
        start = nl + 1


# ---- logical lines ----------------------------------------------------------------------

def trim_continuation(line: str, escape: str) -> tuple[str, bool]:
    """BuildKit's continuation test: the line ends in an unescaped escape character.

    Equivalent to its regex `([^E])E[ \t]*$|^E[ \t]*$`, without a regex substitution.
    """
    s = line.rstrip(" \t")
    if s and s[-1] == escape and (len(s) == 1 or s[-2] != escape):
        return s[:-1], True
    return line, False


_SP = "[\t\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# Joining the lines of an instruction removes each unescaped escape character ending a line (blanks
# after it allowed) with the line break; the pattern starts with the escape character so that the
# regex engine can skip ahead to it.
_JOIN = {esc: re.compile(rf"{re.escape(esc)}(?<!{re.escape(esc * 2)})[ \t]*\r*\n") for esc in ("\\", "`")}
# ... after dropping the comment and blank lines inside it (BuildKit skips them): each match is one,
# with the line break before it.
_SKIPPED_LINE = re.compile(rf"\n{_SP}*+(?:#[^\n]*)?(?=\n|\Z)")
_LEADING = re.compile(rf"(?:{_SP}*(?:#[^\n]*)?\n)*")


def logical_line(text: str, first_line: int, escape: str) -> tuple[str, tuple[int, ...]]:
    """The logical line of a LOGICAL_LINE token, and the numbers of its empty continuation lines."""
    nl = text.find("\n")
    if nl < 0 or nl == len(text) - 1:  # one physical line (the grammar ends a token at a line that does not continue)
        return _one_line(text.rstrip("\r\n").lstrip(GO_SPACE), escape), ()
    # The usual instruction: its comment lines (`#` after white space only) dropped, every line but the
    # last ends in the escape character and its newline. Each line the grammar put in the token is a
    # continued, comment or blank line, so once the comment lines are gone and the continuations
    # joined, a newline left over shows a blank line or blanks after an escape; a blank last line is
    # the one case that leaves none. Those go the general way below.
    body = text[:-1] if text[-1] == "\n" else text  # the last line's newline is no part of it
    if "#" in body:
        body = _without_comment_lines(body)
    if body[body.rfind("\n") + 1 :].strip(GO_SPACE):
        joined = body.lstrip(GO_SPACE).replace(escape + "\n", "")
        if "\n" not in joined:
            return trim_continuation(joined.rstrip("\r"), escape)[0], ()  # (a continuation at the very end of the file)
    # The general way: the lines after the first that are comments or blank, in one pass. (A blank
    # line just before the final newline counts; the empty text after that newline does not.)
    end = len(text) - 1 if text[-1] == "\n" else len(text)
    pieces: list[str] = []
    empty: list[int] = []
    kept = 0
    for m in _SKIPPED_LINE.finditer(text, nl, end):
        at = m.start()
        pieces.append(text[kept:at])
        kept = m.end()
        if text.find("#", at, kept) < 0:  # a blank line: the linter reports those
            empty.append(first_line + text.count("\n", 0, at + 1))
    if pieces:
        pieces.append(text[kept:])
        text = "".join(pieces)
    # the last line's line break is no part of the line; the first line's indentation neither
    line = _JOIN[escape].sub("", text.rstrip("\r\n").lstrip(GO_SPACE))
    return trim_continuation(line, escape)[0], tuple(empty)  # (a continuation at the very end of the file)


def _without_comment_lines(text: str) -> str:
    """`text` without the comment lines after its first line, each taken out with the newline before
    it. Found from the `#` characters, which are few, not line by line."""
    pieces: list[str] = []
    kept = 0
    at = text.find("#")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        if start and (start == at or not text[start:at].strip(GO_SPACE)):  # only white space before it
            pieces.append(text[kept : start - 1])
            end = text.find("\n", at)
            kept = end if end >= 0 else len(text)
            at = text.find("#", kept)
        else:
            at = text.find("#", at + 1)
    if not pieces:
        return text
    pieces.append(text[kept:])
    return "".join(pieces)


def _one_line(stripped: str, escape: str) -> str:
    """The logical line of a one-line instruction, its indentation and line break removed: the line
    itself, unless it is continued at the very end of the file."""
    return trim_continuation(stripped, escape)[0] if stripped[-1:] in _MAY_CONTINUE else stripped


_MAY_CONTINUE = frozenset(" \t\\`")  # what a line continued at the end of the file ends with


def assemble(text: str, first_line: int, escape: str) -> tuple[str, tuple[Piece, ...], tuple[int, ...]]:
    """Join a LOGICAL_LINE token's physical lines as BuildKit does, keeping where each piece came from."""
    nl = text.find("\n")
    first = text if nl < 0 else text[:nl]
    first = first.rstrip("\r\n")
    stripped = first.lstrip(GO_SPACE)
    lead = len(first) - len(stripped)
    content, more = trim_continuation(stripped, escape)
    if not more:
        return stripped, (Piece(0, first_line, lead),), ()
    buf = [content]
    pieces = [Piece(0, first_line, lead)]
    offset = len(content)
    empty: list[int] = []
    lines = text.split("\n")
    for i in range(1, len(lines)):
        raw = lines[i].rstrip("\r\n")
        lineno = first_line + i
        lstripped = raw.lstrip(GO_SPACE)
        if not lstripped:
            if i < len(lines) - 1 or not text.endswith("\n"):  # "" after a final newline is no line
                empty.append(lineno)
            continue
        if lstripped[0] == "#":
            continue
        piece, more = trim_continuation(raw, escape)
        pieces.append(Piece(offset, lineno, 0))
        buf.append(piece)
        offset += len(piece)
        if not more:
            break
    return "".join(buf), tuple(pieces), tuple(empty)


# ---- heredoc bodies, read by the lexer ---------------------------------------------------

def heredoc_tokens(token_text: str, escape: str, text: str, pos: int, line: int) -> list[tuple[str, str, int]]:
    """The HEREDOC_BODY and HEREDOC_END tokens after a LOGICAL_LINE containing `<<`, which ends at
    `pos` (on `line`) in `text`: (type, text, line) each. Raises _Unterminated."""
    token_text = token_text[_LEADING.match(token_text).end():]
    logical, _ = logical_line(token_text, 1, escape)
    try:
        split = split_line(logical, escape)
        if not can_contain_heredoc(split):
            return []
        docs = heredocs_from_line(logical)
    except LineError:
        return []  # reported with its place when the instruction is built
    out: list[tuple[str, str, int]] = []
    n = len(text)
    for doc in docs:
        body_start, body_line = pos, line
        while True:
            if pos >= n:
                raise _Unterminated(doc.name, body_line)
            nl = text.find("\n", pos)
            end = n if nl < 0 else nl + 1
            candidate = text[pos:end].rstrip("\r\n")
            if doc.chomp:
                candidate = candidate.lstrip("\t")
            if candidate == doc.name:
                break
            pos = end
        if pos > body_start:
            out.append(("HEREDOC_BODY", text[body_start:pos], body_line))
            line += text.count("\n", body_start, pos)
        out.append(("HEREDOC_END", text[pos:end], line))
        line += text.count("\n", pos, end)
        pos = end
    return out


def scan_heredocs(token_text: str, escape: str, state: LexerState) -> Iterator[Token]:
    """Lark's lexer (grammar.HeredocLexer), after a LOGICAL_LINE containing `<<`: body and end tokens."""
    from lark import Token

    text = state.text.text if hasattr(state.text, "text") else state.text
    ctr = state.line_ctr
    for kind, value, _ in heredoc_tokens(token_text, escape, text, ctr.char_pos, ctr.line):
        tok = Token(kind, value, ctr.char_pos, ctr.line, ctr.column)
        ctr.feed(value)
        state.last_token = tok
        yield tok


class _Unterminated(Exception):
    def __init__(self, name: str, line: int) -> None:
        super().__init__(name)
        self.name = name
        self.line = line


# ---- the whole file ---------------------------------------------------------------------

def parse_raw(text: str, *, path: str | None = None) -> RawResult:
    """Parse Dockerfile text into BuildKit's node tree. Raises DockerfileSyntaxError."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    directives = scan_directives(text, path)
    escape = "\\"
    for name, value, _ in directives:
        if name == "escape":
            escape = value
    try:
        toks = tokens(text, escape)
    except _Unterminated as err:
        raise DockerfileSyntaxError(
            "unterminated heredoc", span=_line_span(text, err.line - 2), path=path, source=text,
            hint=f"end the heredoc with a line that is exactly {err.name!r}",
        ) from None
    except NoToken as err:  # pragma: no cover - every text has a parse; kept for safety
        line = max(err.line, 1)
        raise DockerfileSyntaxError(
            "cannot read this line", span=Span(line, 1, line, 2), path=path, source=text,
        ) from None

    items: list[Directive | Trivia | RawInstruction] = []
    found: list[Directive] = []
    comments: list[str] = []
    n_directives = len(directives)
    n_instructions = 0
    i, n_toks = 0, len(toks)
    while i < n_toks:
        kind, source, tok_line = toks[i]
        i += 1
        if kind == "LOGICAL_LINE":
            heredocs: list[tuple[str, str, int]] = []  # (body, end line text, first line) each
            while i < n_toks and toks[i][0] in _HEREDOC_TOKENS:
                if toks[i][0] == "HEREDOC_BODY":
                    body, first = toks[i][1], toks[i][2]
                    i += 1
                else:
                    body, first = "", toks[i][2]
                heredocs.append((body, toks[i][1], first))  # toks[i] is the HEREDOC_END
                i += 1
            # comment and blank lines above the instruction; most often none, or one blank line
            if source[:1].isalpha():
                lead = 0
            elif source[0] == "\n" and source[1:2].isalpha():
                lead = 1
            else:
                lead = _LEADING.match(source).end()
            if lead:
                above = source[:lead]
                items.append(_new_trivia(above, tok_line))
                if "#" in above:  # (blank lines neither add comments nor clear them)
                    _collect_comments(above, comments)
                tok_line += above.count("\n")
                source = source[lead:]
            # the line the next token starts on is the one after this instruction (no need to count its lines)
            next_line = toks[i][2] if i < n_toks else 0
            above_comments = tuple(comments) if comments else ()
            items.append(_instruction(heredocs, source, tok_line, next_line, escape, above_comments, path, text))
            n_instructions += 1
            if comments:
                comments = []
        elif kind == "DIRECTIVE" and len(found) < n_directives:
            name, value, line = directives[len(found)]
            d = Directive(name, value, line, source)
            found.append(d)
            items.append(d)
        else:  # trailing trivia, or a line that looked like a directive but was not one
            items.append(_new_trivia(source, tok_line))
            _collect_comments(source, comments)
    if not n_instructions:
        last = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        raise DockerfileSyntaxError(
            "file with no instructions", span=Span(max(last, 1), 1, max(last, 1), 1), path=path,
            source=text, hint="a Dockerfile needs at least a FROM instruction",
        )
    return RawResult(tuple(found), tuple(items), escape, bom)


def _collect_comments(text: str, comments: list[str]) -> None:
    if "#" not in text:  # blank lines only (most trivia): they neither add nor clear comments
        return
    # each comment line but its first character (BuildKit drops the first byte, whatever it is); a
    # newline put in front gives every line one, which the regex engine can skip ahead to
    for body in _COMMENT_LINE.findall("\n" + text):
        body = body.strip(GO_SPACE)
        if body:
            comments.append(body)
        else:  # an empty comment line starts the comments over
            comments.clear()


_COMMENT_LINE = re.compile(rf"\n(?={_SP}*#)[^\n]([^\n]*)")


def _line_span(text: str, index: int) -> Span:
    lines = text.split("\n")
    index = min(max(index, 0), len(lines) - 1)
    return Span(index + 1, 1, index + 1, len(lines[index].rstrip("\r")) + 1)


_HEREDOC_TOKENS = frozenset({"HEREDOC_BODY", "HEREDOC_END"})


def _instruction(
    bodies: list[tuple[str, str, int]], source: str, start: int, next_line: int, escape: str,
    comments: tuple[str, ...], path: str | None, text: str,
) -> RawInstruction:
    """The node for an instruction's text (`source`, from its keyword line, on line `start`); `next_line`:
    where the token after it starts, 0 at the end of the file."""
    nl = source.find("\n")
    if nl < 0 or nl == len(source) - 1:  # one physical line (most instructions): logical_line's first case
        first = source.rstrip("\r\n")
        stripped = first.lstrip(GO_SPACE)
        line = _one_line(stripped, escape)
        empty: tuple[int, ...] = ()
        end_line = start
        span = _new_span(start, len(first) - len(stripped) + 1, start, len(first) + 1)
    else:
        line, empty = logical_line(source, start, escape)
        end_line = next_line - 1 if next_line else last_line(source, start)
        span = None
    try:
        split = split_line(line, escape)
    except LineError as err:
        raise DockerfileSyntaxError(
            str(err), span=_line_span(text, start - 1),
            path=path, source=text,
        ) from None
    heredocs: tuple[Heredoc, ...] = ()
    if bodies:
        heredocs, source, end_line = _with_bodies(line, bodies, source, end_line)
        span = None
    if span is None:
        span = text_span(source, start, end_line)
    return _new_instruction(split, line, source, start, end_line, span, escape, empty, comments, heredocs)


def _with_bodies(
    line: str, bodies: list[tuple[str, str, int]], source: str, end_line: int,
) -> tuple[tuple[Heredoc, ...], str, int]:
    """The heredocs `line` opens with their bodies, the instruction's text with the bodies, and its last line."""
    heredocs = []
    for doc, (body, end_text, first_line) in zip(heredocs_from_line(line), bodies):
        heredocs.append(doc.with_body(body, end_text, first_line))
        source += body + end_text
        end_line = first_line + body.count("\n")
    return tuple(heredocs), source, end_line


def text_span(text: str, start_line: int, end_line: int) -> Span:
    """The span of an instruction's text: from its first character to the end of its last line with text."""
    nl = text.find("\n")
    first = text if nl < 0 else text[:nl]
    col = len(first) - len(first.lstrip(GO_SPACE)) + 1
    if nl < 0 or nl == len(text) - 1:
        last = first
    else:  # the last line with text: found from the end, without copying the whole text
        end = len(text)
        while end and text[end - 1] == "\n":
            end -= 1
        last = text[text.rfind("\n", 0, end) + 1 : end]
    return _new_span(start_line, col, end_line, len(last.rstrip("\r")) + 1)



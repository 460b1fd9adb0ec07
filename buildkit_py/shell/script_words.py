"""Reading shell words: quotes, escapes, `$…` expansions, `$( … )`, backticks, heredoc bodies.

`WordReader` is the character-level half of the script parser; `script_parse.Parser` adds the
grammar. Command substitutions call back into the grammar (`parse_list`), so the commands
inside `$( … )` are parsed in place and found by lint rules.
"""
from __future__ import annotations

import re

from buildkit_py.shell.script_model import Sequence, Word, new_word

META = frozenset(" \t\r\n;&|()<>")
MAX_DEPTH = 50  # nesting of compounds and substitutions; deeper input is reported, not parsed

# Blanks, `\\` line continuations, and a comment (this is only used where a word may start).
SKIP_BLANKS = re.compile(r"(?:[ \t\r]+|\\\r?\n|#[^\n]*)*")
SKIPPABLE = frozenset(" \t\r\\#")
# A whole word without quotes, escapes or expansions, ended by an operator, a blank or the end.
_SIMPLE_WORD = re.compile(r"[^ \t\r\n;&|()<>\\'\"$`]+(?=[ \t\r\n;&|)<>]|\Z)")
_PLAIN = re.compile(r"[^ \t\r\n;&|()<>\\'\"$`]+")
# The pieces of a word `read_word` can take in one regex step: plain text, '…', "…" without
# escapes or substitutions, and `$NAME`, `$1`, `$@`, `${NAME…}` without quotes or nesting inside.
_VAR = r"\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?!$-]|\{[^}\\'\"$`]*\})"
_PIECE = r"[^ \t\r\n;&|()<>\\'\"$`]++|'[^']*+'|\"(?:[^\"\\$`]++|" + _VAR + r")*+\"|" + _VAR
# Possessive (nothing given back): where the lookahead after a word fails, no shorter word could
# pass it either, and a long word is not tried again at every split.
QUOTED_WORD = r"(?:" + _PIECE + r")++"
_PIECES = re.compile(_PIECE)
# Such a word, where the general reader would end it too (`<(` would go on: not taken here).
_QUOTED_WORD = re.compile(QUOTED_WORD + r"(?=[ \t\r\n;&|)]|[<>](?!\()|\Z)")
_DQ_PLAIN = re.compile(r'[^"\\$`]+')
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ARRAY_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=$")


class WordReader:
    """Position over the text, and the word-level reading; the grammar comes from a subclass."""

    def __init__(self, text: str, offset: int, depth: int, context: tuple[str, ...],
                 problems: list[str]) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.off = offset  # where this text starts in the whole script (backtick bodies)
        self.depth = depth
        self.base_depth = depth
        self.context = list(context)
        self.problems = problems
        self.heredoc_end: dict[int, int] = {}  # newline position -> where the line after its heredocs starts
        self.parens = 0  # enclosing constructs that a `)` closes

    # -- to be provided by the grammar ---------------------------------------------------------

    def parse_list(self, stop_words: frozenset[str] = frozenset(), stop_ops: frozenset[str] = frozenset()) -> Sequence:
        raise NotImplementedError

    def sub_parser(self, text: str, offset: int) -> WordReader:
        raise NotImplementedError

    def parse_all(self) -> Sequence:
        raise NotImplementedError

    # -- small helpers ---------------------------------------------------------------------------

    def problem(self, what: str, at: int | None = None) -> None:
        pos = self.off + (self.i if at is None else at)
        self.problems.append(f"offset {pos}: {what}")

    def skip_blanks(self) -> None:
        """Blanks, line continuations and a comment up to (not including) the newline."""
        i = self.i
        if i < self.n and self.s[i] in SKIPPABLE:
            self.i = SKIP_BLANKS.match(self.s, i).end()  # type: ignore[union-attr]

    def newline(self) -> None:
        """Consume the newline at the position, and the heredoc bodies that follow it."""
        p = self.i
        self.i = self.heredoc_end.pop(p, p + 1)

    def skip_linebreaks(self) -> None:
        while True:
            self.skip_blanks()
            if self.i < self.n and self.s[self.i] == "\n":
                self.newline()
            else:
                return

    def enter(self, kind: str) -> bool:
        """Open a nested construct; False (and a problem noted) when nesting is too deep."""
        if self.depth >= MAX_DEPTH:
            self.problem("nested too deeply; the rest is not parsed")
            self.i = self.n
            return False
        self.depth += 1
        self.context.append(kind)
        return True

    def leave(self) -> None:
        self.depth -= 1
        self.context.pop()

    def nested_list(self, kind: str) -> Sequence:
        """The commands of `$( … )` / `<( … )` / `( … )` up to the `)`, which is consumed."""
        if not self.enter(kind):
            return ()
        self.parens += 1
        try:
            body = self.parse_list(stop_ops=frozenset({")"}))
        finally:
            self.parens -= 1
            self.leave()
        if self.i < self.n and self.s[self.i] == ")":
            self.i += 1
        else:
            self.problem(f"missing ')' to close {kind}")
        return body

    # -- words -----------------------------------------------------------------------------------

    def read_word(self) -> Word | None:
        """The word at the position, or None when there is none (an operator or the end)."""
        s, n = self.s, self.n
        start = self.i
        m = _SIMPLE_WORD.match(s, start)
        if m is not None:  # the common case, in one step
            self.i = end = m.end()
            text = m.group()
            return new_word(text, text, True, False, self.off + start, self.off + end)
        m = _QUOTED_WORD.match(s, start)
        if m is not None:
            w = self.quoted_word(m.group(), start, m.end())
            if w is not None:
                return w
        value: list[str] = []
        subs: list[Sequence] = []
        static = True
        quoted = False
        while self.i < n:
            i = self.i
            m = _PLAIN.match(s, i)
            if m is not None:
                value.append(m.group())
                self.i = m.end()
                continue
            c = s[i]
            if c in META:
                if c in "<>" and s.startswith("(", i + 1):  # process substitution <( … )
                    self.i = i + 2
                    subs.append(self.nested_list(c + "("))
                    value.append(s[i:self.i])
                    static = False
                    continue
                if c == "(" and _ARRAY_ASSIGN.match(s, start, i):  # a=(1 2 3)
                    self.i = self.skip_parens(i + 1, 1, subs)
                    value.append(s[i:self.i])
                    continue
                break
            if c == "\\":
                if s.startswith("\n", i + 1):
                    self.i = i + 2
                    continue
                value.append(s[i + 1:i + 2] or "\\")
                quoted = True
                self.i = i + 2
            elif c == "'":
                j = s.find("'", i + 1)
                if j < 0:
                    self.problem("unterminated single quote", i)
                    j = n
                value.append(s[i + 1:j])
                quoted = True
                self.i = j + 1
            elif c == '"':
                quoted = True
                static = self.read_dquote(value, subs) and static
            elif c == "$":
                static = self.read_dollar(value, subs) and static
            else:  # backtick
                self.read_backtick(subs)
                value.append(s[i:self.i])
                static = False
        if self.i > n:
            self.i = n
        if self.i == start:
            return None
        return new_word(s[start:self.i], "".join(value), static, quoted, self.off + start, self.off + self.i,
                    tuple(subs))

    def quoted_word(self, raw: str, start: int, end: int) -> Word | None:
        """The word for `raw`, a match of QUOTED_WORD at `start`; None where `${` may not nest."""
        if "${" in raw and self.depth >= MAX_DEPTH:
            return None  # the general reader notes the problem
        self.i = end
        if "'" not in raw:  # quotes and `$…` as written, "…" holds no escapes: drop the quotes
            value, static = raw.replace('"', ""), "$" not in raw
        elif '"' not in raw and "$" not in raw:
            value, static = raw.replace("'", ""), True
        else:
            value, static = _pieces_value(raw)
        return new_word(raw, value, static, '"' in raw or "'" in raw, self.off + start, self.off + end)

    def read_dquote(self, value: list[str], subs: list[Sequence]) -> bool:
        """A double-quoted string at the position; False when it contains expansions."""
        s, n = self.s, self.n
        start = self.i
        self.i += 1
        static = True
        while self.i < n:
            i = self.i
            m = _DQ_PLAIN.match(s, i)
            if m is not None:
                value.append(m.group())
                self.i = m.end()
                continue
            c = s[i]
            if c == '"':
                self.i = i + 1
                return static
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt == "\n":
                    pass
                elif nxt in ("$", "`", '"', "\\"):
                    value.append(nxt)
                else:
                    value.append("\\" + nxt)
                self.i = i + 2
            elif c == "$":
                static = self.read_dollar(value, subs) and static
            else:
                self.read_backtick(subs)
                value.append(s[i:self.i])
                static = False
        self.problem("unterminated double quote", start)
        self.i = n
        return static

    def read_dollar(self, value: list[str], subs: list[Sequence]) -> bool:
        """`$…` at the position; its text goes to `value` as written. False for an expansion."""
        s, n = self.s, self.n
        i = self.i
        nxt = s[i + 1:i + 2]
        if nxt == "(":
            if s.startswith("((", i + 1):
                self.i = self.skip_parens(i + 3, 2, subs)
            else:
                self.i = i + 2
                subs.append(self.nested_list("$("))
        elif nxt == "{":
            self.i = i + 2
            self.skip_braced(subs)
        elif nxt == "'":  # bash $'…': a quoted string with C escapes; kept as written inside
            j = i + 2
            while j < n and s[j] != "'":
                j += 2 if s[j] == "\\" else 1
            value.append(s[i + 2:min(j, n)])
            self.i = min(j + 1, n)
            return True
        elif nxt == '"':  # bash $"…": a translated string
            self.i = i + 1
            return self.read_dquote(value, subs)
        else:
            m = _NAME.match(s, i + 1)
            if m is not None:
                self.i = m.end()
            elif nxt and (nxt.isdigit() or nxt in "@*#?-$!"):
                self.i = i + 2
            else:
                value.append("$")
                self.i = i + 1
                return True
        value.append(s[i:self.i])
        return False

    def skip_braced(self, subs: list[Sequence]) -> None:
        """The rest of `${ … }` after the `${`, with quotes and nested expansions inside."""
        s, n = self.s, self.n
        start = self.i
        if not self.enter("${"):
            return
        scratch: list[str] = []
        try:
            while self.i < n:
                c = s[self.i]
                if c == "}":
                    self.i += 1
                    return
                if c == "\\":
                    self.i += 2
                elif c == "'":
                    j = s.find("'", self.i + 1)
                    self.i = n if j < 0 else j + 1
                elif c == '"':
                    self.read_dquote(scratch, subs)
                elif c == "$":
                    self.read_dollar(scratch, subs)
                elif c == "`":
                    self.read_backtick(subs)
                else:
                    self.i += 1
            self.problem("missing '}' to close ${", start)
            self.i = n
        finally:
            self.leave()

    def skip_parens(self, i: int, depth: int, subs: list[Sequence]) -> int:
        """Past the `)` that closes `depth` open parentheses, minding quotes, for `$(( … ))` and
        arrays; command substitutions inside are parsed into `subs`."""
        s, n = self.s, self.n
        while i < n:
            c = s[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif c == "\\":
                i += 1
            elif c == "'" or c == '"':
                j = s.find(c, i + 1)
                i = n - 1 if j < 0 else j
            elif c == "`" or (c == "$" and s.startswith("(", i + 1) and not s.startswith("((", i + 1)):
                self.i = i
                self.read_dollar([], subs) if c == "$" else self.read_backtick(subs)
                i = self.i
                continue
            i += 1
        self.problem("missing ')'", i)
        return n

    def read_backtick(self, subs: list[Sequence]) -> None:
        """`` `…` ``: unescape the body and parse it as a script of its own."""
        s, n = self.s, self.n
        i = self.i
        j = i + 1
        body: list[str] = []
        while j < n and s[j] != "`":
            if s[j] == "\\" and j + 1 < n:
                body.append(s[j + 1] if s[j + 1] in "`\\$" else s[j:j + 2])
                j += 2
            else:
                body.append(s[j])
                j += 1
        if j >= n:
            self.problem("unterminated backquote", i)
        self.i = min(j + 1, n)
        if not self.enter("`"):
            return
        try:
            sub = self.sub_parser("".join(body), self.off + i + 1)
            subs.append(sub.parse_all())
        finally:
            self.leave()

    def read_heredoc(self, delimiter: str, strip_tabs: bool) -> str | None:
        """The body of a heredoc started on the current line: the lines after its end, up to the
        delimiter line. The parser skips them when it reaches that line's newline."""
        s, n = self.s, self.n
        nl = s.find("\n", self.i)
        if nl < 0:
            self.problem(f"heredoc '{delimiter}' has no body")
            return None
        pos = self.heredoc_end.get(nl, nl + 1)
        lines: list[str] = []
        while True:
            if pos >= n:
                self.problem(f"heredoc '{delimiter}' is not terminated")
                pos = n
                break
            end = s.find("\n", pos)
            end = n if end < 0 else end
            line = s[pos:end]
            if strip_tabs:
                line = line.lstrip("\t")
            pos = end + 1
            if line == delimiter or line.rstrip("\r") == delimiter:
                break
            lines.append(line)
        self.heredoc_end[nl] = min(pos, n)
        return "".join(line + "\n" for line in lines)


def _pieces_value(raw: str) -> tuple[str, bool]:
    """`value` and `static` of a QUOTED_WORD mixing both quotes or '…' and `$`, piece by piece."""
    parts: list[str] = []
    static = True
    for piece in _PIECES.findall(raw):
        first = piece[0]
        if first == "'":
            parts.append(piece[1:-1])
            continue
        if "$" in piece:
            static = False
        parts.append(piece[1:-1] if first == '"' else piece)
    return "".join(parts), static

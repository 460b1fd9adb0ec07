"""Variable expansion and word splitting exactly as BuildKit's Dockerfile frontend does them.

The model is BuildKit's `frontend/dockerfile/shell` lexer: one left-to-right pass over the text
that removes quotes (`'...'` literal, `"..."` with `$` expansion and escapes of `"`, `$` and the
escape character), drops the escape character before any other character, and expands `$NAME`,
`${NAME}` and the `${NAME<op>word}` forms. It is not a shell: no globbing, no command
substitution, no arithmetic. Variable names are case-sensitive.

Two BuildKit behaviours are kept on purpose because Docker users see them:
- Word splitting (`process_words`) shares one word buffer with the nested words of `${V:-w}`-style
  expansions, so text of the current word before such an expansion is lost (`a${X:-b}` gives the
  single word `b`). Only EXPOSE and heredoc detection split words.
- With `skip_unset_env`, `${V//p/r}` of an unset V is written back as `${V/p/r}`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field
from functools import lru_cache

from buildkit_py.errors import PybuildError
from buildkit_py.records import dataclass
from buildkit_py.shell import pattern as _pattern
from buildkit_py.shell.goquote import go_quote

# Go's unicode.IsSpace: Python's str.isspace also counts \x1c-\x1f, which Go does not.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_GO_SPACE_SET = frozenset(GO_SPACE)
_GO_SPACE_RX = re.compile(f"[{GO_SPACE}]")
_GO_FIELDS_RX = re.compile(f"[^{GO_SPACE}]+")
_HEREDOC_SPACE = frozenset("\t\r ")
_ASCII_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPECIAL_PARAMS = frozenset("@*#?-$!0")  # POSIX special parameters: `$@`, `${#}`, ...
_MODIFIERS = frozenset("+-?#%")
_BOM = "\ufeff"
_BAD_RUNE = "\ufffd"  # Go renders the end-of-input rune like this in messages

_SUPPORTED = "${V:-w} ${V-w} ${V:+w} ${V+w} ${V:?m} ${V?m} ${V#p} ${V##p} ${V%p} ${V%%p} ${V/p/r} ${V//p/r}"
_HINTS = (
    ("unsupported modifier", f"supported forms: {_SUPPORTED}"),
    ("syntax error: bad substitution", "write ${NAME} with a variable name inside the braces"),
    ("syntax error: missing", "close the ${...} expression, or escape the $ to keep it literal"),
    ("unexpected end of statement", "close the quote, or escape it to keep it literal"),
    ("invalid pattern", "in a pattern only *, ? and \\ may follow a backslash"),
    ("nested too deeply", "simplify the expression"),
)


class ShellExpansionError(PybuildError):
    """A word BuildKit would refuse to expand; `reason` is BuildKit's own wording."""

    def __init__(self, message: str, *, reason: str = "", word: str = "", **kwargs) -> None:
        if "hint" not in kwargs:
            kwargs["hint"] = next((h for prefix, h in _HINTS if reason.startswith(prefix)), None)
        super().__init__(message, **kwargs)
        self.reason = reason
        self.word = word


class _Fail(Exception):
    """Internal: expansion failed with BuildKit's reason."""


@lru_cache(maxsize=64)
def _plain_run(specials: str) -> re.Pattern[str]:
    return re.compile(f"[^{re.escape(specials)}]+")


@dataclass(frozen=True)
class Lexer:
    """BuildKit's `shell.Lex`: options, then `process_word(s)` against a mapping of variables."""

    escape: str = "\\"
    raw_quotes: bool = False  # keep quote characters in the output
    raw_escapes: bool = False  # keep escape characters in the output
    skip_unset_env: bool = False  # leave `$VAR` text as-is when VAR is unset
    skip_process_quotes: bool = False  # quotes are ordinary characters
    _special: re.Pattern[str] = field(init=False, repr=False, compare=False, hash=False)
    _runs: dict[str, re.Pattern[str]] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if len(self.escape) != 1:
            raise ValueError(f"escape must be one character, not {self.escape!r}")
        quotes = "" if self.skip_process_quotes else "'\""
        object.__setattr__(self, "_special", re.compile(f"[{re.escape('$' + self.escape + quotes)}]"))
        # Runs of characters with no meaning, per stop character ("" = end; '"' = inside quotes).
        runs = {stop: _plain_run("$<" + self.escape + stop + quotes) for stop in ("", "}", "/")}
        runs['"'] = _plain_run('"$' + self.escape)
        object.__setattr__(self, "_runs", runs)

    def _needs_scan(self, word: str) -> bool:
        return self._special.search(word) is not None or word.startswith(_BOM)

    def process_word(self, word: str, env: Mapping[str, str]) -> str:
        """Expand one word: quotes removed, variables substituted, spaces kept."""
        if not self._needs_scan(word):
            return word
        return _Scanner(self, word, env, False).run()

    def process_words(self, word: str, env: Mapping[str, str]) -> list[str]:
        """Expand, then split into words on unquoted whitespace (BuildKit's ProcessWords)."""
        if not self._needs_scan(word) and "<<" not in word:
            return _GO_FIELDS_RX.findall(word)
        sc = _Scanner(self, word, env, True)
        sc.run()
        return sc.words

    def process_word_with_matches(
        self, word: str, env: Mapping[str, str]
    ) -> tuple[str, frozenset[str], frozenset[str]]:
        """Expand one word; also the names found in `env` and the names referenced but unset."""
        if not self._needs_scan(word):
            return word, frozenset(), frozenset()
        sc = _Scanner(self, word, env, False)
        result = sc.run()
        return result, frozenset(sc.matched), frozenset(sc.unmatched)


class _Scanner:
    """One expansion: the text, a position in it, and what was looked up."""

    __slots__ = ("s", "n", "i", "source", "env", "esc", "runs", "quotes", "raw_quotes", "raw_escapes",
                 "skip_unset", "words_mode", "wbuf", "words", "matched", "unmatched")

    def __init__(self, lx: Lexer, word: str, env: Mapping[str, str], words_mode: bool) -> None:
        self.source = word
        # Go's text/scanner skips one byte-order mark at the very start.
        self.s = word[1:] if word.startswith(_BOM) else word
        self.n = len(self.s)
        self.i = 0
        self.env = env
        self.esc = lx.escape
        self.runs = lx._runs
        self.quotes = not lx.skip_process_quotes
        self.raw_quotes = lx.raw_quotes
        self.raw_escapes = lx.raw_escapes
        self.skip_unset = lx.skip_unset_env
        self.words_mode = words_mode
        self.wbuf: list[str] = []  # BuildKit's one shared word buffer (see module docstring)
        self.words: list[str] = []
        self.matched: set[str] = set()
        self.unmatched: set[str] = set()

    def run(self) -> str:
        try:
            return self.stop_on("", self.raw_escapes)
        except _Fail as fail:
            reason = str(fail)
        except RecursionError:
            reason = "expression nested too deeply"
        raise ShellExpansionError(
            f"failed to process {go_quote(self.source)}: {reason}", reason=reason, word=self.source
        )

    def lookup(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None:
            self.unmatched.add(name)
        else:
            self.matched.add(name)
        return value

    # -- words (only for the outermost level of process_words) --------------------------------

    def add_text(self, text: str, in_word: bool) -> bool:
        """Add expanded text: unquoted whitespace in it ends the current word."""
        if not text:
            return in_word
        buf = self.wbuf
        if _GO_SPACE_RX.search(text) is None:
            buf.append(text)
            return True
        for ch in text:
            if ch in _GO_SPACE_SET:
                if in_word and buf:
                    self.words.append("".join(buf))
                    buf.clear()
                    in_word = False
            else:
                buf.append(ch)
                in_word = True
        return in_word

    def add_raw(self, text: str) -> None:
        if text:
            self.wbuf.append(text)

    # -- the scan ------------------------------------------------------------------------------

    def stop_on(self, stop: str, raw_escapes: bool) -> str:
        """Process text up to `stop` (consumed) or, with stop "", to the end."""
        if stop and self.words_mode:
            # A nested call empties BuildKit's shared buffer: that is the whole effect it has
            # on the outer words, since it flushes its own words into a list nobody reads.
            self.wbuf.clear()
        prev = self.raw_escapes
        if prev == raw_escapes:
            return self._scan(stop, self.words_mode and not stop)
        self.raw_escapes = raw_escapes
        try:
            return self._scan(stop, self.words_mode and not stop)
        finally:
            self.raw_escapes = prev

    def _scan(self, stop: str, track: bool) -> str:
        s, n = self.s, self.n
        quotes = self.quotes
        plain = self.runs[stop]
        result: list[str] = []
        in_word = False
        i = self.i
        while i < n:
            m = plain.match(s, i)
            if m is not None:
                run = m.group()
                i = m.end()
                result.append(run)
                if track:
                    in_word = self.add_text(run, in_word)
                continue
            ch = s[i]
            if ch == stop:
                self.i = i + 1
                return "".join(result)
            if ch == "$":
                self.i = i
                tmp = self.dollar()
                i = self.i
                result.append(tmp)
                if track:
                    in_word = self.add_text(tmp, in_word)
            elif ch == "<":
                i += 1
                tmp = "<"
                if i < n and s[i] == "<":
                    i += 1
                    j = i
                    while j < n and s[j] in _HEREDOC_SPACE:
                        j += 1
                    tmp = "<<" + s[i:j]
                    i = j
                result.append(tmp)
                if track:
                    self.add_raw(tmp)
                    in_word = True
            elif quotes and (ch == "'" or ch == '"'):
                self.i = i
                tmp = self.single_quote() if ch == "'" else self.double_quote()
                i = self.i
                result.append(tmp)
                if track:
                    self.add_raw(tmp)
                    in_word = True
            else:  # the escape character: the next character is taken literally
                i += 1
                if self.raw_escapes:
                    result.append(ch)
                    if track:
                        self.add_raw(ch)
                        in_word = True
                if i >= n:
                    break
                ch = s[i]
                i += 1
                result.append(ch)
                if track:
                    self.add_raw(ch)
                    in_word = True
        self.i = i
        if stop:
            raise _Fail(f"unexpected end of statement while looking for matching {stop}")
        if track and self.wbuf:
            self.words.append("".join(self.wbuf))
            self.wbuf.clear()
        return "".join(result)

    def single_quote(self) -> str:
        start = self.i + 1
        end = self.s.find("'", start)
        if end < 0:
            self.i = self.n
            raise _Fail("unexpected end of statement while looking for matching single-quote")
        self.i = end + 1
        body = self.s[start:end]
        return f"'{body}'" if self.raw_quotes else body

    def double_quote(self) -> str:
        s, n, esc = self.s, self.n, self.esc
        plain = self.runs['"']
        out: list[str] = ['"'] if self.raw_quotes else []
        i = self.i + 1
        while True:
            if i >= n:
                self.i = n
                raise _Fail("unexpected end of statement while looking for matching double-quote")
            m = plain.match(s, i)
            if m is not None:
                out.append(m.group())
                i = m.end()
                continue
            ch = s[i]
            if ch == '"':
                self.i = i + 1
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            if ch == "$":
                self.i = i
                out.append(self.dollar())
                i = self.i
                continue
            i += 1  # the escape character
            if self.raw_escapes:
                out.append(ch)
            if i >= n:
                continue
            nxt = s[i]
            # Inside double quotes only `"`, `$` and the escape character itself are escaped;
            # otherwise the escape character stays (twice with raw escapes, as BuildKit does).
            if nxt == '"' or nxt == "$" or nxt == esc:
                ch = nxt
                i += 1
            out.append(ch)

    def name(self) -> str:
        """A variable name at the position: letters, digits, `_`; or digits; or one special."""
        s, n, i = self.s, self.n, self.i
        if i >= n:
            return ""
        ch = s[i]
        if ch.isdecimal():
            j = i + 1
            while j < n and s[j].isdecimal():
                j += 1
            self.i = j
            return s[i:j]
        if ch in _SPECIAL_PARAMS:
            self.i = i + 1
            return ch
        m = _ASCII_NAME.match(s, i)
        j = m.end() if m is not None else i
        # Beyond ASCII, Go's unicode.IsLetter/IsDigit are Python's isalpha/isdecimal.
        while j < n and (s[j].isalpha() or s[j].isdecimal() or s[j] == "_"):
            j += 1
        self.i = j
        return s[i:j]

    def next_char(self) -> str:
        i = self.i
        if i >= self.n:
            return ""
        self.i = i + 1
        return self.s[i]

    def nested(self, stop: str, raw_escapes: bool, at_end: str) -> str:
        try:
            return self.stop_on(stop, raw_escapes)
        except _Fail:
            if self.i >= self.n:
                raise _Fail(at_end) from None
            raise

    def dollar(self) -> str:
        s, n = self.s, self.n
        self.i += 1
        if self.i >= n or s[self.i] != "{":
            name = self.name()
            if not name:
                return "$"
            value = self.lookup(name)
            if value is None:
                return "$" + name if self.skip_unset else ""
            return value
        self.i += 1
        if self.i >= n:
            raise _Fail("syntax error: missing '}'")
        if s[self.i] in "{}:":
            raise _Fail("syntax error: bad substitution")
        name = self.name()
        ch = self.next_char()
        chs = ch or _BAD_RUNE
        if ch == "}":
            value = self.lookup(name)
            if value is None:
                return "${" + name + "}" if self.skip_unset else ""
            return value
        if ch == ":" or ch in _MODIFIERS:
            null_is_unset = ch == ":"
            if null_is_unset:
                ch = self.next_char()
                chs += ch or _BAD_RUNE
            trims = ch == "#" or ch == "%"
            if null_is_unset and trims:
                raise _Fail(f"unsupported modifier ({chs}) in substitution")
            word = self.nested("}", trims, "syntax error: missing '}'")
            value = self.lookup(name)
            if value is None and self.skip_unset:
                return "${" + name + chs + word + "}"
            return self.modify(name, ch, chs, word, value, null_is_unset)
        if ch == "/":
            replace_all = self.i < n and s[self.i] == "/"
            if replace_all:
                self.i += 1
            pat = self.nested("/", True, "syntax error: missing '/' in ${}")
            repl = self.nested("}", True, "syntax error: missing '}'")
            value = self.lookup(name)
            if value is None and self.skip_unset:
                return "${" + name + "/" + pat + "/" + repl + "}"
            try:
                return _pattern.replace(pat, value or "", repl, replace_all)
            except _pattern.PatternError as err:
                raise _Fail(str(err)) from None
        raise _Fail(f"unsupported modifier ({chs}) in substitution")

    @staticmethod
    def modify(name: str, op: str, chs: str, word: str, value: str | None, null_is_unset: bool) -> str:
        """Apply `${name<op>word}` to the variable's value (None when unset)."""
        empty = value is None or (null_is_unset and value == "")
        if op == "-":
            return word if empty else value  # type: ignore[return-value]
        if op == "+":
            return "" if empty else word
        if op == "?":
            if value is None:
                raise _Fail(f"{name}: {word or 'is not allowed to be unset'}")
            if empty:
                raise _Fail(f"{name}: {word or 'is not allowed to be empty'}")
            return value
        if op == "#" or op == "%":
            # `##` and `%%` arrive as a word starting with the operator: the longest match.
            greedy = word.startswith(op)
            if greedy:
                word = word[1:]
            try:
                if op == "%":
                    return _pattern.trim_suffix(word, value or "", greedy)
                return _pattern.trim_prefix(word, value or "", greedy)
            except _pattern.PatternError as err:
                raise _Fail(str(err)) from None
        raise _Fail(f"unsupported modifier ({chs}) in substitution")

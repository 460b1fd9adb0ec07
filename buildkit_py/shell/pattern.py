"""Shell-glob patterns of `${V#p}`, `${V%p}` and `${V/p/r}`, matched the way BuildKit matches them.

BuildKit turns a pattern into a regular expression (`*` any run, `?` one character, `\\` quotes
`*`, `?` and `\\`, and is dropped before `}` or `/`; no bracket expressions) and then uses Go's
leftmost-first regexp engine; Python's `re` has the same leftmost-first semantics for these
expressions. The shortest/longest *suffix* is found by reversing both pattern and value.
"""
from __future__ import annotations

import re
from functools import lru_cache

_BOM = "\ufeff"
_BAD_RUNE = "\ufffd"  # what Go prints for the end-of-input rune


class PatternError(ValueError):
    """A pattern BuildKit rejects; the text is BuildKit's reason."""


@lru_cache(maxsize=512)
def compile_pattern(pattern: str, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """The regular expression for a shell pattern; `greedy` picks longest `*` runs."""
    # Go's text/scanner skips one byte-order mark at the very start of its input.
    if pattern.startswith(_BOM):
        pattern = pattern[1:]
    star = ".*" if greedy else ".*?"
    out: list[str] = ["^"] if anchored else []
    last_star = False
    i, n = 0, len(pattern)
    while i < n:
        tok = pattern[i]
        i += 1
        if tok == "*":
            # Consecutive stars match what one star matches; collapsing them keeps
            # Python's backtracking from going polynomial on patterns like `****x`.
            if not last_star:
                out.append(star)
            last_star = True
            continue
        last_star = False
        if tok == "?":
            out.append(".")
            continue
        if tok == "\\":
            nxt = pattern[i] if i < n else ""
            if nxt == "}" or nxt == "/":
                continue  # the escape only kept the `}`/`/` out of the ${...} syntax
            if not nxt:
                raise PatternError(f"invalid escape '\\{_BAD_RUNE}'")
            i += 1
            if nxt not in ("*", "?", "\\"):
                raise PatternError(f"invalid escape '\\{nxt}'")
            out.append("\\" + nxt)
            continue
        out.append(re.escape(tok))
    return re.compile("".join(out))


def reverse_pattern(pattern: str) -> str:
    """Reverse a pattern, keeping each `\\x` escape pair in order (`a\\*c` -> `c\\*a`)."""
    out = [""] * len(pattern)
    last = len(pattern) - 1
    i = 0
    while i <= last:
        tok = pattern[i]
        j = last - i
        if tok == "\\" and i != last:
            out[j - 1] = tok
            out[j] = pattern[i + 1]
            i += 2
        else:
            out[j] = tok
            i += 1
    return "".join(out)


def trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    """`${V#p}` / `${V##p}`: drop the shortest (longest) prefix matching `pattern`."""
    try:
        rx = compile_pattern(pattern, greedy, True)
    except PatternError as err:
        raise PatternError(f"invalid pattern ({pattern}) in substitution: {err}") from None
    m = rx.search(value)
    return value[m.end():] if m else value


def trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    """`${V%p}` / `${V%%p}`: drop the shortest (longest) suffix matching `pattern`."""
    # A leftmost regexp search cannot find the shortest rightmost match, so search the reversed text.
    return trim_prefix(reverse_pattern(pattern), value[::-1], greedy)[::-1]


def replace(pattern: str, value: str, replacement: str, replace_all: bool) -> str:
    """`${V/p/r}` and `${V//p/r}` (longest matches; `$0` in an all-replacement is the match, as in Go)."""
    try:
        rx = compile_pattern(pattern, True, False)
    except PatternError as err:
        raise PatternError(f"invalid pattern ({pattern}) in substitution: {err}") from None
    if not replace_all:
        m = rx.search(value)
        if m is None:
            return value
        return value[: m.start()] + replacement + value[m.end():]
    return _go_replace_all(rx, value, replacement)


def _go_replace_all(rx: re.Pattern[str], src: str, template: str) -> str:
    # Go's ReplaceAllString: an empty match right after a previous match is not replaced
    # (Python's re.sub does replace it), and the template expands `$name` references.
    out: list[str] = []
    last_end = 0
    pos = 0
    n = len(src)
    while pos <= n:
        m = rx.search(src, pos)
        if m is None:
            break
        start, end = m.span()
        out.append(src[last_end:start])
        if end > last_end or start == 0:
            out.append(_go_expand(template, m.group(0)) if "$" in template else template)
        last_end = end
        width = 1 if pos < n else 0
        if pos + width > end:
            pos += width
        elif pos + 1 > end:
            pos += 1
        else:
            pos = end
    out.append(src[last_end:])
    return "".join(out)


def _go_expand(template: str, match: str) -> str:
    # Go's Regexp.Expand with a pattern that has no groups: `$$` is `$`, `$0`/`${0}` the whole
    # match, any other well-formed reference is empty, a malformed one stays literal.
    out: list[str] = []
    rest = template
    while rest:
        before, sep, after = rest.partition("$")
        if not sep:
            break
        out.append(before)
        rest = after
        if rest.startswith("$"):
            out.append("$")
            rest = rest[1:]
            continue
        parsed = _extract(rest)
        if parsed is None:
            out.append("$")
            continue
        num, rest = parsed
        if num == 0:
            out.append(match)
    out.append(rest)
    return "".join(out)


def _extract(s: str) -> tuple[int, str] | None:
    """A `name` or `{name}` reference at the start of `s`: (group number or -1, the rest)."""
    if not s:
        return None
    brace = s[0] == "{"
    if brace:
        s = s[1:]
    i = 0
    while i < len(s) and (s[i].isalpha() or s[i].isdecimal() or s[i] == "_"):
        i += 1
    if i == 0:
        return None
    name = s[:i]
    if brace:
        if i >= len(s) or s[i] != "}":
            return None
        i += 1
    num = 0
    for ch in name:
        if not ("0" <= ch <= "9") or num >= 100_000_000:
            num = -1
            break
        num = num * 10 + ord(ch) - 48
    if name[0] == "0" and len(name) > 1:
        num = -1
    return num, s[i:]

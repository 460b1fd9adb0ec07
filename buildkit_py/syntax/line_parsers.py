"""How BuildKit reads one logical line: the keyword, the `--flags`, then arguments per instruction.

Each instruction has its own argument syntax (JSON or shell form, `k=v` pairs, whitespace
separated words, ONBUILD's nested instruction). These functions give the same strings that
BuildKit's parser puts in its node tree; the typed AST is built on top of them.
"""
from __future__ import annotations

import json
import re

from ..records import dataclass, maker
from .errors import DockerfileSyntaxError

# Go's unicode.IsSpace. Python's str.isspace also counts \x1c-\x1f, which Go does not.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_GO_SPACE_SET = frozenset(GO_SPACE)
# BuildKit splits words on this narrower set (no newline, no Unicode spaces).
_RE_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
# Bytes that Go's unicode.IsSpace(rune(b)) accepts when a loop walks bytes, not runes.
_BYTE_SPACE = frozenset(b"\t\n\v\f\r \x85\xa0")


@dataclass(frozen=True, slots=True)
class LineSplit:
    """A logical line as BuildKit's parser reads it: keyword, flags, and the arguments as its node has them."""

    keyword: str
    flags: tuple[str, ...]
    rest: str
    args: tuple[str, ...]
    json: bool = False
    child: "LineSplit | None" = None  # ONBUILD's instruction


# What an instruction's argument parser gives: (args, JSON form, ONBUILD's instruction). A plain
# tuple, not a node: LineSplit holds the three, and this runs for every instruction.
Parsed = tuple[tuple[str, ...], bool, "LineSplit | None"]


class LineError(Exception):
    """An argument error; the caller adds the place."""


def trim_space(s: str) -> str:
    return s.strip(GO_SPACE)


def split_command(line: str, escape: str) -> tuple[str, tuple[str, ...], str]:
    """Keyword, flags and the rest of a logical line (BuildKit's splitCommand)."""
    line = line.strip(GO_SPACE)
    keyword, _, rest = line.partition(" ")
    # the usual line: a keyword of letters (so no white space in it), one space, no flags
    if keyword.isalpha() and rest[:1] not in _GO_SPACE_SET and rest[:2] != "--":
        return keyword, (), rest.strip(GO_SPACE)
    parts = _RE_WHITESPACE.split(line, maxsplit=1)
    if len(parts) < 2:
        return parts[0], (), ""
    rest = parts[1]
    if rest[:2] != "--" and rest[:1] not in _GO_SPACE_SET:  # no flags: most lines, without the byte walk
        return parts[0], (), trim_space(rest)
    rest, flags = extract_flags(rest, escape)
    return parts[0], flags, trim_space(rest)


# A word of an ASCII line, as the byte walk below splits them.
_ASCII_WORD = re.compile(r"[^\t\n\v\f\r ]+")


def extract_flags(line: str, escape: str) -> tuple[str, tuple[str, ...]]:
    """Leading `--name[=value]` words; `--` ends them. Walks bytes, as BuildKit does."""
    stripped = line.lstrip(GO_SPACE)
    if not stripped.startswith("--"):
        return line, ()
    if line.isascii():  # bytes are characters: plain flags (no quotes, no escapes) are its words
        flags: list[str] = []
        for m in _ASCII_WORD.finditer(line):
            word = m.group()
            if word[:2] != "--":
                return line[m.start():], tuple(flags)
            if "'" in word or '"' in word or escape in word:
                break  # the walk below takes quotes and escapes apart
            if word == "--":
                return line[m.end():], tuple(flags)
            flags.append(word)
        else:
            return "", tuple(flags)
    data = line.encode("utf-8", "surrogateescape")
    esc = ord(escape)
    words: list[str] = []
    word = bytearray()
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    quote = 0
    blank_ok = False
    pos = 0
    n = len(data)
    while pos <= n:
        ch = data[pos] if pos < n else 0
        if phase == in_spaces:
            if pos == n:
                break
            if ch in _BYTE_SPACE:
                pos += 1
                continue
            if ch != 0x2D or pos + 1 == n or data[pos + 1] != 0x2D:
                return data[pos:].decode("utf-8", "surrogateescape"), tuple(words)
            phase = in_word
        if pos == n:  # in a word or a quote at the end of input
            text = word.decode("utf-8", "surrogateescape")
            if text != "--" and (blank_ok or text):
                words.append(text)
            break
        if phase == in_word:
            if ch in _BYTE_SPACE:
                text = word.decode("utf-8", "surrogateescape")
                phase = in_spaces
                if text == "--":
                    return data[pos:].decode("utf-8", "surrogateescape"), tuple(words)
                if blank_ok or text:
                    words.append(text)
                word.clear()
                blank_ok = False
                pos += 1
                continue
            if ch in (0x27, 0x22):
                quote = ch
                blank_ok = True
                phase = in_quote
                pos += 1
                continue
            if ch == esc:
                if pos + 1 == n:
                    pos += 1
                    continue
                pos += 1
                ch = data[pos]
            word.append(ch)
            pos += 1
            continue
        # in a quote
        if ch == quote:
            phase = in_word
            pos += 1
            continue
        if ch == esc:
            if pos + 1 == n:
                phase = in_word
                pos += 1
                continue
            pos += 1
            ch = data[pos]
        word.append(ch)
        pos += 1
    return "", tuple(words)


_GO_FIELDS = re.compile(f"[^{GO_SPACE}]+")


def _word_pattern(escape: str) -> re.Pattern[str]:
    """A word as BuildKit's parseWords reads one: plain characters, an escape character with the one
    after it, and quoted stretches (an escape character escapes inside double quotes only)."""
    e = re.escape(escape)
    return re.compile(rf"((?:[^{GO_SPACE}'\"{e}]|{e}[\s\S]|'[^']*'|\"(?:[^\"{e}]|{e}[\s\S])*\")+)")


_WORDS = {esc: _word_pattern(esc) for esc in ("\\", "`")}


def parse_words(rest: str, escape: str) -> list[str]:
    """Space-separated words, quotes kept (they are removed later by expansion)."""
    if escape not in rest and "'" not in rest and '"' not in rest:
        return _GO_FIELDS.findall(rest)
    parts = _WORDS[escape].split(rest)  # between the words: only white space, unless a quote is
    if not "".join(parts[::2]).strip(GO_SPACE):  # left open or the text ends in the escape character
        return parts[1::2]
    words: list[str] = []
    buf: list[str] = []
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    quote = ""
    blank_ok = False
    i = 0
    n = len(rest)
    while i <= n:
        ch = rest[i] if i < n else ""
        if phase == in_spaces:
            if i == n:
                break
            if ch in _GO_SPACE_SET:
                i += 1
                continue
            phase = in_word
        if i == n:
            if blank_ok or buf:
                words.append("".join(buf))
            break
        if phase == in_word:
            if ch in _GO_SPACE_SET:
                phase = in_spaces
                if blank_ok or buf:
                    words.append("".join(buf))
                buf.clear()
                blank_ok = False
                i += 1
                continue
            if ch in "'\"":
                quote = ch
                blank_ok = True
                phase = in_quote
            if ch == escape:
                if i + 1 == n:
                    i += 1
                    continue
                # an escaped character, even a quote, stays in the word with its escape
                buf.append(ch)
                i += 1
                ch = rest[i]
            buf.append(ch)
            i += 1
            continue
        # in a quote
        if ch == quote:
            phase = in_word
        if ch == escape and quote != "'":
            if i + 1 == n:
                phase = in_word
                i += 1
                continue
            i += 1
            buf.append(ch)
            ch = rest[i]
        buf.append(ch)
        i += 1
    return words


def _reject_constant(name: str) -> None:
    raise ValueError(name)  # Go's encoding/json has no NaN or Infinity


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)  # type: ignore[arg-type]


class _NotStrings(Exception):
    pass


# A JSON array of strings without escapes (nearly every exec form), read without the JSON decoder.
_JSON_WS = "[ \t\n\r]*"
_PLAIN_STRING = r'"[^"\\\x00-\x1f]*"'
_PLAIN_ARRAY = re.compile(
    rf"\[{_JSON_WS}(?:{_PLAIN_STRING}{_JSON_WS}(?:,{_JSON_WS}{_PLAIN_STRING}{_JSON_WS})*)?\]{_JSON_WS}\Z")
_PLAIN_STRINGS = re.compile(r'"([^"\\\x00-\x1f]*)"')


def parse_json(rest: str) -> tuple[str, ...] | None:
    """A JSON array of strings, or None when `rest` is not a JSON array at all."""
    rest = rest.lstrip(GO_SPACE)
    if not rest.startswith("["):
        return None
    if _PLAIN_ARRAY.match(rest):
        return tuple(_PLAIN_STRINGS.findall(rest))
    try:
        value = _DECODER.decode(rest)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        raise LineError("when using JSON array syntax, arrays must be comprised of strings only")
    return tuple(value)


def _maybe_json(rest: str, escape: str) -> Parsed:
    if rest == "":
        return (), False, None
    arr = parse_json(rest)
    if arr is not None:
        return arr, True, None
    return (rest,), False, None


def _maybe_json_to_list(rest: str, escape: str) -> Parsed:
    arr = parse_json(rest)
    if arr is not None:
        return arr, True, None
    return _whitespace_delimited(rest, escape)


def _whitespace_delimited(rest: str, escape: str) -> Parsed:
    if rest == "":
        return (), False, None
    return tuple(_RE_WHITESPACE.split(rest)), False, None


def _string(rest: str, escape: str) -> Parsed:
    return ((rest,) if rest else ()), False, None


def _name_val(rest: str, escape: str, key: str) -> Parsed:
    if not rest:
        return (), False, None
    if rest.isascii() and escape not in rest and "'" not in rest and '"' not in rest:
        # words are split at white space alone: the first decides between `k v` and `k=v ...`
        name, space, value = rest.partition(" ")
        if space and "=" not in name and name.isprintable():  # (no tab or other white space in the name)
            return _legacy_name_val([name, value.lstrip(" \t\v\f\r")], key)  # the usual `ENV name value`
        first_and_rest = _RE_WHITESPACE.split(rest, maxsplit=1)
        if "=" not in first_and_rest[0]:
            return _legacy_name_val(first_and_rest, key)
        words = first_and_rest[:1]
        if len(first_and_rest) > 1:
            words += _GO_FIELDS.findall(first_and_rest[1])
    else:
        words = parse_words(rest, escape)
        if not words:
            return (), False, None
        if "=" not in words[0]:
            return _legacy_name_val(_RE_WHITESPACE.split(rest, maxsplit=1), key)
    out: list[str] = []
    for word in words:
        k, eq, v = word.partition("=")
        if not eq:
            raise LineError(
                f"Syntax error - can't find = in {json.dumps(word)}. Must be of the form: name=value"
            )
        out += (k, v, "=")
    return tuple(out), False, None


def _legacy_name_val(first_and_rest: list[str], key: str) -> Parsed:
    """`ENV name value`: the name, and everything after the white space that follows it (the line split
    once at its first white space)."""
    if len(first_and_rest) < 2:
        raise LineError(f"{key} must have two arguments")
    return (first_and_rest[0], first_and_rest[1], ""), False, None


def _env(rest: str, escape: str) -> Parsed:
    return _name_val(rest, escape, "ENV")


def _label(rest: str, escape: str) -> Parsed:
    return _name_val(rest, escape, "LABEL")


def _name_or_name_val(rest: str, escape: str) -> Parsed:
    return tuple(parse_words(rest, escape)), False, None


def _health(rest: str, escape: str) -> Parsed:
    data = rest.encode("utf-8", "surrogateescape")
    sep = 0
    while sep < len(data) and data[sep] not in _BYTE_SPACE:
        sep += 1
    nxt = sep
    while nxt < len(data) and data[nxt] in _BYTE_SPACE:
        nxt += 1
    if sep == 0:
        return (), False, None
    typ = data[:sep].decode("utf-8", "surrogateescape")
    args, is_json, _ = _maybe_json(data[nxt:].decode("utf-8", "surrogateescape"), escape)
    return (typ,) + args, is_json, None


def _ignore(rest: str, escape: str) -> Parsed:
    return ("",), False, None


def _onbuild(rest: str, escape: str) -> Parsed:
    if rest == "":
        return (), False, None
    return (), False, split_line(rest, escape)


DISPATCH = {
    "add": _maybe_json_to_list,
    "arg": _name_or_name_val,
    "cmd": _maybe_json,
    "copy": _maybe_json_to_list,
    "entrypoint": _maybe_json,
    "env": _env,
    "expose": _whitespace_delimited,
    "from": _whitespace_delimited,
    "healthcheck": _health,
    "label": _label,
    "maintainer": _string,
    "onbuild": _onbuild,
    "run": _maybe_json,
    "shell": _maybe_json,
    "stopsignal": _string,
    "user": _string,
    "volume": _maybe_json_to_list,
    "workdir": _string,
}


# ... looked up as written first: keywords are nearly always all upper case (or all lower case)
_BY_KEYWORD = {**DISPATCH, **{k.upper(): v for k, v in DISPATCH.items()}}


def split_line(line: str, escape: str) -> LineSplit:
    """A logical line as BuildKit's parser reads it. Raises LineError for bad arguments."""
    keyword, flags, rest = split_command(line, escape)
    parser = _BY_KEYWORD.get(keyword)
    if parser is None:  # a keyword in mixed case, or not an instruction
        parser = DISPATCH.get(keyword.lower(), _ignore)
    args, is_json, child = parser(rest, escape)
    return _new_split(keyword, flags, rest, args, is_json, child)


_new_split = maker(LineSplit)  # positional, without __init__'s defaults: one per instruction


__all__ = ["DockerfileSyntaxError", "LineError", "LineSplit", "Parsed", "split_line", "parse_words"]

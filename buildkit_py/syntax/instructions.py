"""BuildKit's node tree → typed instructions, with the checks of its `instructions` package."""
from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import Span
from ..records import maker
from . import ast as A
from .errors import DockerfileSyntaxError
from .flags import FlagError, FlagSpec, parse_duration, parse_flags
from .heredoc import Heredoc, parse_heredoc
from .line_parsers import GO_SPACE, LineError, LineSplit
from .raw import RawInstruction

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from typing import Any

_STAGE_NAME = re.compile(r"[a-z][a-z0-9\-_.]*\Z")
_ONBUILD_PREFIX = re.compile(r"(?i)^\s*ONBUILD\s*")
_S, _B, _SS = "string", "bool", "strings"
_FLAGS: dict[str, tuple[FlagSpec, ...]] = {
    "ADD": (FlagSpec("chown", _S), FlagSpec("chmod", _S), FlagSpec("link", _B),
            FlagSpec("keep-git-dir", _B), FlagSpec("checksum", _S), FlagSpec("unpack", _B),
            FlagSpec("exclude", _SS)),
    "COPY": (FlagSpec("chown", _S), FlagSpec("from", _S), FlagSpec("chmod", _S),
             FlagSpec("link", _B), FlagSpec("exclude", _SS), FlagSpec("parents", _B)),
    "FROM": (FlagSpec("platform", _S),),
    "RUN": (FlagSpec("mount", _SS), FlagSpec("network", _S), FlagSpec("security", _S),
            FlagSpec("device", _SS)),
    "HEALTHCHECK": (FlagSpec("interval", _S), FlagSpec("timeout", _S), FlagSpec("start-period", _S),
                    FlagSpec("start-interval", _S), FlagSpec("retries", _S)),
}
NETWORK_MODES = ("default", "none", "host")
SECURITY_MODES = ("sandbox", "insecure")
INSTRUCTION_NAMES = tuple(sorted(A.INSTRUCTION_CLASSES))


class InstructionError(Exception):
    """An instruction BuildKit rejects; the builder adds the place."""

    def __init__(self, message: str, hint: str | None = None, at: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.at = at  # offsets in the logical line, when the error is about one part of it


def syntax_error(raw: RawInstruction, err: InstructionError, path: str | None, source: str) -> DockerfileSyntaxError:
    """The error to show for an instruction `node` rejected: with its place in the file."""
    span = raw.span_of(*err.at) if err.at else raw.span
    return DockerfileSyntaxError(str(err), span=span, path=path, source=source, hint=err.hint)


class _Ctx:
    """What every instruction builder needs: the raw node, and offsets of its words. (Made by
    `_context`: a class without __init__ is made without a call into Python code.)"""

    __slots__ = ("raw", "split", "line", "cursor")
    raw: RawInstruction
    split: LineSplit
    line: str
    cursor: int

    def find(self, text: str) -> tuple[int, int]:
        """Offsets of `text` at or after the cursor (an approximation when quotes were removed)."""
        i = self.line.find(text, self.cursor) if text else -1
        if i < 0:
            return self.cursor, self.cursor
        self.cursor = i + len(text)
        return i, i + len(text)

    def flags(self, name: str, *, parse: bool = True) -> tuple[A.Flag, ...]:
        raw_flags = self.split.flags
        if not raw_flags:  # most instructions
            return ()
        out = []
        specs = _FLAGS.get(name, ())
        try:
            checked = parse_flags(raw_flags, specs) if parse else [
                (t[2:].partition("=")[0], t.partition("=")[2] if "=" in t else None, t) for t in raw_flags
            ]
        except FlagError as err:
            start, end = self.find(err.flag or "")
            self.cursor = 0
            raise InstructionError(str(err), err.hint, (start, end) if end > start else None) from None
        for fname, value, text in checked:
            start, end = self.find(text.split("=", 1)[0])
            if value is not None:
                end = self.find(value)[1] if value else end + 1
            out.append(_new_flag(fname, value, text, start, end))
        return tuple(out)

    def words(self, values: tuple[str, ...]) -> tuple[A.Word, ...]:
        out = []
        line = self.line
        cursor = self.cursor
        for v in values:  # find(), inlined: this runs for every argument of every instruction
            n = len(v)
            if n > 40 and line.endswith(v) and not line[cursor : len(line) - n].strip(GO_SPACE):
                # the rest of the line (a shell-form command, usually long): after the cursor there is
                # only white space before it, where it cannot start, so this is where find() finds it
                if v[0] not in GO_SPACE:
                    i = len(line) - n
                    cursor = i + n
                    out.append(_new_word(v, i, cursor))
                    continue
            i = line.find(v, cursor) if n else -1
            if i < 0:
                out.append(_new_word(v, cursor, cursor))
            else:
                cursor = i + n
                out.append(_new_word(v, i, cursor))
        self.cursor = cursor
        return tuple(out)

    def make(self, cls: type[A.Instruction], flags: tuple[A.Flag, ...], args: tuple[A.Word, ...], *fields: Any) -> Any:
        """The instruction node: what every instruction has, then the values of the class's own fields
        in the order the class declares them (ast.py)."""
        raw = self.raw
        split = self.split
        make = _MAKERS.get(cls)
        if make is None:  # the first of its kind
            make = _MAKERS[cls] = maker(cls)
        return make(split.keyword, flags, args, split.json, raw.span, raw, *fields)


def _context(raw: RawInstruction) -> _Ctx:
    c = _Ctx()
    c.raw = raw
    c.split = split = raw.split
    c.line = line = raw.line
    # past the keyword (at the start of the line, but for an ONBUILD trigger's)
    keyword = split.keyword
    if line.startswith(keyword):
        c.cursor = len(keyword)
    else:
        i = line.find(keyword)
        c.cursor = i + len(keyword) if i >= 0 and keyword else 0
    return c


# Nodes made positionally (records.maker): a keyword-only __init__ with defaults costs four times as
# much, and the parser makes one node per instruction and a few words, pairs and flags.
# Each instruction class's is made when the first of its kind is (a one-line file needs one).
_MAKERS: dict[type, Any] = {}
_new_word = maker(A.Word)
_new_pair = maker(A.KeyValue)
_new_flag = maker(A.Flag)
_new_argdef = maker(A.ArgDef)


def _first(flags: tuple[A.Flag, ...], name: str) -> str | None:
    value = None
    for f in flags:
        if f.name == name:
            value = f.value
    return value


def _bool(flags: tuple[A.Flag, ...], name: str) -> bool | None:
    value = None
    for f in flags:
        if f.name == name:
            value = f.bool_value()
    return value


def _all(flags: tuple[A.Flag, ...], name: str) -> tuple[str, ...]:
    return tuple(f.value or "" for f in flags if f.name == name)


# ---- one builder per instruction ---------------------------------------------------------

def _from(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    if len(args) == 3 and args[1].lower() == "as":
        if not _STAGE_NAME.match(args[2].lower()):
            raise InstructionError(
                f'invalid name for build stage: "{args[2]}", name can\'t start with a number or contain symbols',
                "stage names are lower-case letters, digits, '-', '_' and '.', starting with a letter",
            )
    elif len(args) != 1:
        raise InstructionError("FROM requires either one or three arguments", "write FROM IMAGE [AS NAME]")
    flags = c.flags("FROM")
    words = c.words(args)
    named = len(args) == 3
    return c.make(A.From, flags, words, args[0], args[2] if named else None, args[1] if named else None,
                  _first(flags, "platform"))


def _kvps(c: _Ctx, args: tuple[str, ...], cmd: str) -> tuple[tuple[A.Word, ...], tuple[A.KeyValue, ...]]:
    if not args:
        raise InstructionError(f"{cmd} requires at least one argument", f"write {cmd} KEY=VALUE")
    pairs = []
    words = []
    line = c.line
    cursor = c.cursor
    for j in range(0, len(args) - 2, 3):  # (key, value, "=" or "" for the legacy `KEY VALUE`) each
        key, value, delim = args[j], args[j + 1], args[j + 2]
        if not key:
            raise InstructionError(f"{cmd} names can not be blank")
        # c.find(key), then c.find(value), inlined: ENV is the most common instruction
        n_key = len(key)
        i = line.find(key, cursor)
        if i >= 0:
            cursor = i + n_key
        start = cursor - n_key if i >= 0 else cursor
        if value:
            i = line.find(value, cursor)
            if i >= 0:
                cursor = i + len(value)
            end = cursor
        else:
            end = start + n_key + len(delim)
        if end < start + n_key:
            end = start + n_key
        pairs.append(_new_pair(key, value, delim == "", start, end))
        words.append(_new_word(key, start, start + n_key))
        words.append(_new_word(value, end - len(value), end))
    c.cursor = cursor
    return tuple(words), tuple(pairs)


def _env(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    flags = c.flags("ENV")
    words, pairs = _kvps(c, args, "ENV")
    return c.make(A.Env, flags, words, pairs)


def _label(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    flags = c.flags("LABEL")
    words, pairs = _kvps(c, args, "LABEL")
    return c.make(A.Label, flags, words, pairs)


def _arg(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    if not args:
        raise InstructionError("ARG requires at least one argument", "write ARG NAME[=DEFAULT]")
    flags = c.flags("ARG", parse=False)  # BuildKit does not check ARG's flags
    defs = []
    words = c.words(args)
    for w in words:
        key, eq, value = w.value.partition("=")
        if eq and not key:
            raise InstructionError("ARG names can not be blank", at=(w.start, w.end))
        defs.append(_new_argdef(key, value if eq else None, w.start, w.end))
    return c.make(A.Arg, flags, words, tuple(defs))


def _sources_and_dest(c: _Ctx, args: tuple[str, ...], cmd: str) -> tuple[tuple[str, ...], tuple[A.SourceContent, ...], str]:
    """(sources, heredoc contents, destination): the first fields of COPY and ADD."""
    if len(args) < 2:
        hint = None
        if len(args) == 1 and args[0].endswith(".") and len(args[0]) > 1:
            hint = f"did you mean `{cmd} {args[0][:-1]} .`? (a space is missing before the destination)"
        raise InstructionError(
            f"{cmd} requires at least two arguments, but only one was provided. Destination could not be determined",
            hint or f"write {cmd} SOURCE... DESTINATION",
        )
    dest = args[-1]
    if _heredoc(dest) is not None:
        raise InstructionError(f"{cmd} cannot accept a heredoc as a destination")
    bodies = {h.name: h for h in c.raw.heredocs}
    sources, contents = [], []
    for src in args[:-1]:
        doc = _heredoc(src)
        if doc is not None:
            h = bodies.get(doc.name)
            data = (h.body if h is not None and doc.chomp else h.content if h is not None else "")
            contents.append(A.SourceContent(doc.name, data, doc.expand))
        else:
            sources.append(src)
    return tuple(sources), tuple(contents), dest


def _heredoc(word: str) -> Heredoc | None:
    """The heredoc a COPY or ADD word opens, or None; a word BuildKit cannot read (`<<'EOF`) is an error."""
    try:
        return parse_heredoc(word)
    except LineError as err:
        raise InstructionError(str(err), "close the quotes around the heredoc's name") from None


def _copy(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    if len(args) < 2:
        _sources_and_dest(c, args, "COPY")
    flags = c.flags("COPY")
    words = c.words(args)
    return c.make(A.Copy, flags, words, *_sources_and_dest(c, args, "COPY"), _first(flags, "chown"),
                  _first(flags, "chmod"), bool(_bool(flags, "link")), _all(flags, "exclude"),
                  _first(flags, "from"), bool(_bool(flags, "parents")))


def _add(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    if len(args) < 2:
        _sources_and_dest(c, args, "ADD")
    flags = c.flags("ADD")
    words = c.words(args)
    return c.make(A.Add, flags, words, *_sources_and_dest(c, args, "ADD"), _first(flags, "chown"),
                  _first(flags, "chmod"), bool(_bool(flags, "link")), _all(flags, "exclude"),
                  _bool(flags, "keep-git-dir"), _first(flags, "checksum"), _bool(flags, "unpack"))


def _one(c: _Ctx, args: tuple[str, ...], cmd: str, usage: str) -> tuple[tuple[A.Flag, ...], tuple[A.Word, ...]]:
    if len(args) != 1:
        raise InstructionError(f"{cmd} requires exactly one argument", f"write {cmd} {usage}")
    flags = c.flags(cmd)
    return flags, c.words(args)


def _workdir(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    flags, words = _one(c, args, "WORKDIR", "PATH")
    return c.make(A.Workdir, flags, words, args[0])


def _user(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    flags, words = _one(c, args, "USER", "USER[:GROUP]")
    return c.make(A.User, flags, words, args[0])


def _maintainer(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    flags, words = _one(c, args, "MAINTAINER", "NAME")
    return c.make(A.Maintainer, flags, words, args[0])


def _stopsignal(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    if len(args) != 1:
        raise InstructionError("STOPSIGNAL requires exactly one argument", "write STOPSIGNAL SIGTERM")
    flags = c.flags("STOPSIGNAL", parse=False)  # BuildKit ignores STOPSIGNAL's flags
    return c.make(A.StopSignal, flags, c.words(args), args[0])


def _expose(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    if not args:
        raise InstructionError("EXPOSE requires at least one argument", "write EXPOSE PORT[/PROTOCOL]...")
    flags = c.flags("EXPOSE")
    return c.make(A.Expose, flags, c.words(args), args)


def _volume(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    if not args:
        raise InstructionError("VOLUME requires at least one argument", "write VOLUME PATH...")
    flags = c.flags("VOLUME")
    vols = []
    for v in args:
        v = v.strip()
        if not v:
            raise InstructionError("VOLUME specified can not be an empty string")
        vols.append(v)
    return c.make(A.Volume, flags, c.words(args), tuple(vols))


def _run(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    flags = c.flags("RUN")
    if not flags:
        return c.make(A.Run, flags, c.words(args), args, (), None, None, ())
    network = _first(flags, "network")
    if network is not None and network not in NETWORK_MODES:
        raise InstructionError(f'invalid network mode "{network}"', f"use one of: {', '.join(NETWORK_MODES)}")
    security = _first(flags, "security")
    if security is not None and security not in SECURITY_MODES:
        raise InstructionError(f'security "{security}" is not valid', f"use one of: {', '.join(SECURITY_MODES)}")
    mounts = _all(flags, "mount")
    if mounts:
        from .mounts import MountError, check_mount_from

        for m in mounts:
            try:
                check_mount_from(m)
            except MountError as err:
                raise InstructionError(str(err), err.hint) from None
    return c.make(A.Run, flags, c.words(args), args, mounts, network, security, _all(flags, "device"))


def _cmd(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    flags = c.flags("CMD")
    return c.make(A.Cmd, flags, c.words(args), args)


def _entrypoint(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    flags = c.flags("ENTRYPOINT")
    return c.make(A.Entrypoint, flags, c.words(args), args)


def _shell(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    flags = c.flags("SHELL")
    if not args:
        raise InstructionError("SHELL requires at least one argument", 'write SHELL ["/bin/sh", "-c"]')
    if not c.split.json:
        raise InstructionError(
            "SHELL requires the arguments to be in JSON form",
            f"write SHELL {_as_json(args[0])}",
        )
    return c.make(A.Shell, flags, c.words(args), args)


def _as_json(shell_form: str) -> str:
    import json

    return json.dumps(shell_form.split())


def _duration(flags: tuple[A.Flag, ...], name: str) -> float | None:
    value = _first(flags, name)
    if not value:
        return None
    try:
        seconds = parse_duration(value)
    except ValueError as err:
        raise InstructionError(str(err), "durations look like 30s, 1m30s or 500ms") from None
    if 0 < seconds < 0.001:
        raise InstructionError(f'Interval "{name}" cannot be less than 1ms')
    return seconds


def _healthcheck(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    if not args:
        raise InstructionError("HEALTHCHECK requires at least one argument", "write HEALTHCHECK CMD COMMAND or HEALTHCHECK NONE")
    typ = args[0].upper()
    rest = args[1:]
    if typ == "NONE":
        if rest:
            raise InstructionError("HEALTHCHECK NONE takes no arguments")
        flags = c.flags("HEALTHCHECK", parse=False)
        return c.make(A.Healthcheck, flags, c.words(args), ("NONE",), None, None, None, None, None)
    flags = c.flags("HEALTHCHECK")
    if typ != "CMD":
        raise InstructionError(f'Unknown type "{typ}" in HEALTHCHECK (try CMD)', "write HEALTHCHECK CMD COMMAND")
    if not rest:
        raise InstructionError("Missing command after HEALTHCHECK CMD")
    test = ("CMD",) + rest if c.split.json else ("CMD-SHELL",) + rest
    retries = _first(flags, "retries")
    n_retries = None
    if retries:
        try:
            n_retries = int(retries, 10)
        except ValueError:
            raise InstructionError(f'strconv.ParseInt: parsing "{retries}": invalid syntax') from None
        if n_retries < 0:
            raise InstructionError(f"--retries cannot be negative ({n_retries})")
    return c.make(
        A.Healthcheck, flags, c.words(args), test, _duration(flags, "interval"), _duration(flags, "timeout"),
        _duration(flags, "start-period"), _duration(flags, "start-interval"), n_retries,
    )


def _onbuild(c: _Ctx, args: tuple[str, ...]) -> A.Instruction:
    child = c.split.child
    if child is None:
        raise InstructionError("ONBUILD requires at least one argument", "write ONBUILD INSTRUCTION ARGS")
    flags = c.flags("ONBUILD")
    trigger = child.keyword.strip().upper()
    if trigger == "ONBUILD":
        raise InstructionError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
    if trigger in ("MAINTAINER", "FROM"):
        raise InstructionError(f"{trigger} isn't allowed as an ONBUILD trigger")
    expression = _ONBUILD_PREFIX.sub("", c.raw.line, count=1)
    for h in c.raw.heredocs:
        expression += "\n" + h.content + h.name
    inner_raw = _child_raw(c.raw)
    try:
        inner = node(inner_raw)
    except InstructionError:
        inner = None  # BuildKit checks a trigger only when a build runs it
    all_args = (child.keyword,) + child.args
    return c.make(A.Onbuild, flags, c.words(all_args), inner, expression)


def _child_raw(raw: RawInstruction) -> RawInstruction:
    from dataclasses import replace

    assert raw.split.child is not None
    return replace(raw, split=raw.split.child)


_BUILDERS: dict[str, Callable[[_Ctx, tuple[str, ...]], A.Instruction]] = {
    "FROM": _from, "ENV": _env, "LABEL": _label, "ARG": _arg, "COPY": _copy, "ADD": _add,
    "WORKDIR": _workdir, "USER": _user, "MAINTAINER": _maintainer, "STOPSIGNAL": _stopsignal,
    "EXPOSE": _expose, "VOLUME": _volume, "RUN": _run, "CMD": _cmd, "ENTRYPOINT": _entrypoint,
    "SHELL": _shell, "HEALTHCHECK": _healthcheck, "ONBUILD": _onbuild,
}


_BY_KEYWORD = {**_BUILDERS, **{k.lower(): v for k, v in _BUILDERS.items()}}  # as written, most often


def node(raw: RawInstruction) -> A.Instruction:
    """The typed instruction for `raw`. Raises InstructionError (without the place: see syntax_error)."""
    c = _context(raw)
    keyword = raw.split.keyword
    builder = _BY_KEYWORD.get(keyword)
    if builder is None:
        builder = _BUILDERS.get(keyword.upper())
    if builder is None:
        raise InstructionError(f"unknown instruction: {keyword}", _suggest(raw), (0, len(keyword)))
    return builder(c, raw.split.args)


def unknown(raw: RawInstruction) -> A.Unknown:
    """The node for an instruction BuildKit does not know (for non-strict parsing)."""
    return _context(raw).make(A.Unknown, (), (), suggest_line(raw))


def suggest_line(raw: RawInstruction) -> str | None:
    """The line the author most likely meant: `COPY. /app` → `COPY . /app`, `FORM x` → `FROM x`."""
    kw = raw.split.keyword
    upper = kw.upper()
    rest = raw.line.strip()[len(kw):]
    for name in sorted(INSTRUCTION_NAMES, key=len, reverse=True):
        if upper.startswith(name) and len(upper) > len(name) and not upper[len(name)].isalpha():
            return f"{kw[:len(name)]} {kw[len(name):]}{rest}"
    import difflib  # for a did-you-mean only: kept off the start-up path
    close = difflib.get_close_matches(upper, INSTRUCTION_NAMES, n=1, cutoff=0.6)
    if close:
        fixed = close[0] if kw.isupper() or not kw.islower() else close[0].lower()
        return f"{fixed}{rest}"
    return None


def _suggest(raw: RawInstruction) -> str:
    line = suggest_line(raw)
    if line is not None:
        return f"did you mean `{line}`?"
    return "instructions are: " + ", ".join(INSTRUCTION_NAMES)

"""BuildKit's node tree → typed instructions, with the checks of its `instructions` package."""
from __future__ import annotations

import re
from collections.abc import Callable

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


def _find(line: str, cursor: int, text: str) -> tuple[int, int]:
    """Offsets of `text` at or after `cursor`; (cursor, cursor) when it is not there (an
    approximation when quotes were removed). Its end is where the next search starts."""
    i = line.find(text, cursor) if text else -1
    if i < 0:
        return cursor, cursor
    return i, i + len(text)


def _after_trigger_keyword(line: str, keyword: str) -> int:
    """Where the arguments are looked for when the line does not start with the keyword (an ONBUILD
    trigger's): past the keyword, wherever it is."""
    i = line.find(keyword)
    return i + len(keyword) if i >= 0 and keyword else 0


def _flags(split: LineSplit, line: str, cursor: int, name: str, *, parse: bool = True) -> tuple[tuple[A.Flag, ...], int]:
    """The instruction's flags (checked against `name`'s, unless `parse` is false) and the cursor
    past them. Called only when it has some: most instructions have none, and their builders save
    the call (it measured 1% of parsing the corpus)."""
    raw_flags = split.flags
    try:
        checked = parse_flags(raw_flags, _FLAGS.get(name, ())) if parse else [
            (t[2:].partition("=")[0], t.partition("=")[2] if "=" in t else None, t) for t in raw_flags
        ]
    except FlagError as err:
        start, end = _find(line, cursor, err.flag or "")
        raise InstructionError(str(err), err.hint, (start, end) if end > start else None) from None
    out = []
    for fname, value, text in checked:
        start, end = _find(line, cursor, text.split("=", 1)[0])
        cursor = end
        if value is not None:
            if value:
                cursor = end = _find(line, cursor, value)[1]
            else:
                end += 1
        out.append(_new_flag(fname, value, text, start, end))
    return tuple(out), cursor


def _words(line: str, cursor: int, values: tuple[str, ...]) -> tuple[A.Word, ...]:
    """A word for each argument, found in the line in order from `cursor`. (find(), inlined: this
    runs for every argument of every instruction.)"""
    out = []
    for v in values:
        n = len(v)
        if n > 40 and line.endswith(v) and not line[cursor : len(line) - n].strip(GO_SPACE):
            # the rest of the line (a shell-form command, usually long): after the cursor there is
            # only white space before it, where it cannot start, so this is where find() finds it
            # (and find() of a long text costs more than these checks)
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
    return tuple(out)


def _flagged_words(split: LineSplit, line: str, cursor: int, name: str, *, parse: bool = True) -> tuple[tuple[A.Flag, ...], tuple[A.Word, ...]]:
    """The flags (see _flags) and a word per argument: what most builders make first."""
    flags: tuple[A.Flag, ...] = ()
    if split.flags:
        flags, cursor = _flags(split, line, cursor, name, parse=parse)
    return flags, _words(line, cursor, split.args)


class _Makers:
    """The instruction classes' makers (records.maker), by class name: each made when the first
    node of its kind is (a one-line file needs one), then found as a plain attribute."""

    def __getattr__(self, name: str) -> Any:
        made = maker(getattr(A, name))
        setattr(self, name, made)
        return made


# Nodes made positionally (records.maker): a keyword-only __init__ with defaults costs four times as
# much, and the parser makes one node per instruction and a few words, pairs and flags. Each
# builder below passes what every instruction has (keyword, flags, args, json, span, raw), then the
# values of its class's own fields in the order the class declares them (ast.py).
_new = _Makers()
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
# Each takes the raw node, its split, its logical line and where its arguments start in it.

def _from(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    args = split.args
    named = len(args) == 3
    if named and args[1].lower() == "as":
        if not _STAGE_NAME.match(args[2].lower()):
            raise InstructionError(
                f'invalid name for build stage: "{args[2]}", name can\'t start with a number or contain symbols',
                "stage names are lower-case letters, digits, '-', '_' and '.', starting with a letter",
            )
    elif len(args) != 1:
        raise InstructionError("FROM requires either one or three arguments", "write FROM IMAGE [AS NAME]")
    flags, words = _flagged_words(split, line, cursor, "FROM")
    return _new.From(split.keyword, flags, words, split.json, raw.span, raw,
                     args[0], args[2] if named else None, args[1] if named else None, _first(flags, "platform"))


def _kvps(split: LineSplit, line: str, cursor: int, cmd: str) -> tuple[tuple[A.Flag, ...], tuple[A.Word, ...], tuple[A.KeyValue, ...]]:
    """The flags, words and pairs of ENV or LABEL."""
    flags: tuple[A.Flag, ...] = ()
    if split.flags:
        flags, cursor = _flags(split, line, cursor, cmd)
    args = split.args
    if not args:
        raise InstructionError(f"{cmd} requires at least one argument", f"write {cmd} KEY=VALUE")
    pairs = []
    words = []
    for j in range(0, len(args) - 2, 3):  # (key, value, "=" or "" for the legacy `KEY VALUE`) each
        key, value, delim = args[j], args[j + 1], args[j + 2]
        if not key:
            raise InstructionError(f"{cmd} names can not be blank")
        # _find(key), then _find(value), inlined: ENV is the most common instruction
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
    return flags, tuple(words), tuple(pairs)


def _env(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    flags, words, pairs = _kvps(split, line, cursor, "ENV")
    return _new.Env(split.keyword, flags, words, split.json, raw.span, raw, pairs)


def _label(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    flags, words, pairs = _kvps(split, line, cursor, "LABEL")
    return _new.Label(split.keyword, flags, words, split.json, raw.span, raw, pairs)


def _arg(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    args = split.args
    if not args:
        raise InstructionError("ARG requires at least one argument", "write ARG NAME[=DEFAULT]")
    flags, words = _flagged_words(split, line, cursor, "ARG", parse=False)  # BuildKit does not check ARG's flags
    defs = []
    for w in words:
        key, eq, value = w.value.partition("=")
        if eq and not key:
            raise InstructionError("ARG names can not be blank", at=(w.start, w.end))
        defs.append(_new_argdef(key, value if eq else None, w.start, w.end))
    return _new.Arg(split.keyword, flags, words, split.json, raw.span, raw, tuple(defs))


def _sources_and_dest(raw: RawInstruction, args: tuple[str, ...], cmd: str) -> tuple[tuple[str, ...], tuple[A.SourceContent, ...], str]:
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
    bodies = {h.name: h for h in raw.heredocs}
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


def _copy(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    args = split.args
    if len(args) < 2:
        _sources_and_dest(raw, args, "COPY")
    flags, words = _flagged_words(split, line, cursor, "COPY")
    sources, contents, dest = _sources_and_dest(raw, args, "COPY")
    return _new.Copy(split.keyword, flags, words, split.json, raw.span, raw, sources, contents, dest,
                     _first(flags, "chown"), _first(flags, "chmod"), bool(_bool(flags, "link")),
                     _all(flags, "exclude"), _first(flags, "from"), bool(_bool(flags, "parents")))


def _add(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    args = split.args
    if len(args) < 2:
        _sources_and_dest(raw, args, "ADD")
    flags, words = _flagged_words(split, line, cursor, "ADD")
    sources, contents, dest = _sources_and_dest(raw, args, "ADD")
    return _new.Add(split.keyword, flags, words, split.json, raw.span, raw, sources, contents, dest,
                    _first(flags, "chown"), _first(flags, "chmod"), bool(_bool(flags, "link")),
                    _all(flags, "exclude"), _bool(flags, "keep-git-dir"), _first(flags, "checksum"),
                    _bool(flags, "unpack"))


def _one(split: LineSplit, line: str, cursor: int, cmd: str, usage: str) -> tuple[tuple[A.Flag, ...], tuple[A.Word, ...]]:
    """The flags and the word of an instruction of exactly one argument."""
    args = split.args
    if len(args) != 1:
        raise InstructionError(f"{cmd} requires exactly one argument", f"write {cmd} {usage}")
    return _flagged_words(split, line, cursor, cmd)


def _workdir(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    flags, words = _one(split, line, cursor, "WORKDIR", "PATH")
    return _new.Workdir(split.keyword, flags, words, split.json, raw.span, raw, split.args[0])


def _user(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    flags, words = _one(split, line, cursor, "USER", "USER[:GROUP]")
    return _new.User(split.keyword, flags, words, split.json, raw.span, raw, split.args[0])


def _maintainer(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    flags, words = _one(split, line, cursor, "MAINTAINER", "NAME")
    return _new.Maintainer(split.keyword, flags, words, split.json, raw.span, raw, split.args[0])


def _stopsignal(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    args = split.args
    if len(args) != 1:
        raise InstructionError("STOPSIGNAL requires exactly one argument", "write STOPSIGNAL SIGTERM")
    flags, words = _flagged_words(split, line, cursor, "STOPSIGNAL", parse=False)  # BuildKit ignores STOPSIGNAL's flags
    return _new.StopSignal(split.keyword, flags, words, split.json, raw.span, raw, args[0])


def _expose(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    args = split.args
    if not args:
        raise InstructionError("EXPOSE requires at least one argument", "write EXPOSE PORT[/PROTOCOL]...")
    flags, words = _flagged_words(split, line, cursor, "EXPOSE")
    return _new.Expose(split.keyword, flags, words, split.json, raw.span, raw, args)


def _volume(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    args = split.args
    if not args:
        raise InstructionError("VOLUME requires at least one argument", "write VOLUME PATH...")
    flags, words = _flagged_words(split, line, cursor, "VOLUME")
    vols = []
    for v in args:
        v = v.strip()
        if not v:
            raise InstructionError("VOLUME specified can not be an empty string")
        vols.append(v)
    return _new.Volume(split.keyword, flags, words, split.json, raw.span, raw, tuple(vols))


def _run(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    args = split.args
    if not split.flags:  # most RUNs
        return _new.Run(split.keyword, (), _words(line, cursor, args), split.json, raw.span, raw,
                        args, (), None, None, ())
    flags, cursor = _flags(split, line, cursor, "RUN")
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
    return _new.Run(split.keyword, flags, _words(line, cursor, args), split.json, raw.span, raw,
                    args, mounts, network, security, _all(flags, "device"))


def _cmd(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    flags, words = _flagged_words(split, line, cursor, "CMD")
    return _new.Cmd(split.keyword, flags, words, split.json, raw.span, raw, split.args)


def _entrypoint(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    flags, words = _flagged_words(split, line, cursor, "ENTRYPOINT")
    return _new.Entrypoint(split.keyword, flags, words, split.json, raw.span, raw, split.args)


def _shell(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    flags, words = _flagged_words(split, line, cursor, "SHELL")
    args = split.args
    if not args:
        raise InstructionError("SHELL requires at least one argument", 'write SHELL ["/bin/sh", "-c"]')
    if not split.json:
        raise InstructionError(
            "SHELL requires the arguments to be in JSON form",
            f"write SHELL {_as_json(args[0])}",
        )
    return _new.Shell(split.keyword, flags, words, split.json, raw.span, raw, args)


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


def _healthcheck(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    args = split.args
    if not args:
        raise InstructionError("HEALTHCHECK requires at least one argument", "write HEALTHCHECK CMD COMMAND or HEALTHCHECK NONE")
    typ = args[0].upper()
    rest = args[1:]
    if typ == "NONE":
        if rest:
            raise InstructionError("HEALTHCHECK NONE takes no arguments")
        flags, words = _flagged_words(split, line, cursor, "HEALTHCHECK", parse=False)
        return _new.Healthcheck(split.keyword, flags, words, split.json, raw.span, raw,
                                ("NONE",), None, None, None, None, None)
    flags, words = _flagged_words(split, line, cursor, "HEALTHCHECK")
    if typ != "CMD":
        raise InstructionError(f'Unknown type "{typ}" in HEALTHCHECK (try CMD)', "write HEALTHCHECK CMD COMMAND")
    if not rest:
        raise InstructionError("Missing command after HEALTHCHECK CMD")
    test = ("CMD",) + rest if split.json else ("CMD-SHELL",) + rest
    retries = _first(flags, "retries")
    n_retries = None
    if retries:
        try:
            n_retries = int(retries, 10)
        except ValueError:
            raise InstructionError(f'strconv.ParseInt: parsing "{retries}": invalid syntax') from None
        if n_retries < 0:
            raise InstructionError(f"--retries cannot be negative ({n_retries})")
    return _new.Healthcheck(
        split.keyword, flags, words, split.json, raw.span, raw, test,
        _duration(flags, "interval"), _duration(flags, "timeout"), _duration(flags, "start-period"),
        _duration(flags, "start-interval"), n_retries,
    )


def _onbuild(raw: RawInstruction, split: LineSplit, line: str, cursor: int) -> A.Instruction:
    child = split.child
    if child is None:
        raise InstructionError("ONBUILD requires at least one argument", "write ONBUILD INSTRUCTION ARGS")
    flags: tuple[A.Flag, ...] = ()
    if split.flags:
        flags, cursor = _flags(split, line, cursor, "ONBUILD")
    trigger = child.keyword.strip().upper()
    if trigger == "ONBUILD":
        raise InstructionError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
    if trigger in ("MAINTAINER", "FROM"):
        raise InstructionError(f"{trigger} isn't allowed as an ONBUILD trigger")
    expression = _ONBUILD_PREFIX.sub("", line, count=1)
    for h in raw.heredocs:
        expression += "\n" + h.content + h.name
    try:
        inner = node(_child_raw(raw))
    except InstructionError:
        inner = None  # BuildKit checks a trigger only when a build runs it
    return _new.Onbuild(split.keyword, flags, _words(line, cursor, (child.keyword,) + child.args), split.json,
                        raw.span, raw, inner, expression)


def _child_raw(raw: RawInstruction) -> RawInstruction:
    from dataclasses import replace

    assert raw.split.child is not None
    return replace(raw, split=raw.split.child)


_BUILDERS: dict[str, Callable[[RawInstruction, LineSplit, str, int], A.Instruction]] = {
    "FROM": _from, "ENV": _env, "LABEL": _label, "ARG": _arg, "COPY": _copy, "ADD": _add,
    "WORKDIR": _workdir, "USER": _user, "MAINTAINER": _maintainer, "STOPSIGNAL": _stopsignal,
    "EXPOSE": _expose, "VOLUME": _volume, "RUN": _run, "CMD": _cmd, "ENTRYPOINT": _entrypoint,
    "SHELL": _shell, "HEALTHCHECK": _healthcheck, "ONBUILD": _onbuild,
}


_BY_KEYWORD = {**_BUILDERS, **{k.lower(): v for k, v in _BUILDERS.items()}}  # as written, most often


def node(raw: RawInstruction) -> A.Instruction:
    """The typed instruction for `raw`. Raises InstructionError (without the place: see syntax_error)."""
    split = raw.split
    keyword = split.keyword
    builder = _BY_KEYWORD.get(keyword)
    if builder is None:
        builder = _BUILDERS.get(keyword.upper())
        if builder is None:
            raise InstructionError(f"unknown instruction: {keyword}", _suggest(raw), (0, len(keyword)))
    line = raw.line
    return builder(raw, split, line, len(keyword) if line.startswith(keyword) else _after_trigger_keyword(line, keyword))


def unknown(raw: RawInstruction) -> A.Unknown:
    """The node for an instruction BuildKit does not know (for non-strict parsing)."""
    split = raw.split
    return _new.Unknown(split.keyword, (), (), split.json, raw.span, raw, suggest_line(raw))


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

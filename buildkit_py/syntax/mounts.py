"""`RUN --mount=…` values: a CSV list of key=value fields, checked as BuildKit checks them.

At parse time only `from` is checked (BuildKit expands the other fields first); the build
calls `parse_mount` with an expander once variables are known.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ..records import dataclass

MOUNT_TYPES = ("bind", "cache", "tmpfs", "secret", "ssh")
SHARING_MODES = ("shared", "private", "locked")
_KEYS = ("type", "from", "source", "target", "readonly", "id", "sharing", "required", "size", "mode",
         "uid", "gid", "src", "dst", "destination", "ro", "rw", "readwrite", "env")
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


class MountError(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Mount:
    """A RUN `--mount` as BuildKit parses it, after variable expansion."""

    type: str = "bind"
    from_: str = ""
    source: str = ""
    target: str = ""
    readonly: bool = True
    size_limit: int = 0
    cache_id: str = ""
    sharing: str = ""
    required: bool = False
    env: str | None = None
    mode: int | None = None
    uid: int | None = None
    gid: int | None = None


def _fields(value: str) -> list[str]:
    import csv  # here: only a RUN with --mount needs it, not every start

    try:
        return next(csv.reader([value], strict=True))
    except (csv.Error, StopIteration) as err:
        raise MountError(f"failed to parse csv mounts: {err}") from None


def check_mount_from(value: str) -> None:
    """The check BuildKit makes before expansion: `from` must not use variables."""
    for f in _fields(value):
        key, eq, val = f.partition("=")
        if eq and key.lower() == "from":
            i = val.find("$")
            if i != -1 and i != len(val) - 1:
                raise MountError(
                    "'from' doesn't support variable expansion, define alias stage instead",
                    "add `FROM ${VAR} AS alias` and mount from=alias",
                )


def _bool(key: str, value: str) -> bool:
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise MountError(f"invalid value for {key}: {value}")


def _uint(value: str, base: int, what: str) -> int:
    try:
        n = int(value, base)
    except ValueError:
        raise MountError(f"invalid value {value} for {what}") from None
    if n < 0 or n >= 1 << 32:
        raise MountError(f"invalid value {value} for {what}")
    return n


_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgtpKMGTP]?)[iI]?[bB]?$")


def ram_in_bytes(value: str) -> int:
    """docker's units.RAMInBytes: binary multiples, `512m` = 512 MiB."""
    m = _SIZE.match(value.strip())
    if m is None:
        raise ValueError(value)
    mult = 1024 ** " kmgtp".index(m.group(2).lower() or " ")
    return int(float(m.group(1)) * mult)


def parse_mount(value: str, expand: Callable[[str], str]) -> Mount:
    """A mount, its field values expanded with `expand`. Raises MountError with BuildKit's words."""
    fields: dict[str, object] = {}
    m: dict[str, object] = {"type": "bind", "readonly": True}
    ro_auto = True
    for f in _fields(value):
        key, eq, val = f.partition("=")
        key = key.lower()
        mtype = m["type"]
        if not eq:
            if key in ("readonly", "ro"):
                m["readonly"], ro_auto = True, False
            elif key in ("readwrite", "rw"):
                m["readonly"], ro_auto = False, False
            elif key == "required":
                if mtype not in ("secret", "ssh"):
                    raise MountError(f"unexpected key '{key}' for mount type '{mtype}'")
                m["required"] = True
            else:
                raise MountError(f"invalid field '{f}' must be a key=value pair")
            continue
        val = expand(val)
        if key == "type":
            if val.lower() not in MOUNT_TYPES:
                import difflib  # for a did-you-mean only: kept off the start-up path
                close = difflib.get_close_matches(val.lower(), MOUNT_TYPES, n=1)
                raise MountError(f'unsupported mount type "{val}"', f"did you mean {close[0]}?" if close else None)
            m["type"] = val.lower()
        elif key == "from":
            m["from_"] = val
        elif key in ("source", "src"):
            m["source"] = val
        elif key in ("target", "dst", "destination"):
            m["target"] = val
        elif key in ("readonly", "ro"):
            m["readonly"], ro_auto = _bool(key, val), False
        elif key in ("readwrite", "rw"):
            m["readonly"], ro_auto = not _bool(key, val), False
        elif key == "required":
            if mtype not in ("secret", "ssh"):
                raise MountError(f"unexpected key '{key}' for mount type '{mtype}'")
            m["required"] = _bool(key, val)
        elif key == "size":
            if mtype != "tmpfs":
                raise MountError(f"unexpected key '{key}' for mount type '{mtype}'")
            try:
                m["size_limit"] = ram_in_bytes(val)
            except ValueError:
                raise MountError(f"invalid value for {key}: {val}") from None
        elif key == "id":
            m["cache_id"] = val
        elif key == "sharing":
            if val.lower() not in SHARING_MODES:
                raise MountError(f'unsupported sharing value "{val}"', f"use one of: {', '.join(SHARING_MODES)}")
            m["sharing"] = val.lower()
        elif key == "mode":
            m["mode"] = _uint(val, 8, "mode")
        elif key == "uid":
            m["uid"] = _uint(val, 10, "uid")
        elif key == "gid":
            m["gid"] = _uint(val, 10, "gid")
        elif key == "env":
            m["env"] = val
        else:
            import difflib  # for a did-you-mean only: kept off the start-up path
            close = difflib.get_close_matches(key, _KEYS, n=1)
            raise MountError(f"unexpected key '{key}' in '{f}'", f"did you mean {close[0]}?" if close else None)
    del fields
    mtype = m["type"]
    if mtype not in ("secret", "ssh", "cache"):
        for k in ("mode", "uid", "gid"):
            if m.get(k) is not None:
                raise MountError(f'{k} not allowed for "{mtype}" type mounts')
    if ro_auto:
        m["readonly"] = mtype not in ("cache", "tmpfs")
    if mtype == "secret":
        if m.get("from_"):
            raise MountError("secret mount should not have a from")
        if m.get("sharing"):
            raise MountError("secret mount should not define sharing")
        if not m.get("source") and not m.get("target") and not m.get("cache_id"):
            raise MountError("invalid secret mount. one of source, target required")
        if m.get("source") and m.get("cache_id"):
            raise MountError("both source and id can't be set")
    if m.get("sharing") and mtype != "cache":
        raise MountError(f"invalid cache sharing set for {mtype} mount")
    return Mount(**m)  # type: ignore[arg-type]

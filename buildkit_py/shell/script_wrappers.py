"""Commands that run another command: `sudo X`, `env A=1 X`, `xargs X`, `nice -n 5 X`, …"""
from __future__ import annotations

import re
from dataclasses import replace

from buildkit_py.records import dataclass
from buildkit_py.shell.script_model import Command


@dataclass(frozen=True)
class _Wrapper:
    """How a wrapper command (env, sudo, timeout, ...) takes options before the command it runs."""

    takes_value: frozenset[str] = frozenset()  # options whose value is the next word (no dashes)
    positionals: int = 0  # words to skip after the options (timeout's DURATION, chroot's NEWROOT)
    queries: frozenset[str] = frozenset()  # options that make it not run the command (command -v)


def _w(takes: str = "", positionals: int = 0, queries: str = "") -> _Wrapper:
    return _Wrapper(frozenset(takes.split()), positionals, frozenset(queries.split()))


WRAPPERS: dict[str, _Wrapper] = {
    "sudo": _w("u g C D h p r t U T user group close-from chdir host prompt role type other-user "
               "command-timeout", queries="l list V version h help v validate k K"),
    "doas": _w("u C"),
    "env": _w("u C S unset chdir split-string"),
    "xargs": _w("I L n P s d E a arg-file max-args max-procs max-chars delimiter eof replace max-lines "
                "process-slot-var"),
    "nohup": _w(),
    "time": _w("f o format output"),
    "nice": _w("n adjustment"),
    "ionice": _w("c n p P u class classdata pid pgid uid"),
    "exec": _w("a"),
    "command": _w(queries="v V"),
    "builtin": _w(),
    "busybox": _w(),
    "stdbuf": _w("i o e input output error"),
    "timeout": _w("k s kill-after signal", positionals=1),
    "chroot": _w("userspec groups", positionals=1),
    "gosu": _w(positionals=1),
    "su-exec": _w(positionals=1),
    "eatmydata": _w(),
    "unbuffer": _w(),
}

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def unwrap(cmd: Command) -> Command:
    """Peel wrappers off until a command that is not one; `cmd` itself when nothing is wrapped."""
    current = cmd
    for _ in range(16):  # wrappers of wrappers, but never loop on odd input
        inner = _unwrap_once(current)
        if inner is None:
            return current
        current = inner
    return current


def _unwrap_once(cmd: Command) -> Command | None:
    spec = WRAPPERS.get(cmd.name)
    if spec is None:
        return None
    words = cmd.words[1:]
    assignments = list(cmd.assignments)
    i = 0
    while i < len(words):
        arg = words[i].value
        if arg == "--":
            i += 1
            break
        if arg.startswith("--") and len(arg) > 2:
            name = arg[2:].split("=", 1)[0]
            if name in spec.queries:
                return None
            i += 2 if name in spec.takes_value and "=" not in arg else 1
            continue
        if arg.startswith("-") and len(arg) > 1:
            if any(ch in spec.queries for ch in arg[1:]):
                return None
            # `-u root` takes the next word; `-uroot` carries its value.
            takes = next((k for k, ch in enumerate(arg[1:]) if ch in spec.takes_value), None)
            i += 2 if takes is not None and takes == len(arg) - 2 else 1
            continue
        if cmd.name == "env" and _ASSIGNMENT.match(arg):
            assignments.append(words[i])
            i += 1
            continue
        break
    i += spec.positionals
    if i >= len(words):
        return None
    return replace(cmd, words=words[i:], assignments=tuple(assignments), wrappers=(*cmd.wrappers, cmd.name))

"""Command lines read without click, for the console script's lean paths (build, pull, push, lint).

A lean path takes only the flags and options it knows; anything else (an unknown option, `-`,
`--`, a flag given a value, an option without one) sends the command to the click CLI, which
reads it fully and reports problems as usual.
"""
from __future__ import annotations

TYPE_CHECKING = False  # as typing's, without importing typing on the lean paths
if TYPE_CHECKING:
    from collections.abc import Mapping


def scan(args: list[str], flags: Mapping[str, str],
         options: Mapping[str, str]) -> tuple[set[str], dict[str, list[str]], list[str]] | None:
    """(the keys of the `flags` given, each option key's values in order, the other arguments), with
    `flags` and `options` mapping what is written (`-q`, `--tag`) to a key; None for anything else.
    An option's value follows it as `--name=value` or as the next argument."""
    given: set[str] = set()
    values: dict[str, list[str]] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        name, eq, value = a.partition("=") if a.startswith("--") else (a, "", "")
        if name in flags and not eq:
            given.add(flags[name])
        elif name in options:
            if not eq:
                i += 1
                if i >= len(args):
                    return None
                value = args[i]
            values.setdefault(options[name], []).append(value)
        elif a.startswith("-"):
            return None  # an option only the full CLI knows, `-` (standard input) or `--`
        else:
            positional.append(a)
        i += 1
    return given, values, positional

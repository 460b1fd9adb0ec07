"""Instruction flags (`--name=value`) with BuildKit's rules, and Go durations for HEALTHCHECK."""
from __future__ import annotations

import re

from ..records import dataclass


class FlagError(Exception):
    """A flag BuildKit would reject; `hint` may suggest the flag meant."""

    def __init__(self, message: str, hint: str | None = None, flag: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.flag = flag


@dataclass(frozen=True, slots=True)
class FlagSpec:
    """A flag an instruction accepts, and its kind: as BuildKit's BFlags declares them."""

    name: str
    kind: str  # "bool", "string" or "strings" (repeatable)


def parse_flags(raw: tuple[str, ...], specs: tuple[FlagSpec, ...]) -> list[tuple[str, str | None, str]]:
    """Check flags as BuildKit's BFlags.Parse does: (name, value or None, original) per flag."""
    known = {s.name: s for s in specs}
    seen: set[str] = set()
    out: list[tuple[str, str | None, str]] = []
    for text in raw:
        if text == "--":
            break
        if not text.startswith("--"):
            raise FlagError(f"arg should start with -- : {text}", flag=text)
        flag_name, eq, value = text.partition("=")
        name = flag_name[2:]
        spec = known.get(name)
        if spec is None:
            import difflib  # for a did-you-mean only: kept off the start-up path
            close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
            hint = f"did you mean --{close[0]}?" if close else (
                f"valid flags: {', '.join('--' + k for k in sorted(known))}" if known else "this instruction takes no flags"
            )
            raise FlagError(f"unknown flag: {flag_name}", hint=hint, flag=text)
        if name in seen and spec.kind != "strings":
            raise FlagError(f"duplicate flag specified: {flag_name}", flag=text)
        seen.add(name)
        if spec.kind == "bool":
            if eq and value == "":
                raise FlagError(f"missing a value on flag: {flag_name}", flag=text)
            if value.lower() not in ("true", "false", ""):
                raise FlagError(f"expecting boolean value for flag {flag_name}, not: {value}", flag=text)
        elif not eq:
            raise FlagError(f"missing a value on flag: {flag_name}", hint=f"write {flag_name}=VALUE", flag=text)
        out.append((name, value if eq else None, text))
    return out


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> float:
    """Go's time.ParseDuration, in seconds. Raises ValueError with Go's message."""
    s = text
    sign = 1.0
    if s[:1] in "+-" and s:
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:]
    if s == "0":
        return 0.0
    if not s:
        raise ValueError(f'time: invalid duration "{text}"')
    total = 0.0
    pos = 0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if m is None:
            if re.match(r"(\d+\.?\d*|\.\d+)", s[pos:]) and not re.match(r"(\d+\.?\d*|\.\d+)[a-zµμ]", s[pos:]):
                raise ValueError(f'time: missing unit in duration "{text}"')
            unit = re.match(r"[\d.]*([^\d.]*)", s[pos:])
            if unit and unit.group(1):
                raise ValueError(f'time: unknown unit "{unit.group(1)}" in duration "{text}"')
            raise ValueError(f'time: invalid duration "{text}"')
        total += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
        pos = m.end()
    return sign * total

"""Sizes, durations and times as docker reads and prints them. Pure functions."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from .errors import InvalidInput

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def parse_size(text: str) -> int:
    """'10GB' -> bytes. Binary multiples, like docker's --keep-storage (10GB = 10 GiB)."""
    m = _SIZE.match(text)
    if not m:
        raise InvalidInput(
            f"invalid size: {text!r}", hint="use a number with an optional unit, e.g. 500MB or 10GB"
        )
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0,
}


def parse_duration(text: str) -> float:
    """A Go duration ('10m', '24h', '1h30m') -> seconds."""
    s = text.strip()
    if not s:
        raise InvalidInput("empty duration", hint="use e.g. 10m or 24h")
    if s == "0":
        return 0.0
    pos, total = 0, 0.0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if not m:
            raise InvalidInput(
                f"invalid duration: {text!r}", hint="use a number and a unit (s, m, h), e.g. 10m or 24h"
            )
        total += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
        pos = m.end()
    return total


def parse_until(value: str, now: float) -> float:
    """docker's `until=` filter value (a duration ago, a unix time, or an RFC 3339 time) -> unix time."""
    v = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", v):
        return float(v)
    try:
        return now - parse_duration(v)
    except InvalidInput:
        pass
    try:
        when = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"invalid until= value: {value!r}",
            hint="use a duration (24h), a unix timestamp, or a date (2024-01-31T12:00:00Z)",
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


_HUMAN_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


def human_size(size: float, precision: int = 3) -> str:
    """Decimal units with `precision` significant digits, as `docker images` prints sizes."""
    i = 0
    while size >= 1000.0 and i < len(_HUMAN_UNITS) - 1:
        size /= 1000.0
        i += 1
    return f"{size:.{precision}g}{_HUMAN_UNITS[i]}"


def human_duration(seconds: float) -> str:
    """'2 weeks', 'About an hour': docker's wording for how long ago something happened."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(seconds / 3600)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds // 3600) // 24 // 365} years"


def parse_time(text: str | None) -> float | None:
    """An OCI `created` timestamp (RFC 3339, maybe with nanoseconds) -> unix time, None if absent/bad."""
    if not text:
        return None
    t = text.strip().replace("Z", "+00:00")
    # Python's fromisoformat takes at most microseconds; Go writes nanoseconds.
    t = re.sub(r"(\.\d{6})\d+", r"\1", t)
    try:
        when = datetime.fromisoformat(t)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def time_ago(created: str | None, now: float) -> str:
    """'3 days ago', or 'N/A' when the time is unknown (docker's word)."""
    when = parse_time(created)
    if when is None:
        return "N/A"
    return human_duration(max(0.0, now - when)) + " ago"


def rfc3339(ts: float) -> str:
    """A unix time as RFC 3339 in UTC, second precision ('2024-01-31T12:00:00Z')."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

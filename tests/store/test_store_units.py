"""Sizes, durations and times are read and printed the way docker does."""
from __future__ import annotations

import pytest

from buildkit_py.store.errors import InvalidInput
from buildkit_py.store.units import (
    human_duration, human_size, parse_duration, parse_size, parse_time, parse_until, time_ago,
)


@pytest.mark.parametrize("text,expected", [
    ("0", 0), ("512", 512), ("1k", 1024), ("500MB", 500 << 20), ("10GB", 10 << 30),
    ("10gb", 10 << 30), ("1.5GiB", int(1.5 * (1 << 30))), ("2 TB", 2 << 40), ("7b", 7),
])
def test_sizes_use_binary_multiples_like_keep_storage(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "GB", "10XB", "-1GB", "ten"])
def test_bad_sizes_are_bad_input(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_size(text)
    assert err.value.exit_code == 2 and err.value.hint


@pytest.mark.parametrize("text,seconds", [
    ("10m", 600), ("24h", 86400), ("1h30m", 5400), ("90s", 90), ("1.5h", 5400), ("0", 0), ("250ms", 0.25),
])
def test_go_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "10", "h", "10d", "1h-3m"])
def test_bad_durations_are_bad_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_duration(text)


def test_until_takes_durations_timestamps_and_dates() -> None:
    now = 1_700_000_000.0
    assert parse_until("24h", now) == now - 86400
    assert parse_until("1600000000", now) == 1_600_000_000
    assert parse_until("2023-11-14T22:13:20Z", now) == 1_700_000_000
    with pytest.raises(InvalidInput):
        parse_until("yesterday", now)


@pytest.mark.parametrize("size,text", [
    (0, "0B"), (999, "999B"), (1000, "1kB"), (1234, "1.23kB"), (4_261_000, "4.26MB"),
    (77_812_345, "77.8MB"), (1_240_000_000, "1.24GB"),
])
def test_human_sizes_are_decimal_with_three_digits(size: int, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize("seconds,text", [
    (0.2, "Less than a second"), (1, "1 second"), (59, "59 seconds"), (60, "About a minute"),
    (600, "10 minutes"), (3600, "About an hour"), (3 * 3600, "3 hours"), (3 * 86400, "3 days"),
    (15 * 86400, "2 weeks"), (70 * 86400, "2 months"), (3 * 365 * 86400, "3 years"),
])
def test_human_durations_follow_docker_wording(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_created_times_with_nanoseconds_parse() -> None:
    assert parse_time("2024-01-31T12:00:00.123456789Z") == pytest.approx(1706702400.123456)
    assert parse_time("not a time") is None
    assert time_ago(None, 0) == "N/A"
    assert time_ago("2024-01-31T12:00:00Z", 1706702400 + 7200) == "2 hours ago"

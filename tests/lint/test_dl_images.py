"""DL3006, DL3007, DL3026, DL3029: what FROM (and COPY --from, RUN --mount from=) may name."""
from __future__ import annotations

from buildkit_py.lint import LintConfig

from .dl_helpers import df, findings, lines


def test_dl3006_untagged_image() -> None:
    assert lines(df("FROM debian", "RUN x"), "DL3006") == [1]
    assert lines(df("FROM docker.io/library/debian"), "DL3006") == [1]


def test_dl3006_tag_digest_scratch_variable_or_stage_are_fine() -> None:
    text = df("FROM debian:12 AS base", "FROM debian@sha256:abc", "FROM scratch", "FROM $BASE", "FROM base",
              "FROM ${REGISTRY}/app")
    assert lines(text, "DL3006") == []


def test_dl3006_stage_must_be_defined_before() -> None:
    assert lines(df("FROM build", "FROM debian:12 AS build"), "DL3006") == [1]


def test_dl3006_stage_names_match_regardless_of_case_as_in_buildkit() -> None:
    assert lines(df("FROM debian:12 AS Build", "FROM build"), "DL3006") == []


def test_dl3006_message() -> None:
    (f,) = findings(df("FROM debian"), "DL3006")
    assert f.message == "Always tag the version of an image explicitly"


def test_dl3007_latest() -> None:
    assert lines(df("FROM debian:latest", "FROM debian:latest@sha256:abc", "FROM debian:12"), "DL3007") == [1]
    assert lines(df("FROM --platform=linux/amd64 quay.io/x/y:latest AS b"), "DL3007") == [1]


TRUSTED = LintConfig(trusted_registries=("docker.io", "*.example.com"))


def test_dl3026_off_without_trusted_registries() -> None:
    assert lines(df("FROM quay.io/x/y:1"), "DL3026") == []


def test_dl3026_from_outside_trusted_registries() -> None:
    text = df("FROM quay.io/x/y:1 AS a", "FROM debian:12 AS b", "FROM registry.example.com/z:1",
              "FROM a", "FROM scratch", "FROM example.com/w:1")
    assert lines(text, "DL3026", TRUSTED) == [1, 6]


def test_dl3026_hub_only_when_docker_io_is_trusted() -> None:
    config = LintConfig(trusted_registries=("my.registry.io",))
    assert lines(df("FROM debian:12", "FROM my.registry.io/debian:12", "FROM scratch"), "DL3026", config) == [1]


def test_dl3026_copy_from_and_mount_from() -> None:
    text = df("FROM debian:12 AS build",
              "COPY --from=quay.io/x/y:1 /a /a",
              "COPY --from=build /a /b",
              "RUN --mount=type=cache,target=/c,from=quay.io/c/d true",
              "RUN --mount=type=bind,target=/c,from=build true",
              "RUN --mount=type=secret,id=x,from=quay.io/c/d true")
    assert lines(text, "DL3026", TRUSTED) == [2, 4]


def test_dl3026_registry_patterns() -> None:
    assert lines(df("FROM a.b.io/x:1", "FROM c.d.io/x:1"), "DL3026", LintConfig(trusted_registries=("a.*",))) == [2]
    assert lines(df("FROM a.b.io/x:1"), "DL3026", LintConfig(trusted_registries=("*",))) == []


def test_dl3029_platform_flag() -> None:
    text = df("FROM --platform=linux/amd64 debian:12", "FROM --platform=$BUILDPLATFORM golang:1 AS b",
              "FROM --platform=${TARGETPLATFORM} alpine:3", "FROM debian:12")
    assert lines(text, "DL3029") == [1]

"""PB008 (ADD of a URL without --checksum) and PB009 (apt-get install without update in the same RUN)."""
from __future__ import annotations

import pytest

from .pb_helpers import lines, run


def test_add_url_without_checksum_is_reported_at_the_url():
    text = "FROM busybox:1.36\nADD https://example.com/t.tgz /opt/\n"
    diags = run(text, "PB008")
    assert lines(diags) == [2] and diags[0].span.start_col == 5
    assert "https://example.com/t.tgz" in diags[0].message and diags[0].fix is None


@pytest.mark.parametrize("line", [
    "ADD --checksum=sha256:" + "a" * 64 + " https://example.com/t.tgz /opt/",
    "ADD https://github.com/moby/buildkit.git#v0.14.0 /src",
    "ADD local.tgz /opt/",
    "COPY a.txt /opt/",
])
def test_pinned_git_and_local_sources_are_fine(line):
    assert run(f"FROM busybox:1.36\n{line}\n", "PB008") == []


@pytest.mark.parametrize("body", [
    "RUN apt-get install -y curl",
    "RUN apt-get update\nRUN apt-get install -y curl",
    "RUN apt-get install -y curl && apt-get update",
    "RUN sudo apt install -y curl",
])
def test_install_without_update_in_the_same_run(body):
    diags = run(f"FROM debian:bookworm\n{body}\n", "PB009")
    assert lines(diags) == [body.count("\n") + 2]
    assert str(diags[0].severity) == "warning"


def test_message_says_why_for_a_stale_earlier_update():
    diags = run("FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y curl\n", "PB009")
    assert "cached" in diags[0].message


@pytest.mark.parametrize("body", [
    "RUN apt-get update && apt-get install -y curl",
    "RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get install -y ./vendor/tool.deb",
    "RUN apt-get -y update; apt-get -y install curl",
    "RUN set -eux; apt-get install --update -y curl; apt-get dist-clean",
    "RUN echo apt-get install curl",
])
def test_update_then_install_and_local_debs_are_fine(body):
    assert run(f"FROM debian:bookworm\n{body}\n", "PB009") == []


def test_each_stage_on_its_own():
    text = "FROM debian:bookworm AS a\nRUN apt-get update\nFROM debian:bookworm\nRUN apt-get update && apt-get install -y x\n"
    assert run(text, "PB009") == []

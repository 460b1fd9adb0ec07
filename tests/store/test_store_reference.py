"""References normalize like docker's: stored in full, shown short."""
from __future__ import annotations

import pytest

from buildkit_py.store.errors import InvalidInput
from buildkit_py.store.reference import familiar, parse

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize("text,full,short", [
    ("busybox", "docker.io/library/busybox:latest", "busybox:latest"),
    ("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"),
    ("library/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
    ("docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
    ("index.docker.io/me/app:v1", "docker.io/me/app:v1", "me/app:v1"),
    ("me/app", "docker.io/me/app:latest", "me/app:latest"),
    ("localhost/app", "localhost/app:latest", "localhost/app:latest"),
    ("localhost:5000/team/app:1", "localhost:5000/team/app:1", "localhost:5000/team/app:1"),
    ("ghcr.io/o/r/x:tag_1.0-rc", "ghcr.io/o/r/x:tag_1.0-rc", "ghcr.io/o/r/x:tag_1.0-rc"),
    (f"busybox@{DIGEST}", f"docker.io/library/busybox@{DIGEST}", f"busybox@{DIGEST}"),
    (f"busybox:1@{DIGEST}", f"docker.io/library/busybox:1@{DIGEST}", f"busybox:1@{DIGEST}"),
])
def test_normalization(text: str, full: str, short: str) -> None:
    ref = parse(text)
    assert str(ref) == full
    assert ref.familiar() == short
    assert familiar(full) == short


@pytest.mark.parametrize("text", [
    "", "Busybox", "busybox:", "busybox:-bad", "a//b", "-lead", "busybox@sha256:zz",
    "ab" * 32, "x:" + "t" * 129,
])
def test_invalid_references_are_bad_input(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse(text)
    assert err.value.exit_code == 2


def test_uppercase_names_say_lowercase() -> None:
    with pytest.raises(InvalidInput, match="must be lowercase"):
        parse("MyApp")


def test_registry_with_uppercase_host_is_a_domain() -> None:
    assert parse("Registry.Example/app").domain == "Registry.Example"

"""Fixtures for store tests: a fresh store, the CLI on a store root, a busybox rootfs tarball."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from buildkit_py.store import Store
from tests.helpers.rootfs import busybox_path, busybox_rootfs_tar
from tests.store.storeutil import Pybuild


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "root")
    yield s
    s.close()


@pytest.fixture
def pybuild(tmp_path: Path) -> Pybuild:
    return Pybuild(tmp_path / "store")


@pytest.fixture(scope="session")
def busybox_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if busybox_path() is None:
        pytest.skip("busybox-static is not installed: run scripts/setup.sh")
    return busybox_rootfs_tar(tmp_path_factory.mktemp("rootfs") / "busybox.tar")


@pytest.fixture
def busybox(pybuild: Pybuild, busybox_tar: Path) -> str:
    """A store with busybox:latest imported; returns its image ID."""
    return pybuild("import", str(busybox_tar), "busybox", "-m", "base image").out.strip()

"""Fixtures for build tests: a store with a busybox base image made from Debian's busybox-static."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.helpers.rootfs import busybox_path, busybox_rootfs_tar

ROOT = Path(__file__).resolve().parents[2]


def pybuild(*args: str, root: Path, input: bytes | None = None, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    e = dict(os.environ, PYBUILD_ROOT=str(root), NO_COLOR="1")
    e.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "buildkit_py.entry", *args], input=input, capture_output=True, env=e, cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"pybuild {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr.decode()}")
    return proc


@pytest.fixture(scope="session")
def busybox_tar(tmp_path_factory) -> Path:
    assert busybox_path() is not None, "busybox-static is required (scripts/setup.sh installs it)"
    return busybox_rootfs_tar(tmp_path_factory.mktemp("base") / "busybox.tar")


@pytest.fixture
def store_root(tmp_path, busybox_tar) -> Path:
    root = tmp_path / "store"
    pybuild("import", str(busybox_tar), "busybox:latest", root=root)
    return root


def rootfs_files(root: Path, ref: str) -> dict[str, tarfile.TarInfo]:
    """The flattened filesystem of an image, by path, via `pybuild export`."""
    out = pybuild("export", ref, "-o", "-", root=root).stdout
    with tarfile.open(fileobj=io.BytesIO(out)) as tf:
        return {m.name.rstrip("/"): m for m in tf.getmembers()}


def read_file(root: Path, ref: str, path: str) -> bytes:
    out = pybuild("export", ref, "-o", "-", root=root).stdout
    with tarfile.open(fileobj=io.BytesIO(out)) as tf:
        f = tf.extractfile(path.lstrip("/"))
        assert f is not None, path
        return f.read()


def inspect(root: Path, ref: str) -> dict:
    return json.loads(pybuild("inspect", ref, root=root).stdout)[0]


def make_context(tmp_path: Path, dockerfile: str, files: dict[str, str] | None = None) -> Path:
    """A build context directory with a Dockerfile and files (path -> text)."""
    ctx = tmp_path / "ctx"
    ctx.mkdir(exist_ok=True)
    (ctx / "Dockerfile").write_text(dockerfile)
    for name, body in (files or {}).items():
        p = ctx / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(body)
    return ctx


def step_counts(stderr: bytes) -> tuple[int, int]:
    """(steps, cached) from a build's summary line."""
    import re

    m = re.search(r"(\d+) steps, (\d+) cached", stderr.decode())
    assert m, stderr.decode()
    return int(m.group(1)), int(m.group(2))

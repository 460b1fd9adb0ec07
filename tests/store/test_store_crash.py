"""Crash safety: `pybuild import` killed with SIGKILL at random moments never leaves the store broken,
and several processes can import into one store (with a prune running) at the same time."""
from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from buildkit_py.store import Store
from tests.store.storeutil import Pybuild

KILLS = 30


def big_tar(path: Path, mib: int, seed: int) -> Path:
    """A tarball of random (incompressible) files, made in about a second per 150 MiB."""
    rng = random.Random(seed)
    with tarfile.open(path, "w") as tar:
        for i in range(mib // 25 or 1):
            data = rng.randbytes(min(mib, 25) << 20)
            ti = tarfile.TarInfo(f"data/part{i:02d}")
            ti.size, ti.mtime = len(data), 1_700_000_000
            tar.addfile(ti, io.BytesIO(data))
    return path


@pytest.fixture(scope="module")
def large_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return big_tar(tmp_path_factory.mktemp("big") / "big.tar", 200, seed=1)


def _listed(p: Pybuild) -> dict[str, str]:
    rows = [json.loads(line) for line in p("images", "--format", "json", "--no-trunc").out.splitlines()]
    return {f"{r['Repository']}:{r['Tag']}": r["ID"] for r in rows}


def _named(root: Path, name: str) -> str | None:
    """The image ID a name points at, read straight from the database (no process to start)."""
    with Store(root) as store:
        digest = store.db.ref(name)
        row = store.db.image(digest) if digest else None
        return row.image_id if row else None


def test_import_killed_at_random_moments_leaves_a_clean_store(pybuild: Pybuild, large_tar: Path) -> None:
    # zstd keeps each import short (gzip of random data is slow); the write path is the same.
    args = ("import", str(large_tar), "big", "--compression", "zstd")
    start = time.monotonic()
    expected = pybuild(*args).out.strip()
    full = time.monotonic() - start
    pybuild("rmi", "big")
    assert os.listdir(pybuild.root / "blobs" / "sha256") == []

    rng = random.Random(4)
    killed = finished = 0
    while killed < KILLS:
        assert killed + finished < 2 * KILLS, "imports keep finishing before the kill"
        proc = subprocess.Popen(pybuild.cmd(*args), env=pybuild.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, full))
        os.kill(proc.pid, signal.SIGKILL)
        if proc.wait() == -signal.SIGKILL:
            killed += 1
        else:
            finished += 1
        fsck = pybuild("fsck", "--format=json", ok=False)
        report = json.loads(fsck.out)
        assert fsck.code == 0 and report["clean"], f"kill {killed}: {report['problems']}"
        # The name is either absent or points at the complete image, never at something partial.
        assert _named(pybuild.root, "docker.io/library/big:latest") in (None, expected), f"kill {killed}"
        if killed % 10 == 0 and proc.returncode == -signal.SIGKILL:
            # the retry succeeds, with the same digests; then start from an empty store again
            assert pybuild(*args).out.strip() == expected
            assert _listed(pybuild) == {"big:latest": expected}
            pybuild("rmi", "big")
            pybuild("prune", "-f")
    assert pybuild(*args).out.strip() == expected
    assert pybuild("fsck").code == 0
    assert os.listdir(pybuild.root / "ingest") == []  # leftovers of killed writers are gone
    print(f"\n{killed} kills ({finished} imports finished first) of a "
          f"{large_tar.stat().st_size >> 20} MiB import that takes {full:.2f}s")


def test_four_concurrent_imports_and_a_prune(pybuild: Pybuild, tmp_path: Path) -> None:
    a = big_tar(tmp_path / "a.tar", 50, seed=2)
    b = big_tar(tmp_path / "b.tar", 50, seed=3)
    jobs = [(a, "one"), (a, "two"), (b, "three"), (b, "four")]  # pairs race on the same blobs
    procs = [subprocess.Popen(pybuild.cmd("import", str(t), n), env=pybuild.env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for t, n in jobs]
    time.sleep(0.3)
    pruner = subprocess.Popen(pybuild.cmd("prune", "-f"), env=pybuild.env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    results = [p.communicate(timeout=300) for p in procs]
    for (t, name), p, (out, err) in zip(jobs, procs, results):
        assert p.returncode == 0, f"import {name}: {err.decode()}"
    pruner.communicate(timeout=300)
    assert pruner.returncode == 0
    ids = [out.decode().strip() for out, _ in results]
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]
    assert _listed(pybuild) == {"one:latest": ids[0], "two:latest": ids[0],
                                "three:latest": ids[2], "four:latest": ids[2]}
    assert pybuild("fsck").code == 0
    assert os.listdir(pybuild.root / "ingest") == []

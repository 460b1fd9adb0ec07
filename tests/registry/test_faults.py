"""Broken networks: connections dropped mid-blob and bytes flipped on the wire, both ways.

pybuild resumes downloads with Range, fetches or uploads again what arrived corrupt, gives up
with one clear error when corruption persists, and leaves the store consistent either way.
"""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.rootfs import busybox_rootfs_tar
from tests.registry.conftest import Cli, manifest_digest, store_digests
from tests.registry.servers import FaultProxy, RegistryProcess

LAYER_MB = 4


@pytest.fixture
def big(cli: Cli, registry: RegistryProcess, tmp_path: Path) -> tuple[str, str, int]:
    """An image with a ~4 MB incompressible layer in the registry: (name in repo, manifest digest, layer size)."""
    tar = busybox_rootfs_tar(tmp_path / "big.tar", extra={"data/random": os.urandom(LAYER_MB << 20)})
    cli("import", str(tar), "big:1")
    cli("push", "big:1", f"{registry.address}/faults/big:1")
    layers = json.loads(cli("inspect", "big:1").out)[0]["Manifest"]["layers"]
    return "faults/big:1", manifest_digest(cli, "big:1"), layers[0]["size"]


@pytest.fixture
def proxies() -> Iterator[list[FaultProxy]]:
    made: list[FaultProxy] = []
    yield made
    for p in made:
        p.close()


def proxy(made: list[FaultProxy], registry: RegistryProcess, *args, **kw) -> FaultProxy:
    p = FaultProxy(("127.0.0.1", registry.port), *args, **kw)
    made.append(p)
    return p


def assert_consistent(cli: Cli) -> None:
    res = cli("fsck", check=False)
    assert res.code == 0 and "clean" in res.out, res.out + res.err
    ingest = cli.root / "ingest"
    assert not ingest.exists() or not any(ingest.iterdir()), list(ingest.iterdir())


def test_dropped_connections_resume_where_they_stopped(cli: Cli, registry: RegistryProcess, big, proxies,
                                                       tmp_path: Path) -> None:
    repo, digest, size = big
    p = proxy(proxies, registry, "drop", after=1 << 20, times=2)
    other = cli.on(tmp_path / "other")
    assert other.json("pull", f"{p.address}/{repo}")["digest"] == digest
    assert p.harmed == 2
    # Resumed with Range, not started over: the layer crossed the proxy about once.
    assert p.bytes_down < size + (256 << 10), (p.bytes_down, size)
    assert_consistent(other)


def test_a_blob_that_arrives_corrupt_is_fetched_again(cli: Cli, registry: RegistryProcess, big, proxies,
                                                      tmp_path: Path) -> None:
    repo, digest, size = big
    p = proxy(proxies, registry, "flip", after=2 << 20, times=1)
    other = cli.on(tmp_path / "other")
    assert other.json("pull", f"{p.address}/{repo}")["digest"] == digest
    assert p.harmed == 1
    assert_consistent(other)


def test_persistent_corruption_fails_cleanly_and_stores_nothing(cli: Cli, registry: RegistryProcess, big, proxies,
                                                                tmp_path: Path) -> None:
    repo, digest, size = big
    p = proxy(proxies, registry, "flip", after=2 << 20, times=None)
    other = cli.on(tmp_path / "other")
    res = other("pull", f"{p.address}/{repo}", check=False)
    assert res.code == 1
    assert "arrived corrupt" in res.err and "Traceback" not in res.err
    layer = json.loads(cli("inspect", "big:1").out)[0]["Manifest"]["layers"][0]["digest"]
    assert layer not in store_digests(other.root)
    assert other("images", "-q").out.strip() == ""
    assert_consistent(other)


def test_uploads_corrupted_on_the_way_are_sent_again(cli: Cli, registry: RegistryProcess, big, proxies,
                                                     tmp_path: Path) -> None:
    repo, digest, size = big
    p = proxy(proxies, registry, "flip", after=2 << 20, times=1, direction="up")
    name = f"{p.address}/faults/again:1"
    assert cli.json("push", "big:1", name)["digest"] == digest
    assert p.harmed == 1
    rejected = [s for m, path, s in registry.requests() if m == "PUT" and "/blobs/uploads/" in path and s >= 400]
    assert rejected, "the registry should have refused the corrupt upload"
    info = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{registry.address}/faults/again:1"],
                          capture_output=True, text=True, timeout=60)
    assert json.loads(info.stdout)["Digest"] == digest


def test_persistent_upload_corruption_fails_and_leaves_no_tag(cli: Cli, registry: RegistryProcess, big, proxies) -> None:
    p = proxy(proxies, registry, "flip", after=2 << 20, times=None, direction="up")
    res = cli("push", "big:1", f"{p.address}/faults/never:1", check=False)
    assert res.code == 1 and "Traceback" not in res.err
    assert "digest" in res.err.lower()
    tags = [s for m, path, s in registry.requests() if m == "PUT" and path == "/v2/faults/never/manifests/1"]
    assert tags == []


def test_chunked_upload_survives_a_dropped_connection(cli: Cli, registry: RegistryProcess, big, proxies,
                                                      tmp_path: Path) -> None:
    repo, digest, size = big
    p = proxy(proxies, registry, "drop", after=(3 << 20) // 2, times=1, direction="up")
    name = f"{p.address}/faults/chunked:1"
    cli.json("push", "big:1", name, env={"PYBUILD_REGISTRY_CHUNK_SIZE": str(1 << 20)})
    assert p.harmed == 1
    other = cli.on(tmp_path / "other")
    assert other.json("pull", f"{registry.address}/faults/chunked:1")["digest"] == digest
    assert_consistent(other)

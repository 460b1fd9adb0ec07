"""Remote build cache: build on store A with --cache-to, then on an empty store B with --cache-from.

Each RUN calls a hit counter on 127.0.0.1 (the sandbox shares the host's network), so the
counter proves which steps executed; B must execute none and produce A's image digest.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.registry.conftest import Cli, manifest_digest, store_digests
from tests.registry.servers import HitCounter, RegistryProcess


@pytest.fixture
def counter() -> Iterator[HitCounter]:
    c = HitCounter()
    yield c
    c.close()


@pytest.fixture
def base(cli: Cli, registry: RegistryProcess, busybox: str) -> str:
    """A base image that only the registry has, for stores that start empty."""
    name = f"{registry.address}/lib/base:1"
    cli("push", "busybox", name)
    return name


def context(tmp_path: Path, dockerfile: str) -> Path:
    ctx = tmp_path / "ctx"
    ctx.mkdir(exist_ok=True)
    (ctx / "Dockerfile").write_text(dockerfile)
    (ctx / "a.txt").write_text("from the context\n")
    return ctx


def single_stage(base: str, counter: HitCounter) -> str:
    return (f"FROM {base}\n"
            "COPY a.txt /a.txt\n"
            f"RUN wget -q -O /ran {counter.url}step && echo built > /built\n"
            "RUN --mount=type=cache,target=/cache echo from-A >> /cache/log && cp /cache/log /seen\n")


def image_blobs(cli: Cli, name: str) -> set[str]:
    doc = json.loads(cli("inspect", name).out)[0]
    m = doc["Manifest"]
    return {doc["Descriptor"]["digest"], m["config"]["digest"], *(l["digest"] for l in m["layers"])}


def test_registry_cache_makes_every_step_a_hit_on_an_empty_store(cli: Cli, registry: RegistryProcess, base: str,
                                                                  counter: HitCounter, tmp_path: Path) -> None:
    ctx = context(tmp_path, single_stage(base, counter))
    cache = f"type=registry,ref={registry.address}/cache/app:buildcache"
    a = cli.on(tmp_path / "A")
    a("build", "-t", "app:1", "--cache-to", cache + ",mode=max", str(ctx))
    assert counter.hits == 1

    b = cli.on(tmp_path / "B")
    out = b("build", "-t", "app:1", "--cache-from", cache, str(ctx))
    assert counter.hits == 1, "a RUN step executed on B"
    assert "3 cached" in out.out + out.err
    assert manifest_digest(b, "app:1") == manifest_digest(a, "app:1")
    # B fetched the final image's blobs, the base, the cache's manifest and config, and the gzipped
    # carriers of the image's (uncompressed) layers: nothing else.
    raw = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false",
                          f"docker://{registry.address}/cache/app:buildcache"],
                         capture_output=True, check=True, timeout=60).stdout
    manifest = json.loads(raw)
    config = json.loads((b.root / "blobs" / "sha256" / manifest["config"]["digest"][7:]).read_bytes())
    carriers = {v["digest"]: v["size"] for v in config["packed"].values()}
    extra = store_digests(b.root) - image_blobs(b, "app:1") - image_blobs(b, base)
    assert extra - set(carriers) == {manifest["config"]["digest"], "sha256:" + hashlib.sha256(raw).hexdigest()}
    assert carriers and set(carriers) <= extra
    sizes = {l["digest"]: l["size"] for l in json.loads(b("inspect", "app:1").out)[0]["Manifest"]["layers"]}
    assert sum(carriers.values()) < sum(sizes[d] for d in config["packed"]) / 2
    assert "clean" in b("fsck").out


def test_local_cache_carries_cache_mounts_when_asked(cli: Cli, registry: RegistryProcess, base: str,
                                                     counter: HitCounter, tmp_path: Path) -> None:
    ctx = context(tmp_path, single_stage(base, counter))
    layout = tmp_path / "cache-dir"
    a = cli.on(tmp_path / "A")
    a("build", "-t", "app:1", "--cache-to", f"type=local,dest={layout},mode=max,cache-mounts=true", str(ctx))
    index = json.loads((layout / "index.json").read_text())
    assert [m["annotations"]["org.opencontainers.image.ref.name"] for m in index["manifests"]] == ["latest"]

    b = cli.on(tmp_path / "B")
    b("build", "-t", "app:1", "--cache-from", f"type=local,src={layout},cache-mounts=true", str(ctx))
    assert counter.hits == 1
    assert manifest_digest(b, "app:1") == manifest_digest(a, "app:1")
    mounts = list((b.root / "cache-mounts").iterdir())
    assert len(mounts) == 1 and (mounts[0] / "log").read_text() == "from-A\n"

    # The next step on B sees what A left in the cache mount.
    (ctx / "Dockerfile").write_text(single_stage(base, counter) +
                                    "RUN --mount=type=cache,target=/cache cp /cache/log /from-cache\n")
    b("build", "-t", "app:2", "--cache-from", f"type=local,src={layout},cache-mounts=true", str(ctx))
    exported = b("export", "app:2", "-o", str(tmp_path / "fs.tar"))
    assert exported.code == 0
    import tarfile
    with tarfile.open(tmp_path / "fs.tar") as tf:
        assert tf.extractfile("from-cache").read() == b"from-A\n"


def test_without_cache_mounts_flag_the_mounts_stay_home(cli: Cli, base: str, counter: HitCounter,
                                                        tmp_path: Path) -> None:
    ctx = context(tmp_path, single_stage(base, counter))
    layout = tmp_path / "cache-dir"
    cli.on(tmp_path / "A")("build", "-t", "app:1", "--cache-to", f"type=local,dest={layout},mode=max", str(ctx))
    b = cli.on(tmp_path / "B")
    b("build", "-t", "app:1", "--cache-from", f"type=local,src={layout}", str(ctx))
    assert counter.hits == 1
    assert not (b.root / "cache-mounts").exists() or not any((b.root / "cache-mounts").iterdir())


def multi_stage(base: str, counter: HitCounter) -> str:
    return (f"FROM {base} AS builder\n"
            f"RUN wget -q -O /b {counter.url}builder && echo not-copied > /junk\n"
            f"FROM {base}\n"
            "COPY --from=builder /b /b\n"
            f"RUN wget -q -O /f {counter.url}final\n")


@pytest.mark.parametrize("mode, runs_on_b", [("max", []), ("min", ["/builder"])])
def test_mode_min_keeps_only_the_final_images_steps(cli: Cli, registry: RegistryProcess, base: str,
                                                    counter: HitCounter, tmp_path: Path, mode: str,
                                                    runs_on_b: list[str]) -> None:
    ctx = context(tmp_path, multi_stage(base, counter))
    cache = f"type=registry,ref={registry.address}/cache/multi:{mode}"
    a = cli.on(tmp_path / "A")
    a("build", "-t", "app:1", "--cache-to", f"{cache},mode={mode}", str(ctx))
    assert sorted(counter.paths) == ["/builder", "/final"]
    b = cli.on(tmp_path / "B")
    b("build", "-t", "app:1", "--cache-from", cache, str(ctx))
    assert counter.paths[2:] == runs_on_b
    assert manifest_digest(b, "app:1") == manifest_digest(a, "app:1")


def test_a_missing_cache_is_a_warning_not_a_failure(cli: Cli, registry: RegistryProcess, base: str,
                                                    counter: HitCounter, tmp_path: Path) -> None:
    ctx = context(tmp_path, single_stage(base, counter))
    res = cli.on(tmp_path / "B")("build", "-t", "app:1", "--cache-from",
                                  f"type=registry,ref={registry.address}/cache/none:1", "--cache-from",
                                  f"type=local,src={tmp_path / 'nowhere'}", str(ctx))
    assert counter.hits == 1
    assert res.err.count("WARNING: cache") == 2 and "not found" in res.err


@pytest.mark.parametrize("flag, spec, message", [
    ("--cache-to", "type=gha", "not supported"),
    ("--cache-from", "type=registry", "needs ref="),
    ("--cache-to", "type=local", "needs dest="),
    ("--cache-to", "type=registry,ref=x/y:1,mode=most", "invalid mode"),
    ("--cache-to", "type=registry,ref=Bad/Ref", "lowercase"),
])
def test_bad_cache_specs_are_bad_input(cli: Cli, busybox: str, tmp_path: Path, flag: str, spec: str,
                                       message: str) -> None:
    ctx = context(tmp_path, "FROM busybox\nCOPY a.txt /a\n")
    res = cli("build", flag, spec, str(ctx), check=False)
    assert res.code == 2, res.err
    assert message in res.err and "Traceback" not in res.err


def test_mode_max_downloads_only_the_layers_the_final_image_needs(cli: Cli, registry: RegistryProcess, base: str,
                                                                   counter: HitCounter, tmp_path: Path) -> None:
    ctx = context(tmp_path, multi_stage(base, counter))
    cache = f"type=registry,ref={registry.address}/cache/multi:lazy"
    a = cli.on(tmp_path / "A")
    a("build", "-t", "app:1", "--cache-to", f"{cache},mode=max", str(ctx))
    builder_layers = image_blobs(a, "app:1")
    b = cli.on(tmp_path / "B")
    b("build", "-t", "app:1", "--cache-from", cache, str(ctx))
    assert counter.paths[2:] == []  # nothing ran on B
    # the builder stage's own layers (in A's cache records) were never fetched by B
    records = [json.loads(r) for r in _cache_values(a.root)]
    stage_layers = {r["layer"]["digest"] for r in records if r.get("layer")} - builder_layers
    assert stage_layers, "the builder stage should have made layers of its own"
    assert not (stage_layers & store_digests(b.root))


def _cache_values(root: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(root / "metadata.db") as db:
        return [v for (k, v) in db.execute("SELECT key, value FROM cache") if k.startswith("sha256:")]

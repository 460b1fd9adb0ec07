"""Helpers for store tests: synthetic images from raw JSON, and the CLI run on one store root."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from buildkit_py.store import Store


def layer_tar(files: dict[str, bytes]) -> bytes:
    """An uncompressed layer tarball with the given regular files."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _sha(b: bytes) -> str:
    return "sha256:" + hashlib.sha256(b).hexdigest()


def put_image(store: Store, files: dict[str, bytes], names: list[str] | None = None,
              created: str = "2024-01-01T00:00:00Z", arch: str = "amd64") -> tuple[str, str, list[str]]:
    """Store a one-layer gzip image; returns (manifest digest, config digest, [layer digest])."""
    return put_layers(store, [layer_tar(files)], names, created, arch)


def put_layers(store: Store, tars: list[bytes], names: list[str] | None = None,
               created: str = "2024-01-01T00:00:00Z", arch: str = "amd64") -> tuple[str, str, list[str]]:
    """Store an image of gzip layers made from uncompressed layer tarballs; same return as put_image."""
    gzs = [gzip.compress(raw, mtime=0) for raw in tars]
    config = json.dumps({
        "created": created, "architecture": arch, "os": "linux",
        "config": {"Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [_sha(raw) for raw in tars]},
        "history": [{"created": created, "created_by": f"test step {i}", "comment": "made by a test"}
                    for i in range(len(tars))],
    }, sort_keys=True).encode()
    with store.writing():
        layers = [store.blobs.put_bytes(gz) for gz in gzs]
        cfg = store.blobs.put_bytes(config)
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg,
                       "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d,
                        "size": len(gz)} for d, gz in zip(layers, gzs)],
        }).encode()
        m = store.blobs.put_bytes(manifest)
        store.add_image(m, names or [])
    return m, cfg, layers


# -- the command line -------------------------------------------------------------------


@dataclass
class Result:
    code: int
    out: str
    err: str


class Pybuild:
    """Runs `python -m buildkit_py.cli` against one store root."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env.update(PYBUILD_ROOT=str(self.root), NO_COLOR="1", **extra)
        return env

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "buildkit_py.cli", *args]

    def __call__(self, *args: str, ok: bool = True, input: bytes | None = None,
                 env: dict[str, str] | None = None) -> Result:
        p = subprocess.run(self.cmd(*args), input=input, capture_output=True, env=self.env(**(env or {})),
                           timeout=300)
        r = Result(p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))
        if ok and r.code != 0:
            raise AssertionError(f"pybuild {' '.join(args)} exited {r.code}\n{r.err}")
        return r

    def raw(self, *args: str) -> bytes:
        p = subprocess.run(self.cmd(*args), capture_output=True, env=self.env(), timeout=300)
        assert p.returncode == 0, p.stderr.decode()
        return p.stdout

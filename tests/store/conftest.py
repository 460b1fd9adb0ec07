"""Fixtures for store tests: a fresh store root, and small synthetic images built from raw JSON."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from buildkit_py.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "root")
    yield s
    s.close()


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
    raw = layer_tar(files)
    gz = gzip.compress(raw, mtime=0)
    config = json.dumps({
        "created": created, "architecture": arch, "os": "linux",
        "config": {"Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [_sha(raw)]},
        "history": [{"created": created, "created_by": "test", "comment": "made by a test"}],
    }, sort_keys=True).encode()
    with store.writing():
        layer = store.blobs.put_bytes(gz)
        cfg = store.blobs.put_bytes(config)
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg,
                       "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer,
                        "size": len(gz)}],
        }).encode()
        m = store.blobs.put_bytes(manifest)
        store.add_image(m, names or [])
    return m, cfg, [layer]

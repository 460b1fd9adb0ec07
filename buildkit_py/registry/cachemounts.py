"""`RUN --mount=type=cache` contents carried in the remote cache (`cache-mounts=true`).

A cache mount lives in `$PYBUILD_ROOT/cache-mounts/<sha256(id)[:32]>`. Export writes each as a
gzip tar layer into the store; import unpacks one into a fresh directory beside it and renames it
into place, only where no mount of that name exists (a local cache is never overwritten).
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from ..oci import mediatypes as mt
from ..store import Store

ANNOTATION = "dev.pybuild.cache-mount"
_NAME = re.compile(r"[0-9a-f]{32}")


def mounts_dir(store: Store) -> Path:
    return Path(store.root) / "cache-mounts"


def export_mounts(store: Store, names: Iterable[str] | None = None) -> list[dict]:
    """Write cache mounts (all, or those named) as layer blobs; returns their descriptors."""
    from ..oci.layer import write_layer_from_dir

    base = mounts_dir(store)
    if not base.is_dir():
        return []
    wanted = set(names) if names is not None else None
    out = []
    for name in sorted(os.listdir(base)):
        path = base / name
        if not _NAME.fullmatch(name) or not path.is_dir() or (wanted is not None and name not in wanted):
            continue
        with store.blobs.writer() as w:
            info = write_layer_from_dir(path, w, compression="gzip", whiteouts=False)
            digest = w.commit()
        out.append({"mediaType": mt.OCI_LAYER_GZIP, "digest": digest, "size": info.size,
                    "annotations": {ANNOTATION: name}})
    return out


def is_wanted(store: Store, name: str) -> bool:
    """True when a mount of this name is not here yet (so importing it is useful)."""
    return bool(_NAME.fullmatch(name)) and not (mounts_dir(store) / name).exists()


def import_mount(store: Store, name: str, blob: BinaryIO) -> bool:
    """Unpack a cache-mount layer as mount `name` unless one exists; True when it was put in place."""
    from ..oci.layer import apply_layer

    if not is_wanted(store, name):
        return False
    base = mounts_dir(store)
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".import-{secrets.token_hex(8)}"
    tmp.mkdir(mode=0o755)
    try:
        apply_layer(blob, tmp)
        try:
            os.rename(tmp, base / name)  # fails if a build made the mount meanwhile: keep theirs
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            return False
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True

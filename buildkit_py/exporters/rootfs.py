"""Root filesystem tarballs and images: `import` makes a one-layer image, `export` flattens one.

An import is deterministic: the layer is normalized by `oci.layer.rewrite_tar_as_layer`, and the
config's `created` is SOURCE_DATE_EPOCH when set, else the tarball's modification time (now for
stdin), so importing the same file twice, into any store, gives the same digests.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from ..oci import mediatypes as mt
from ..oci.image import ContainerConfig, Descriptor, History, ImageConfig, Manifest, canonical_json
from ..oci.layer import apply_layer, rewrite_tar_as_layer, write_layer_from_dir
from ..records import dataclass
from ..store import Store
from ..store.db import ImageRow
from ..store.errors import StoreError
from ..store.images import ImageView
from ..store.platforms import PlatformSpec, host_platform
from ..store.units import rfc3339
from .changes import apply_changes


@dataclass(frozen=True)
class ImportOptions:
    names: tuple[str, ...] = ()
    platform: PlatformSpec | None = None
    message: str | None = None
    changes: tuple[str, ...] = ()
    compression: str = "gzip"
    created: float | None = None        # unix time; default: see the module docstring
    source_name: str = "-"             # for the history comment, as docker's "Imported from -"


def source_date_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        from ..store.errors import InvalidInput
        raise InvalidInput(f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds") from None


def import_rootfs(store: Store, src: BinaryIO, opts: ImportOptions) -> ImageRow:
    """Store the tarball `src` as a one-layer image and give it `opts.names`."""
    platform = opts.platform or host_platform()
    sde = source_date_epoch()
    created = rfc3339(sde if sde is not None else opts.created if opts.created is not None else time.time())
    container = apply_changes(list(opts.changes), {}) if opts.changes else None
    spool = store.root / "tmp"
    spool.mkdir(exist_ok=True)
    with store.writing():
        with store.blobs.writer() as w:
            info = rewrite_tar_as_layer(src, w, compression=opts.compression, source_date_epoch=sde,
                                        spool_dir=str(spool))
            layer_digest = w.commit()
        if layer_digest != info.digest:
            raise StoreError(f"layer digest {layer_digest} differs from the writer's {info.digest}")
        store.db.set_layer_info(layer_digest, info.diff_id, info.uncompressed_size)
        comment = opts.message or f"Imported from {opts.source_name}"
        config = ImageConfig(
            architecture=platform.architecture, os=platform.os, variant=platform.variant,
            diff_ids=(info.diff_id,), created=created,
            config=ContainerConfig.from_json(container) if container else None,
            history=(History(created=created, comment=comment),),
            extra={"comment": opts.message} if opts.message else None,
        )
        config_bytes = canonical_json(config)
        config_digest = store.blobs.put_bytes(config_bytes)
        manifest = Manifest(
            config=Descriptor(mt.OCI_CONFIG, config_digest, len(config_bytes)),
            layers=(Descriptor(info.media_type, layer_digest, info.size),),
        )
        manifest_digest = store.blobs.put_bytes(canonical_json(manifest))
        return store.add_image(manifest_digest, opts.names, mt.OCI_MANIFEST)


def export_rootfs(store: Store, view: ImageView, out: BinaryIO) -> None:
    """Write the image's filesystem, all layers applied in order, as one plain tar to `out`."""
    with tempfile.TemporaryDirectory(prefix="pybuild-export-") as tmp:
        root = Path(tmp) / "rootfs"
        root.mkdir()
        for layer, diff_id in zip(view.layers, view.diff_ids + [None] * len(view.layers)):
            with store.blobs.open(str(layer["digest"])) as blob:
                media_type = layer.get("mediaType")
                apply_layer(blob, root, media_type=media_type if mt.is_layer(media_type) else None,
                            expected_diff_id=diff_id)
        write_layer_from_dir(root, out, compression="none", whiteouts=False)

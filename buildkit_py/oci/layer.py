"""Layers: deterministic streaming tarballs and a safe applier (the public API of this part).

- `write_layer_from_dir`, `write_layer_from_entries`, `rewrite_tar_as_layer` write a layer to a
  binary stream and return its `LayerInfo`; diff_id and blob digest are computed while writing.
- `apply_layer` unpacks a layer onto a root filesystem (whiteouts applied), or with
  `overlay_whiteouts=True` into a directory of its own as an overlayfs lowerdir (whiteouts kept
  as 0/0 character devices and trusted.overlay.opaque=y). Paths never leave the root.

Normal form of every layer we write: entries depth first with names compared as bytes (a
directory before its contents, as Go's filepath.Walk); PAX format headers from stdlib tarfile;
numeric owners with empty user/group names; mtimes in whole seconds, clamped to
SOURCE_DATE_EPOCH when given; permission bits including setuid/setgid/sticky; xattrs as
SCHILY.xattr records (security.capability, user.*, trusted.* but not overlayfs' own); of
hardlinked names the first carries the data and the rest are link entries; ends with two zero
blocks. gzip members have a fixed header (mtime 0, no name, OS 255); zstd frames carry a checksum.
"""
from __future__ import annotations

from buildkit_py.oci.apply import apply_layer
from buildkit_py.oci.compress import detect_compression
from buildkit_py.oci.layerbase import LayerError, LayerInfo
from buildkit_py.oci.layerwrite import (
    Source, rewrite_tar_as_layer, write_layer_from_dir, write_layer_from_entries,
)

__all__ = [
    "LayerError", "LayerInfo", "Source", "apply_layer", "detect_compression",
    "rewrite_tar_as_layer", "write_layer_from_dir", "write_layer_from_entries",
]

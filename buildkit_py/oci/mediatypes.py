"""Media types of OCI image-spec 1.1 and Docker image manifest v2 schema 2, and their mapping.

Docker's names are what `docker save`/registries from before OCI use; the two families describe
the same objects, so `to_docker`/`to_oci` map one-to-one where a counterpart exists.
"""
from __future__ import annotations

OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
# Deprecated by image-spec 1.1 but still found in the wild; read, never written.
OCI_LAYER_NONDIST = "application/vnd.oci.image.layer.nondistributable.v1.tar"
OCI_LAYER_NONDIST_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
OCI_LAYER_NONDIST_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
# Docker never registered a name for an uncompressed layer; this is the one moby and BuildKit use.
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd"
DOCKER_LAYER_FOREIGN_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

_MANIFESTS = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
_INDEXES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})
_CONFIGS = frozenset({OCI_CONFIG, DOCKER_CONFIG})
_COMPRESSION: dict[str, str] = {
    OCI_LAYER: "none",
    OCI_LAYER_GZIP: "gzip",
    OCI_LAYER_ZSTD: "zstd",
    OCI_LAYER_NONDIST: "none",
    OCI_LAYER_NONDIST_GZIP: "gzip",
    OCI_LAYER_NONDIST_ZSTD: "zstd",
    DOCKER_LAYER: "none",
    DOCKER_LAYER_GZIP: "gzip",
    DOCKER_LAYER_ZSTD: "zstd",
    DOCKER_LAYER_FOREIGN_GZIP: "gzip",
}
_OCI_TO_DOCKER: dict[str, str] = {
    OCI_MANIFEST: DOCKER_MANIFEST,
    OCI_INDEX: DOCKER_MANIFEST_LIST,
    OCI_CONFIG: DOCKER_CONFIG,
    OCI_LAYER: DOCKER_LAYER,
    OCI_LAYER_GZIP: DOCKER_LAYER_GZIP,
    OCI_LAYER_ZSTD: DOCKER_LAYER_ZSTD,
    OCI_LAYER_NONDIST_GZIP: DOCKER_LAYER_FOREIGN_GZIP,
}
_DOCKER_TO_OCI = {v: k for k, v in _OCI_TO_DOCKER.items()}
LAYER_MEDIA_TYPES = {
    "oci": {"none": OCI_LAYER, "gzip": OCI_LAYER_GZIP, "zstd": OCI_LAYER_ZSTD},
    "docker": {"none": DOCKER_LAYER, "gzip": DOCKER_LAYER_GZIP, "zstd": DOCKER_LAYER_ZSTD},
}


def is_manifest(mt: str | None) -> bool:
    """An image manifest (OCI or Docker schema 2)."""
    return mt in _MANIFESTS


def is_index(mt: str | None) -> bool:
    """A list of manifests: an OCI index or a Docker manifest list."""
    return mt in _INDEXES


def is_config(mt: str | None) -> bool:
    """An image configuration (OCI or Docker)."""
    return mt in _CONFIGS


def is_layer(mt: str | None) -> bool:
    """A filesystem layer of either family, compressed or not."""
    return mt in _COMPRESSION


def compression_of(mt: str) -> str:
    """"gzip", "zstd" or "none" for a layer media type; ValueError for anything else."""
    try:
        return _COMPRESSION[mt]
    except KeyError:
        raise ValueError(f"not a layer media type: {mt!r}") from None


def layer_media_type(compression: str, *, docker: bool = False) -> str:
    """The layer media type for a compression ("gzip", "zstd", "none") in one family."""
    table = LAYER_MEDIA_TYPES["docker" if docker else "oci"]
    try:
        return table[compression]
    except KeyError:
        raise ValueError(f"unknown compression {compression!r}; use gzip, zstd or none") from None


def to_docker(mt: str) -> str:
    """The Docker name of an OCI media type; Docker names and unknown types pass through."""
    return _OCI_TO_DOCKER.get(mt, mt)


def to_oci(mt: str) -> str:
    """The OCI name of a Docker media type; OCI names and unknown types pass through."""
    return _DOCKER_TO_OCI.get(mt, mt)

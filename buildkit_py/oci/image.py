"""OCI image-spec 1.1 objects (also read and written with Docker schema 2 media types).

Each class is a frozen dataclass with `to_json()` (a dict in the spec's field order, ready for
`canonical_json`) and `from_json(d)` (checks types, names the bad field, keeps unknown fields in
`extra` so a round trip loses nothing). Digests of objects we did not write must be taken of the
bytes as received, never of a re-encoding.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from buildkit_py.oci import mediatypes as mt
from buildkit_py.oci.config import ContainerConfig, Healthcheck, History, ImageConfig
from buildkit_py.oci.jsonfields import (
    ImageSpecError, canonical_json, check_digest, digest_bytes, extra_fields, get_int, get_map,
    get_str, get_strs, load_json, obj, put, sorted_map, with_extra,
)
from buildkit_py.records import dataclass

__all__ = [
    "Descriptor", "Platform", "Manifest", "Index", "ImageConfig", "ContainerConfig",
    "Healthcheck", "History", "ImageSpecError", "canonical_json", "digest_bytes",
    "check_digest", "load_json", "parse_manifest_or_index", "oci_layout_json",
    "LAYOUT_VERSION",
]

LAYOUT_VERSION = "1.0.0"


def oci_layout_json() -> bytes:
    """The contents of an OCI image layout's `oci-layout` file."""
    return canonical_json({"imageLayoutVersion": LAYOUT_VERSION})


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str | None = None
    os_version: str | None = None
    os_features: tuple[str, ...] | None = None
    extra: Mapping[str, Any] | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"architecture": self.architecture, "os": self.os}
        put(out, "os.version", self.os_version)
        put(out, "os.features", None if self.os_features is None else list(self.os_features))
        put(out, "variant", self.variant)
        return with_extra(out, self.extra)

    @classmethod
    def from_json(cls, d: Any) -> Platform:
        w = "platform"
        d = obj(d, w)
        return cls(
            os=get_str(d, "os", w, required=True) or "",
            architecture=get_str(d, "architecture", w, required=True) or "",
            variant=get_str(d, "variant", w),
            os_version=get_str(d, "os.version", w),
            os_features=get_strs(d, "os.features", w),
            extra=extra_fields(d, ("os", "architecture", "variant", "os.version", "os.features")),
        )


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    annotations: Mapping[str, str] | None = None
    platform: Platform | None = None
    urls: tuple[str, ...] | None = None
    artifact_type: str | None = None
    extra: Mapping[str, Any] | None = field(default=None, compare=False)  # e.g. "data"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        put(out, "urls", None if self.urls is None else list(self.urls))
        put(out, "annotations", sorted_map(self.annotations))
        if self.extra and "data" in self.extra:
            out["data"] = self.extra["data"]
        put(out, "platform", None if self.platform is None else self.platform.to_json())
        put(out, "artifactType", self.artifact_type)
        return with_extra(out, self.extra)

    @classmethod
    def from_json(cls, d: Any, what: str = "descriptor") -> Descriptor:
        d = obj(d, what)
        size = get_int(d, "size", what, required=True) or 0
        if size < 0:
            raise ImageSpecError(f"{what}: size must not be negative, got {size}")
        platform = d.get("platform")
        return cls(
            media_type=get_str(d, "mediaType", what, required=True) or "",
            digest=check_digest(d.get("digest"), f"{what}: digest"),
            size=size,
            annotations=get_map(d, "annotations", what),
            platform=None if platform is None else Platform.from_json(platform),
            urls=get_strs(d, "urls", what),
            artifact_type=get_str(d, "artifactType", what),
            extra=extra_fields(d, ("mediaType", "digest", "size", "annotations", "platform",
                                   "urls", "artifactType")),
        )


def _descriptors(d: Mapping[str, Any], key: str, what: str) -> tuple[Descriptor, ...]:
    items = d.get(key)
    if items is None:
        raise ImageSpecError(f"{what}: missing required field {key!r}")
    if not isinstance(items, list):
        raise ImageSpecError(f"{what}: field {key!r} must be an array")
    return tuple(Descriptor.from_json(x, f"{what}: {key}[{i}]") for i, x in enumerate(items))


def _schema_version(d: Mapping[str, Any], what: str) -> int:
    version = get_int(d, "schemaVersion", what, required=True)
    if version != 2:
        raise ImageSpecError(f"{what}: schemaVersion must be 2, got {version}",
                             hint="schema 1 manifests are not supported")
    return version


def _subject(d: Mapping[str, Any], what: str) -> Descriptor | None:
    s = d.get("subject")
    return None if s is None else Descriptor.from_json(s, f"{what}: subject")


def _top_json(o: Manifest | Index, body: dict[str, Any]) -> dict[str, Any]:
    """The JSON of a manifest or index: the common head and tail around its own `body`."""
    out: dict[str, Any] = {"schemaVersion": o.schema_version, "mediaType": o.media_type}
    put(out, "artifactType", o.artifact_type)
    out.update(body)
    put(out, "subject", None if o.subject is None else o.subject.to_json())
    put(out, "annotations", sorted_map(o.annotations))
    return with_extra(out, o.extra)


_TOP_KEYS = ("schemaVersion", "mediaType", "artifactType", "subject", "annotations")


@dataclass(frozen=True)
class Manifest:
    config: Descriptor
    layers: tuple[Descriptor, ...]
    media_type: str = mt.OCI_MANIFEST
    annotations: Mapping[str, str] | None = None
    schema_version: int = 2
    artifact_type: str | None = None
    subject: Descriptor | None = None
    extra: Mapping[str, Any] | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return _top_json(self, {"config": self.config.to_json(),
                                "layers": [x.to_json() for x in self.layers]})

    @classmethod
    def from_json(cls, d: Any) -> Manifest:
        w = "manifest"
        d = obj(d, w)
        schema_version = _schema_version(d, w)
        media_type = get_str(d, "mediaType", w) or mt.OCI_MANIFEST
        if not mt.is_manifest(media_type):
            raise ImageSpecError(f"{w}: mediaType {media_type!r} is not an image manifest")
        config = d.get("config")
        if config is None:
            raise ImageSpecError(f"{w}: missing required field 'config'")
        return cls(
            config=Descriptor.from_json(config, f"{w}: config"),
            layers=_descriptors(d, "layers", w),
            media_type=media_type,
            annotations=get_map(d, "annotations", w),
            schema_version=schema_version,
            artifact_type=get_str(d, "artifactType", w),
            subject=_subject(d, w),
            extra=extra_fields(d, (*_TOP_KEYS, "config", "layers")),
        )


@dataclass(frozen=True)
class Index:
    manifests: tuple[Descriptor, ...]
    media_type: str = mt.OCI_INDEX
    annotations: Mapping[str, str] | None = None
    schema_version: int = 2
    artifact_type: str | None = None
    subject: Descriptor | None = None
    extra: Mapping[str, Any] | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return _top_json(self, {"manifests": [x.to_json() for x in self.manifests]})

    @classmethod
    def from_json(cls, d: Any) -> Index:
        w = "index"
        d = obj(d, w)
        media_type = get_str(d, "mediaType", w) or mt.OCI_INDEX
        if not mt.is_index(media_type):
            raise ImageSpecError(f"{w}: mediaType {media_type!r} is not an index")
        return cls(
            manifests=_descriptors(d, "manifests", w),
            media_type=media_type,
            annotations=get_map(d, "annotations", w),
            schema_version=_schema_version(d, w),
            artifact_type=get_str(d, "artifactType", w),
            subject=_subject(d, w),
            extra=extra_fields(d, (*_TOP_KEYS, "manifests")),
        )


def parse_manifest_or_index(data: bytes) -> Manifest | Index:
    """Parse manifest or index bytes, telling them apart by mediaType (else by their fields)."""
    d = load_json(data, "manifest")
    media_type = d.get("mediaType")
    if mt.is_index(media_type) or (media_type is None and "manifests" in d):
        return Index.from_json(d)
    return Manifest.from_json(d)

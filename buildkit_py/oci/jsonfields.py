"""Checked access to fields of untrusted JSON (registries, tarballs) and the canonical encoding.

Every getter names the object and field in its error, so a bad manifest from a registry says
which field is wrong instead of raising a KeyError deep inside the store.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from buildkit_py.errors import PybuildError


class ImageSpecError(PybuildError):
    """A manifest, index, config or descriptor that does not follow the OCI image spec."""

    def location(self) -> str:
        return super().location() if self.path else "image"


# Registered algorithms only: the digest becomes a path in the store, so nothing else gets in.
_DIGEST_RE = re.compile(r"(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})")


def check_digest(value: object, what: str = "digest") -> str:
    """`value` if it is a sha256/sha512 digest in canonical form, else ImageSpecError."""
    if not isinstance(value, str) or not _DIGEST_RE.fullmatch(value):
        raise ImageSpecError(
            f"{what}: not a valid digest: {value!r}",
            hint="expected sha256:<64 lowercase hex> or sha512:<128 lowercase hex>",
        )
    return value


def digest_bytes(data: bytes) -> str:
    """The OCI digest of some bytes: "sha256:<hex>"."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


# Go's encoding/json escapes these inside strings; doing the same makes our bytes equal to what
# BuildKit and containerd write for the same object, and keeps the encoding one fixed function.
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                             "\u2028": "\\u2028", "\u2029": "\\u2029"})


def canonical_json(obj: Any) -> bytes:
    """The exact bytes we write for an object (anything with `to_json()`) or a JSON dict.

    Encoding: keys in the order `to_json` builds them (the OCI spec's field order, as Go writes
    struct fields; maps such as annotations and labels with sorted keys), compact separators,
    UTF-8 without \\u escapes except Go's (<, >, &, U+2028, U+2029), no trailing newline.
    """
    if hasattr(obj, "to_json"):
        obj = obj.to_json()
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_GO_ESCAPES).encode("utf-8")


def load_json(data: bytes | str, what: str) -> dict[str, Any]:
    """Parse a JSON object, or raise ImageSpecError naming `what`."""
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImageSpecError(f"{what}: not valid JSON: {exc}") from None
    return obj(value, what)


def obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ImageSpecError(f"{what}: expected a JSON object, got {_kind(value)}")
    return value


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


def get_str(d: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> str | None:
    value = d.get(key)
    if value is None:
        if required:
            raise ImageSpecError(f"{what}: missing required field {key!r}")
        return None
    if not isinstance(value, str):
        raise ImageSpecError(f"{what}: field {key!r} must be a string, got {_kind(value)}")
    return value


def get_int(d: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> int | None:
    value = d.get(key)
    if value is None:
        if required:
            raise ImageSpecError(f"{what}: missing required field {key!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ImageSpecError(f"{what}: field {key!r} must be an integer, got {_kind(value)}")
    return value


def get_bool(d: Mapping[str, Any], key: str, what: str) -> bool:
    value = d.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ImageSpecError(f"{what}: field {key!r} must be true or false, got {_kind(value)}")
    return value


def get_strs(d: Mapping[str, Any], key: str, what: str) -> tuple[str, ...] | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ImageSpecError(f"{what}: field {key!r} must be an array of strings")
    return tuple(value)


def get_map(d: Mapping[str, Any], key: str, what: str) -> dict[str, str] | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ImageSpecError(f"{what}: field {key!r} must be an object of strings")
    return dict(value)


def get_set(d: Mapping[str, Any], key: str, what: str) -> tuple[str, ...] | None:
    """A Go map[string]struct{} (ExposedPorts, Volumes) as its sorted keys."""
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ImageSpecError(f"{what}: field {key!r} must be an object")
    return tuple(sorted(value))


def extra_fields(d: Mapping[str, Any], known: Iterable[str]) -> dict[str, Any] | None:
    """The fields we do not model, kept so that reading and writing an object loses nothing."""
    known = set(known)
    rest = {k: v for k, v in d.items() if k not in known}
    return rest or None


def put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set `key` unless the value is None (Go's omitempty, for the fields where we use it)."""
    if value is not None:
        out[key] = value


def sorted_map(m: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if m is None else {k: m[k] for k in sorted(m)}


def with_extra(out: dict[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """`out` followed by the unknown fields read with the object (known fields win)."""
    if extra:
        for k, v in extra.items():
            out.setdefault(k, v)
    return out

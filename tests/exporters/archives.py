"""Reading what we wrote: tar members, OCI layout files, JSON schema checks."""
from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = {"manifest": "image-manifest-schema.json", "index": "image-index-schema.json",
           "config": "config-schema.json", "layout": "image-layout-schema.json"}


def members(tar_path: Path) -> dict[str, bytes]:
    """Regular files of a tar, by name."""
    out = {}
    with tarfile.open(tar_path) as tar:
        for ti in tar:
            if ti.isreg():
                f = tar.extractfile(ti)
                assert f is not None
                out[ti.name] = f.read()
    return out


def validator(schemas: Path, kind: str) -> Draft4Validator:
    """A validator for one of the OCI image-spec schemas; $refs resolve to the files beside it."""
    def retrieve(uri: str) -> Resource[Any]:
        return DRAFT4.create_resource(json.loads((schemas / uri.rsplit("/", 1)[-1]).read_text()))

    registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    schema = json.loads((schemas / SCHEMAS[kind]).read_text())
    return Draft4Validator(schema, registry=registry)


def check(schemas: Path, kind: str, data: bytes) -> None:
    """Raise if `data` does not validate as `kind` (manifest, index, config, layout)."""
    doc = json.loads(data)
    errors = sorted(validator(schemas, kind).iter_errors(doc), key=str)
    assert not errors, f"{kind} does not validate: {errors[0].message} at {list(errors[0].path)}"

"""Fixtures for the oci tests: the OCI JSON schemas as validators, sample trees, tools."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def oci_schema(shared: Path) -> Callable[[str, object], None]:
    """`oci_schema(name, doc)` validates `doc` against one of the image-spec schemas by file name
    (e.g. "image-manifest-schema.json"); raises jsonschema.ValidationError if it does not."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    folder = shared / "schemas" / "oci-image-spec"
    docs = {p.name: json.loads(p.read_text()) for p in folder.glob("*.json")}
    assert "image-manifest-schema.json" in docs, f"schemas missing in {folder}"

    # The schemas name each other by relative file name against nested "id"s, so a reference
    # can arrive under many base URIs; what identifies the target is its last path segment.
    def retrieve(uri: str) -> Resource:
        name = uri.rsplit("/", 1)[-1]
        if name not in docs:
            raise LookupError(f"unknown schema reference {uri}")
        return Resource(contents=docs[name], specification=DRAFT4)

    registry = Registry(retrieve=retrieve)  # type: ignore[call-arg]

    def validate(name: str, doc: object) -> None:
        schema = docs[name]
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
        validator = cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
        validator.validate(doc)

    return validate


def require_tool(name: str) -> str:
    """The path of a command-line tool the test needs; fails (never skips) when it is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; run scripts/setup.sh (it installs the Debian "
                    f"package {name})")
    return path

"""Shared test set-up: where the project's reference data lives."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# BuildKit's conformance cases, the corpus and the schemas live beside the clone, not in it.
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    assert SHARED.is_dir(), f"reference data missing: expected {SHARED} beside the clone"
    return SHARED

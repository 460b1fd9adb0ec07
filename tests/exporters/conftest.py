"""Exporter tests use the store tests' fixtures: a store root run through the CLI, a busybox rootfs."""
from __future__ import annotations

from tests.store.conftest import busybox, busybox_tar, pybuild, store  # noqa: F401  (fixtures)

"""Where the store lives: `$PYBUILD_ROOT`, else `$XDG_DATA_HOME/pybuild`, else ~/.local/share/pybuild."""
from __future__ import annotations

from pathlib import Path

from ..locations import store_root


def default_root() -> Path:
    """The store root for this user and environment (locations.store_root, as a Path)."""
    return Path(store_root())

"""Where the store lives: `$PYBUILD_ROOT`, else `$XDG_DATA_HOME/pybuild`, else ~/.local/share/pybuild."""
from __future__ import annotations

import os
from pathlib import Path


def default_root() -> Path:
    """The store root for this user and environment."""
    env = os.environ.get("PYBUILD_ROOT")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "pybuild"

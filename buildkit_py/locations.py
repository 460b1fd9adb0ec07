"""Where pybuild keeps things: the store root and the cache directory.

Plain `os.path` and strings, no package imports: the console script's lean paths (a cached
rebuild, a lean pull or push) and the parser's table cache ask before anything heavy loads.
"""
from __future__ import annotations

import os


def store_root() -> str:
    """`$PYBUILD_ROOT`, else `$XDG_DATA_HOME/pybuild`, else ~/.local/share/pybuild."""
    env = os.environ.get("PYBUILD_ROOT")
    if env:
        return os.path.expanduser(env)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = os.path.expanduser(xdg) if xdg else os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "pybuild")


def cache_dir() -> str:
    """`$XDG_CACHE_HOME/pybuild`, else ~/.cache/pybuild (compiled grammar tables; safe to delete)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pybuild")

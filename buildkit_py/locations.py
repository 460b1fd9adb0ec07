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


def replace_file(path: str, data: bytes, mode: int = 0o666) -> None:
    """Write a cache file whole: readers see the old file or the new one, never part of it
    (`mode` before the umask). A cache that cannot be written is skipped: the next run makes it."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass

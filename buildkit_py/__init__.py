"""pybuild: a daemonless Dockerfile build engine and linter.

The public API is imported lazily so that `import buildkit_py` stays cheap.
"""
from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "parse": ("buildkit_py.syntax", "parse"),
    "parse_file": ("buildkit_py.syntax", "parse_file"),
    "Dockerfile": ("buildkit_py.syntax", "Dockerfile"),
    "DockerfileSyntaxError": ("buildkit_py.syntax", "DockerfileSyntaxError"),
    "lint": ("buildkit_py.lint", "lint"),
}


def __getattr__(name: str) -> object:  # typing is not imported: this package must load fast
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'buildkit_py' has no attribute {name!r}") from None
    import importlib

    return getattr(importlib.import_module(module), attr)


__all__ = sorted(_LAZY)

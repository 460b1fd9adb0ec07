"""Rule modules: rules/buildkit (BuildKit's build checks), rules/hadolint (DL codes), rules/pybuild (PB codes).

One rule per module (or a small family). Adding a rule is adding a module; nothing else changes.
"""
from __future__ import annotations

import importlib
import pkgutil

_LOADED = False


def load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    for family in ("buildkit", "hadolint", "pybuild"):
        pkg = importlib.import_module(f"{__name__}.{family}")
        for info in pkgutil.iter_modules(pkg.__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{pkg.__name__}.{info.name}")
    _LOADED = True

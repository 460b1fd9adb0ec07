"""Rule modules: rules/buildkit (BuildKit's build checks), rules/hadolint (DL codes), rules/pybuild (PB codes).

One rule per module (or a small family). Adding a rule is adding a module; nothing else changes.
"""
from __future__ import annotations

import importlib
import os

_LOADED = False


def load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    for family in ("buildkit", "hadolint", "pybuild"):
        pkg = importlib.import_module(f"{__name__}.{family}")
        # the package's modules by name, as pkgutil.iter_modules lists them (pkgutil itself
        # imports typing: ~6 ms at every start)
        names = sorted({n[:-3] for d in pkg.__path__ for n in os.listdir(d) if n.endswith(".py")})
        for name in names:
            if not name.startswith("_"):
                importlib.import_module(f"{pkg.__name__}.{name}")
    _LOADED = True

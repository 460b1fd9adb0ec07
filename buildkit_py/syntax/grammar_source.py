"""Where grammar/dockerfile.lark is, and its text (no Lark import: the parse path reads it to check its table cache)."""
from __future__ import annotations

import functools
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# In a checkout the grammar lives at the top of the repository; an installed package carries a copy.
_CANDIDATES = (_HERE.parent.parent / "grammar" / "dockerfile.lark", _HERE / "dockerfile.lark")


@functools.cache
def grammar_text() -> str:
    for path in _CANDIDATES:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError("grammar/dockerfile.lark not found")  # pragma: no cover

"""Terminal conventions shared by every command (no click import: the lean paths use them too)."""
from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from typing import Any


def use_color(stream: Any = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stderr
    return hasattr(stream, "isatty") and stream.isatty()

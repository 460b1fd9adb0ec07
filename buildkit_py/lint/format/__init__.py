"""Output formats for diagnostics. Each module has `render(diags, *, color) -> str`."""
from __future__ import annotations

import importlib
from collections.abc import Sequence

from ..model import Diagnostic

# name -> module in this package
FORMATS: dict[str, str] = {
    "tty": "tty", "json": "json_", "sarif": "sarif", "checkstyle": "checkstyle",
    "codeclimate": "codeclimate", "gitlab": "codeclimate", "github": "github", "gnu": "gnu",
}


def render(fmt: str, diags: Sequence[Diagnostic], *, color: bool = False) -> str:
    """The whole report in format `fmt` (empty string when a format prints nothing for no findings)."""
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    if fmt == "gitlab":
        return module.render_gitlab(diags)
    return module.render(diags, color=color)


def display_path(diag: Diagnostic) -> str:
    return diag.path or "<stdin>"

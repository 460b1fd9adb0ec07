"""Checkstyle XML, which many CI tools (Jenkins, reviewdog, ...) read."""
from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import quoteattr

from ..model import Diagnostic, Severity
from . import display_path

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def render(diags: Sequence[Diagnostic], *, color: bool = False) -> str:
    files: dict[str, list[Diagnostic]] = {}
    for d in diags:
        files.setdefault(display_path(d), []).append(d)
    out = ["<?xml version='1.0' encoding='UTF-8'?>", "<checkstyle version='4.3'>"]
    for name, items in files.items():
        out.append(f"<file name={quoteattr(name)}>")
        for d in items:
            out.append(
                f"<error line='{d.span.start_line}' column='{d.span.start_col}' "
                f"severity='{_LEVEL.get(d.severity, 'info')}' message={quoteattr(d.message)} "
                f"source={quoteattr('pybuild.' + d.code)}/>"
            )
        out.append("</file>")
    out.append("</checkstyle>")
    return "\n".join(out)

"""GitHub Actions workflow commands: annotations on the pull request's lines."""
from __future__ import annotations

from collections.abc import Sequence

from ..model import Diagnostic, Severity
from . import display_path

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(diags: Sequence[Diagnostic], *, color: bool = False) -> str:
    lines = []
    for d in diags:
        level = _LEVEL.get(d.severity, "notice")
        props = (f"file={_prop(display_path(d))},line={d.span.start_line},col={d.span.start_col},"
                 f"endLine={d.span.end_line},endColumn={d.span.end_col},title={_prop(d.code)}")
        lines.append(f"::{level} {props}::{_data(d.message)}")
    return "\n".join(lines)

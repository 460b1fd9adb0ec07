"""GNU's error format (`file:line.col: severity: message`), which editors' compile modes read."""
from __future__ import annotations

from collections.abc import Sequence

from ..model import Diagnostic
from . import display_path


def render(diags: Sequence[Diagnostic], *, color: bool = False) -> str:
    return "\n".join(
        f"{display_path(d)}:{d.span.start_line}.{d.span.start_col}: {d.severity}: {d.message} [{d.code}]"
        for d in diags
    )

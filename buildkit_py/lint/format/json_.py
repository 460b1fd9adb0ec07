"""For scripts: a JSON list of diagnostics (Diagnostic.to_json)."""
from __future__ import annotations

import json
from collections.abc import Sequence

from ..model import Diagnostic


def render(diags: Sequence[Diagnostic], *, color: bool = False) -> str:
    return json.dumps([d.to_json() for d in diags], indent=2, ensure_ascii=False)

"""Code Climate issues (one JSON document each, NUL-terminated) and GitLab's Code Quality report."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from ..model import Diagnostic, Severity
from . import display_path

_CC_SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "minor",
                Severity.STYLE: "info"}


def _fingerprint(d: Diagnostic) -> str:
    key = f"{display_path(d)}\0{d.code}\0{d.span.start_line}\0{d.message}\0{d.source_line.strip()}"
    return hashlib.md5(key.encode("utf-8", "surrogateescape"), usedforsecurity=False).hexdigest()


def _issue(d: Diagnostic) -> dict:
    return {
        "type": "issue", "check_name": d.code, "description": d.message, "categories": ["Bug Risk"]
        if d.severity >= Severity.WARNING else ["Style"],
        "severity": _CC_SEVERITY.get(d.severity, "info"), "fingerprint": _fingerprint(d),
        "location": {"path": display_path(d), "lines": {"begin": d.span.start_line, "end": d.span.end_line}},
    }


def render(diags: Sequence[Diagnostic], *, color: bool = False) -> str:
    return "".join(json.dumps(_issue(d), ensure_ascii=False) + "\0" for d in diags)


def render_gitlab(diags: Sequence[Diagnostic]) -> str:
    """GitLab's Code Quality artifact: a JSON array of the same issues."""
    items = []
    for d in diags:
        issue = _issue(d)
        issue.pop("type")
        issue.pop("categories")
        items.append(issue)
    return json.dumps(items, indent=2, ensure_ascii=False)

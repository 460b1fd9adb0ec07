"""SARIF 2.1.0, for code scanning (GitHub, Azure DevOps, IDEs)."""
from __future__ import annotations

import json
from collections.abc import Sequence

from ..model import Diagnostic, Severity
from ..rule import all_rules
from . import display_path

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _uri(path: str) -> str:
    return path.replace("\\", "/").replace(" ", "%20")


def _rule(code: str) -> dict:
    r = all_rules().get(code)
    if r is None:  # e.g. ShellCheck's SC codes
        return {"id": code}
    out: dict = {
        "id": r.code, "name": r.name, "shortDescription": {"text": r.summary},
        "defaultConfiguration": {"level": _LEVEL.get(r.severity, "note")},
        "properties": {"origin": r.origin, "fixable": r.fixable},
    }
    if r.docs:
        out["fullDescription"] = {"text": r.docs}
        out["help"] = {"text": r.docs}
    if r.url:
        out["helpUri"] = r.url
    return out


def _result(d: Diagnostic, index: int) -> dict:
    uri = _uri(display_path(d))
    out: dict = {
        "ruleId": d.code, "ruleIndex": index, "level": _LEVEL.get(d.severity, "note"),
        "message": {"text": d.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": d.span.start_line, "startColumn": d.span.start_col,
                       "endLine": d.span.end_line, "endColumn": max(d.span.end_col, 1)},
        }}],
    }
    if d.fix is not None:
        out["fixes"] = [{
            "description": {"text": d.fix.description},
            "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": [
                {"deletedRegion": {"charOffset": e.start, "charLength": e.end - e.start},
                 "insertedContent": {"text": e.text}} for e in d.fix.edits
            ]}],
        }]
    return out


def render(diags: Sequence[Diagnostic], *, color: bool = False) -> str:
    from ... import __version__

    codes = sorted({d.code for d in diags})
    index = {c: i for i, c in enumerate(codes)}
    doc = {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "pybuild", "version": __version__, "semanticVersion": __version__,
                                "rules": [_rule(c) for c in codes]}},
            "results": [_result(d, index[d.code]) for d in diags],
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)

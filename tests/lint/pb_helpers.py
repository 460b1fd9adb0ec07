"""Helpers for the pybuild-rule tests: lint a text, pick one rule's findings, apply fixes."""
from __future__ import annotations

from buildkit_py.lint import Diagnostic, LintConfig, lint


def run(text: str, code: str, **kwargs) -> list[Diagnostic]:
    """Only `code`'s diagnostics for `text` (the rule selected alone, as `--select CODE`)."""
    config = kwargs.pop("config", None) or LintConfig(select=frozenset({code}))
    return [d for d in lint(text, config, **kwargs) if d.code == code]


def lines(diags: list[Diagnostic]) -> list[int]:
    return [d.span.start_line for d in diags]


def apply_edits(text: str, diags: list[Diagnostic], *, unsafe: bool = False) -> str:
    """Apply the fixes of `diags` (safe ones, or all with `unsafe`); edits must not overlap."""
    edits = sorted(
        (e for d in diags if d.fix and (d.fix.safe or unsafe) for e in d.fix.edits),
        key=lambda e: (e.start, e.end),
    )
    out, pos = [], 0
    for e in edits:
        assert e.start >= pos, f"overlapping edits: {edits}"
        out += [text[pos : e.start], e.text]
        pos = e.end
    out.append(text[pos:])
    return "".join(out)

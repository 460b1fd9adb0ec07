"""Helpers for the DL-rule tests: run one rule over a small Dockerfile, apply its fixes."""
from __future__ import annotations

from buildkit_py.lint import LintConfig, all_rules
from buildkit_py.lint.context import LintContext
from buildkit_py.lint.model import Finding
from buildkit_py.syntax import parse


def findings(text: str, code: str, config: LintConfig | None = None) -> list[Finding]:
    """`code`'s findings for `text`, from the rule itself (no engine, pragmas or severity filter)."""
    df = parse(text, strict=False)
    return list(all_rules()[code].check(LintContext(df, config or LintConfig())))


def lines(text: str, code: str, config: LintConfig | None = None) -> list[int]:
    """The lines `code` reports for `text`, in order."""
    return sorted(f.span.start_line for f in findings(text, code, config))


def df(*lines_: str) -> str:
    """A Dockerfile from lines (so that tests read like hadolint's specs)."""
    return "\n".join(lines_) + "\n"


def fixed(text: str, code: str, *, unsafe: bool = False) -> str:
    """`text` with the fixes of `code`'s findings applied (safe ones, or all with `unsafe`)."""
    edits = sorted((e for f in findings(text, code) if f.fix and (f.fix.safe or unsafe) for e in f.fix.edits),
                   key=lambda e: (e.start, e.end))
    out, pos = [], 0
    for e in edits:
        assert e.start >= pos, f"overlapping edits: {edits}"
        out += [text[pos:e.start], e.text]
        pos = e.end
    return "".join(out) + text[pos:]

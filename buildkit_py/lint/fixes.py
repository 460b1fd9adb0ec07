"""Applying fixes: non-overlapping edits, every other byte left alone, repeated until nothing changes."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from ..records import dataclass
from .model import Diagnostic, Edit, Fix

MAX_PASSES = 10


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one place: their order would be a guess
    return a.start < b.end and b.start < a.end


def choose(fixes: Iterable[Fix], *, unsafe: bool = False) -> list[Edit]:
    """Edits of the fixes that can be applied together (a fix is taken whole or not at all)."""
    chosen: list[Edit] = []
    for fix in fixes:
        if not fix.safe and not unsafe:
            continue
        if any(_overlaps(e, c) for e in fix.edits for c in chosen):
            continue
        if any(_overlaps(a, b) for i, a in enumerate(fix.edits) for b in fix.edits[i + 1:]):
            continue
        chosen.extend(fix.edits)
    return chosen


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with non-overlapping `edits` applied (offsets refer to the original text)."""
    out: list[str] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[pos:e.start])
        out.append(e.text)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


@dataclass(frozen=True)
class FixResult:
    text: str  # the fixed text
    applied: int  # fixes applied over all passes
    diagnostics: list[Diagnostic]  # what is left to report on the fixed text


def fix_text(text: str, lint_text: Callable[[str], list[Diagnostic]], *, unsafe: bool = False) -> FixResult:
    """Apply fixes, lint again, and repeat (at most MAX_PASSES times) until no fix applies.

    `lint_text` lints a version of the text; a version it cannot parse is never kept.
    """
    from ..errors import PybuildError

    diags = lint_text(text)
    applied = 0
    for _ in range(MAX_PASSES):
        fixes = [d.fix for d in diags if d.fix is not None]
        edits = choose(fixes, unsafe=unsafe)
        if not edits:
            break
        new = apply_edits(text, edits)
        if new == text:
            break
        try:
            new_diags = lint_text(new)
        except PybuildError:
            break  # a fix that breaks the file is not applied
        applied += sum(1 for f in fixes if any(e in edits for e in f.edits))
        text, diags = new, new_diags
    return FixResult(text, applied, diags)

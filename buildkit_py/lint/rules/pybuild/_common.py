"""Helpers shared by the pybuild rules (not a rule module: the leading underscore keeps it out)."""
from __future__ import annotations

from ....syntax import ast as A
from ...context import LintContext


def file_offset(ctx: LintContext, ins: A.Instruction, line_offset: int) -> int:
    """Offset in the file of a character offset in `ins`'s logical line (continuations mapped)."""
    line, col = ins.raw.position(line_offset)
    return ctx.offset(line, col)


def args_offset(ins: A.Instruction) -> int:
    """Offset in the logical line where the arguments (after keyword and flags) begin."""
    rest = ins.raw.split.rest
    if not rest:
        return len(ins.line)
    found = ins.line.rfind(rest)
    return found if found >= 0 else len(ins.line) - len(rest)


def is_remote(source: str) -> bool:
    """A COPY/ADD source that is fetched, not read from the context (ADD only, but harmless)."""
    lowered = source.lower()
    return lowered.startswith(("http://", "https://", "git@", "git://")) or (
        "://" in lowered and lowered.split("://", 1)[0] in ("ssh", "git+ssh")
    )

"""Helpers for placing BuildKit findings: BuildKit reports at an instruction's first line."""
from __future__ import annotations

from ....errors import Span
from ....syntax import ast as A


def first_line(ins: A.Instruction) -> Span:
    """The instruction's first line, from its keyword to the end of that line."""
    text = ins.text.split("\n", 1)[0].rstrip("\r")
    if ins.span.end_line == ins.span.start_line:
        return ins.span
    return Span(ins.start_line, ins.span.start_col, ins.start_line, max(len(text) + 1, ins.span.start_col + 1))


def at(ins: A.Instruction, node: A.Flag | A.Word | A.KeyValue | A.ArgDef | None = None) -> Span:
    """Where to point: the node when it is on the instruction's first line, else that line."""
    if node is not None:
        span = ins.span_of(node)
        if span.start_line == ins.start_line:
            return span
    return first_line(ins)


def keyword_span(ins: A.Instruction) -> Span:
    col = ins.span.start_col
    return Span(ins.start_line, col, ins.start_line, col + len(ins.keyword))


def is_command(ins: A.Instruction) -> bool:
    """A real instruction (not one BuildKit rejects, which the parser kept for the linter)."""
    return not isinstance(ins, (A.Unknown, A.Invalid))


def ancestors(scope, index: int) -> list[int]:
    """The stages a stage builds on (FROM <stage>), nearest first."""
    out = []
    base = scope.bases[index]
    while base is not None and base not in out:
        out.append(base)
        base = scope.bases[base]
    return out


def dispatched_stages(ctx) -> list[A.Stage]:
    """The stages whose instructions a build dispatches (all, or what the target needs)."""
    chosen = ctx.scope.dispatched()
    return [s for s in ctx.stages if s.index in chosen]

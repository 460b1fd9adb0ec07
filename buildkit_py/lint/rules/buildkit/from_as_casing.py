"""FromAsCasing: the `AS` keyword should match the casing of `FROM`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding, Fix
from ...rule import rule
from ._common import at
from ._support import url


@rule(
    code="FromAsCasing",
    name="from-as-casing",
    summary="The 'as' keyword should match the case of the 'from' keyword",
    severity="warning",
    origin="buildkit",
    url=url("from-as-casing"),
    fixable=True,
    docs="""
What it does: flags `FROM image as name` where `FROM` is upper case and `as` is not (or the
reverse). A `FROM` keyword of mixed case is left to ConsistentInstructionCasing.

Why is this bad? Mixed casing on one line is harder to read and suggests a copy-paste from
another style.

Example:
    FROM debian:bookworm as build

Use instead:
    FROM debian:bookworm AS build

Fix safety: safe; keywords are case-insensitive.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in ctx.stages:
        ins = stage.from_
        kw, as_kw = ins.keyword, ins.as_keyword
        if as_kw is None or len(ins.args) < 3:
            continue
        if kw == kw.lower():
            want = as_kw.lower()
        elif kw == kw.upper():
            want = as_kw.upper()
        else:
            continue
        if as_kw != want:
            word = ins.args[1]
            fix = Fix(f"Write '{want}'", (ctx.replace(ins.span_of(word), want),))
            yield Finding(at(ins, word), f"'{as_kw}' and '{kw}' keywords' casing do not match", fix, instruction=ins)

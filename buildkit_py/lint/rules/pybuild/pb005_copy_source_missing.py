"""PB005: a COPY/ADD source that is not in the build context (needs --context)."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._context import build_context, local_sources


@rule(
    code="PB005",
    name="copy-source-missing",
    summary="COPY/ADD source not found in the build context",
    severity="error",
    needs_context=True,
    docs="""
What it does: with `--context DIR`, checks that every local source of COPY and ADD exists
in the build context, and that every wildcard matches something. Sources from another
stage or image (`--from`), URLs, heredocs and sources made of variables are not checked.

Why is this bad? The build fails at that step with "not found", after every step above it
has run; the linter says so at once, in the editor or in a pre-commit hook.

Example:
    COPY requirments.txt .

Use instead:
    COPY requirements.txt .

Fix safety: no fix; only you know which file was meant.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    bc = build_context(ctx)
    for ins in ctx.instructions:
        for source in local_sources(ins, bc):
            if source.matches:
                continue
            what = "matches nothing" if source.glob else "does not exist"
            span = next((ins.span_of(w) for w in ins.args if w.value == source.written), ins.span)
            yield Finding(span, f"{ins.keyword.upper()} source `{source.written}` {what} in the build context {bc.root}")

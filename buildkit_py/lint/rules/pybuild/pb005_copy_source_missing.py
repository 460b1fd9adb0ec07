"""PB005: a COPY/ADD source that is not in the build context (needs --context)."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule


@rule(
    code="PB005",
    name="copy-source-missing",
    summary="COPY/ADD source not found in the build context",
    severity="error",
    needs_context=True,
    docs="""
What it does: with `--context DIR`, checks that every local source of COPY and ADD exists
in the build context, and that every wildcard matches something (BuildKit copies nothing,
silently, for a wildcard that matches nothing). ARG and ENV references in sources are
expanded as the build would; sources from another stage or image (`--from`), URLs,
heredocs and references to unset variables are not checked.

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
    from ._context import build_context, context_copies  # only with --context

    bc = build_context(ctx)
    for ins, sources in context_copies(ctx, bc):
        for source in sources:
            if source.matches:
                continue
            what = "matches nothing" if source.glob else "does not exist"
            if "$" in source.written:
                what = f"(`{source.path}`) {what}"
            span = next((ins.span_of(w) for w in ins.args if w.value == source.written), ins.span)
            yield Finding(span, f"{ins.keyword.upper()} source `{source.written}` {what} in the build context {bc.root}")

"""DL3051: label `<label>` is empty."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import label_pairs, schema_labels


@rule(
    code="DL3051",
    name="label-empty",
    summary="Label `<label>` is empty",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3051",
    docs="""
What it does: with a label schema configured, flags a LABEL that sets one of the schema's
labels to the empty string.

Why is this bad? An empty label satisfies a "label present" check while telling nobody
anything; it is usually a build argument that was not passed.

Example (schema: `org.opencontainers.image.revision: hash`):
    LABEL org.opencontainers.image.revision=""

Use instead:
    LABEL org.opencontainers.image.revision="0f3a9c1"

Fix safety: no fix; the value is yours to give.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    labels = schema_labels(ctx)
    for ins in ctx.instructions:
        if not isinstance(ins, A.Label):
            continue
        pairs = label_pairs(ctx, ins)
        for label in labels:
            if any(k == label and v == "" for k, v in pairs):
                yield Finding(ins.span, f"label `{label}` is empty.")

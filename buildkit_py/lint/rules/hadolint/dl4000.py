"""DL4000: MAINTAINER is deprecated."""
from __future__ import annotations

import json
from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding, Fix
from ...rule import rule

MESSAGE = "MAINTAINER is deprecated"


def _fix(ctx: LintContext, ins: A.Maintainer) -> Fix | None:
    if ins.start_line != ins.end_line:
        return None  # continuation lines: leave the rewrite to a person
    if ctx.dockerfile.escape != "\\" and any(ch in ins.maintainer for ch in '"$\\'):
        return None  # JSON's backslash escapes would not be escapes with `# escape=``
    # A JSON string is a valid double-quoted Dockerfile word; `$` is escaped to stay literal,
    # as it was in MAINTAINER.
    value = json.dumps(ins.maintainer.strip(), ensure_ascii=False).replace("$", "\\$")
    return Fix("Replace MAINTAINER with LABEL maintainer=…", (ctx.replace(ins.span, f"LABEL maintainer={value}"),),
               safe=False)


@rule(
    code="DL4000",
    name="maintainer-deprecated",
    summary="MAINTAINER is deprecated",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL4000",
    fixable=True,
    docs="""
What it does: flags the MAINTAINER instruction.

Why is this bad? MAINTAINER has been deprecated since Docker 1.13. It sets a field of the
image config that tools no longer read; a `maintainer` label (or
`org.opencontainers.image.authors`) is where they look.

Example:
    MAINTAINER Jane Doe <jane@example.com>

Use instead:
    LABEL maintainer="Jane Doe <jane@example.com>"

Fix safety: unsafe: the fix rewrites the line as `LABEL maintainer="…"`, which moves the value
from the image's Author field to its labels; anything that reads Author sees the change.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if isinstance(ins, A.Maintainer):
            yield Finding(ins.span, MESSAGE, _fix(ctx, ins))

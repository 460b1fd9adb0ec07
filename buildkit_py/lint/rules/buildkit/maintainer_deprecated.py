"""MaintainerDeprecated: MAINTAINER is deprecated; use a label."""
from __future__ import annotations

import json
from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding, Fix
from ...rule import rule
from ._common import first_line, is_command
from ._support import url


@rule(
    code="MaintainerDeprecated",
    name="maintainer-deprecated",
    summary="The MAINTAINER instruction is deprecated, use a label instead to define an image author",
    severity="warning",
    origin="buildkit",
    url=url("maintainer-deprecated"),
    fixable=True,
    docs="""
What it does: flags the MAINTAINER instruction.

Why is this bad? MAINTAINER sets the image's legacy `author` field, which tools no longer
read. The OCI label `org.opencontainers.image.authors` is where authors belong.

Example:
    MAINTAINER Jane Doe <jane@example.org>

Use instead:
    LABEL org.opencontainers.image.authors="Jane Doe <jane@example.org>"

Fix safety: unsafe; the image config changes (a label instead of the author field).
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if isinstance(ins, A.Maintainer) and is_command(ins):
            fix = None
            if ins.start_line == ins.end_line and "\n" not in ins.maintainer:
                value = json.dumps(ins.maintainer.strip('"'), ensure_ascii=False)
                kw = "LABEL" if ins.keyword.isupper() else "label"
                edit = ctx.replace(ins.span, f"{kw} org.opencontainers.image.authors={value}")
                fix = Fix("Use the org.opencontainers.image.authors label", (edit,), safe=False)
            yield Finding(first_line(ins), "Maintainer instruction is deprecated in favor of using label", fix,
                          instruction=ins)

"""UndefinedArgInFrom: FROM uses an ARG that no global ARG declares."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import first_line
from ._from_checks import check_keys, from_expansions
from ._support import suggest, url


@rule(
    code="UndefinedArgInFrom",
    name="undefined-arg-in-from",
    summary="FROM command must use declared ARGs",
    severity="warning",
    origin="buildkit",
    url=url("undefined-arg-in-from"),
    docs="""
What it does: flags a variable in a FROM line (image or `--platform`) that is neither an
automatic platform ARG (BUILDPLATFORM, TARGETARCH, ...) nor declared by an ARG before the
first FROM, and suggests a declared name spelled almost the same.

Why is this bad? Only global ARGs are visible to FROM. An undeclared one expands to an empty
string, so `FROM node:${NODE_VERSION}` silently means `node:` (an error) or a different image.

Example:
    FROM alpine:${ALPINE_VERSION}

Use instead:
    ARG ALPINE_VERSION=3.20
    FROM alpine:${ALPINE_VERSION}

Fix safety: no fix.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    keys = check_keys(ctx)
    for stage, image, platform in from_expansions(ctx):
        for exp in (image, platform):
            if exp is None:
                continue
            for name in sorted(exp.unmatched - keys):
                match = suggest(name, sorted(keys))
                msg = f"FROM argument '{name}' is not declared" + (f" (did you mean {match}?)" if match else "")
                yield Finding(first_line(stage.from_), msg, instruction=stage.from_)

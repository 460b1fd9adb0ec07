"""BuildError: what a build of this Dockerfile would fail with, found without building."""
from __future__ import annotations

from collections.abc import Iterator

from ....errors import Span
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ....syntax.instructions import INSTRUCTION_NAMES
from ._build_errors import context_errors, from_errors, stage_errors
from ._support import suggest


@rule(
    code="BuildError",
    name="build-error",
    summary="The build would fail here (BuildKit's error, found without building)",
    severity="error",
    origin="buildkit",
    docs="""
What it does: reports, in BuildKit's words, the errors a build of this Dockerfile would stop
with that can be seen without running it: instructions BuildKit rejects (bad arguments or
flags, unknown instructions that no typo rule explains), a `# check=` directive it cannot
read, FROM lines whose image or `--platform` expand to nothing or to something invalid,
`COPY --from` with a variable, a `--target` that no stage has, and, with `--context DIR`,
COPY/ADD sources that are missing from the context or that .dockerignore leaves out.

Why is this bad? The build fails; finding out in the editor is cheaper than in CI.

Example:
    FROM --platform=$BUILDPLATFROM golang:1.22

Use instead:
    FROM --platform=$BUILDPLATFORM golang:1.22

Where another rule reports an error with a fix on the same line (the typo rules, for
`COPY. /app` or `FORM alpine`), that one is shown instead.

Fix safety: no fix here.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from _syntax_errors(ctx)
    from ...engine import file_check_config

    _, err = file_check_config(ctx)
    if err is not None and "BUILDKIT_DOCKERFILE_CHECK" not in ctx.config.build_args:
        d = next((d for d in ctx.dockerfile.directives if d.name == "check"), None)
        span = d.span if d is not None else Span(1, 1, 1, 1)
        yield Finding(span, f"failed to parse check options: {err}")
    yield from from_errors(ctx)
    yield from stage_errors(ctx)
    if ctx.context_dir is not None:
        yield from context_errors(ctx)


def _syntax_errors(ctx: LintContext) -> Iterator[Finding]:
    """Instructions the lenient parse kept though BuildKit rejects them."""
    for err in ctx.dockerfile.errors:
        if err.span is None:
            continue
        msg = err.message
        if msg.startswith("unknown instruction: "):
            match = suggest(msg.split(": ", 1)[1], INSTRUCTION_NAMES, case_sensitive=False)
            msg += f" (did you mean {match}?)" if match else ""
        yield Finding(err.span, msg)

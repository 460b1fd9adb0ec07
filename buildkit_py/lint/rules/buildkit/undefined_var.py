"""UndefinedVar: a variable used before any ARG or ENV defines it."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ...scope import NON_ENV_ARGS
from ._common import dispatched_stages, first_line
from ._support import suggest, url


@rule(
    code="UndefinedVar",
    name="undefined-var",
    summary="Variables should be defined before their use",
    severity="warning",
    origin="buildkit",
    url=url("undefined-var"),
    docs="""
What it does: flags `$NAME` in an instruction that the builder expands (ENV, LABEL, ARG
defaults, COPY, ADD, WORKDIR, USER, VOLUME, STOPSIGNAL, RUN --mount options) when no ARG or
ENV before it, in the stage or a stage it builds on, defines NAME. It suggests a defined name
that is spelled almost the same. Shell-form RUN, CMD and ENTRYPOINT are left alone: the shell
expands those at run time.

Why is this bad? An undefined variable expands to an empty string, silently: `COPY $SRC /app`
copies the whole context, `ENV PATH=$PAHT:/bin` loses PATH.

Example:
    FROM alpine
    ENV PATH=$PAHT:/opt/bin

Use instead:
    FROM alpine
    ENV PATH=$PATH:/opt/bin

Variables a base image sets with its own ENV are known for the common official images
(`FROM python` then `$PYTHON_VERSION` is fine); for other images the linter, which pulls no
image, cannot know them and reports them.

Fix safety: no fix.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    scope = ctx.scope
    for stage in dispatched_stages(ctx):
        for step in scope.steps(stage.index):
            for name in step.unset:
                if name in step.declared or name in NON_ENV_ARGS:
                    continue
                match = suggest(name, step.env.keys())
                msg = f"Usage of undefined variable '${name}'" + (f" (did you mean ${match}?)" if match else "")
                yield Finding(first_line(step.ins), msg, instruction=step.ins)

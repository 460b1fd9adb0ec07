"""JSONArgsRecommended: CMD and ENTRYPOINT in exec (JSON) form."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding, Fix
from ...rule import rule
from ._common import ancestors, dispatched_stages, first_line
from ._support import url

_PLAIN = re.compile(r"[A-Za-z0-9_./:=,@%+-]+(?:[ \t]+[A-Za-z0-9_./:=,@%+-]+)*\Z")


@rule(
    code="JSONArgsRecommended",
    name="json-args-recommended",
    summary="JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
    severity="warning",
    origin="buildkit",
    url=url("json-args-recommended"),
    fixable=True,
    docs="""
What it does: flags CMD and ENTRYPOINT in shell form (`CMD python app.py`) in a stage that has
not set its own SHELL (nor inherited one from a stage it builds on).

Why is this bad? In shell form the container's main process is `/bin/sh -c`, not your
program: `docker stop` sends SIGTERM to the shell, which does not pass it on, so your program
is killed after the timeout instead of shutting down cleanly.

Example:
    CMD python app.py

Use instead:
    CMD ["python", "app.py"]

Fix safety: unsafe, and offered only for commands without shell syntax: in exec form no
shell runs, so nothing expands variables.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    scope = ctx.scope
    for stage in dispatched_stages(ctx):
        shell = any(isinstance(i, A.Shell) for b in ancestors(scope, stage.index) for i in ctx.stages[b].instructions)
        for ins in stage.instructions:
            if isinstance(ins, A.Shell):
                shell = True
            elif isinstance(ins, (A.Cmd, A.Entrypoint)) and not ins.json and not shell:
                yield Finding(first_line(ins), f"JSON arguments recommended for {ins.name} to prevent unintended "
                              "behavior related to OS signals", _fix(ctx, ins), instruction=ins)


def _fix(ctx: LintContext, ins: A.Cmd | A.Entrypoint) -> Fix | None:
    if len(ins.command) != 1 or ins.start_line != ins.end_line or not _PLAIN.match(ins.command[0].strip()):
        return None
    argv = json.dumps(ins.command[0].split(), ensure_ascii=False)
    edit = ctx.replace(ins.span, f"{ins.keyword} {argv}")
    return Fix("Use the exec (JSON) form", (edit,), safe=False)

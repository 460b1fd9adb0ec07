"""DL3045: `COPY` to a relative destination without `WORKDIR` set."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import parse_image

MESSAGE = "`COPY` to a relative destination without `WORKDIR` set."


def _relative(dest: str) -> bool:
    dest = dest.strip("\"'")
    if dest.startswith(("/", "$")):
        return False
    return not (len(dest) >= 2 and dest[0].isalpha() and dest[1] == ":")  # C:\… on Windows


@rule(
    code="DL3045",
    name="copy-relative-without-workdir",
    summary="`COPY` to a relative destination without `WORKDIR` set",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3045",
    docs="""
What it does: flags a COPY whose destination is a relative path in a stage that has not set a
WORKDIR (itself, or the stage it is built on).

Why is this bad? A relative destination is relative to the working directory, which then comes
from the base image and can change when the base image changes.

Example:
    FROM python:3.12-slim
    COPY app.py app/

Use instead:
    FROM python:3.12-slim
    WORKDIR /srv
    COPY app.py app/

Fix safety: no fix; which directory is meant is your choice.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    current: str | None = None
    workdir: dict[str | None, bool] = {}
    started = False
    for ins in ctx.instructions:
        if isinstance(ins, A.From):
            name = ins.stage_name or parse_image(ins.image).name
            if started:
                workdir[name] = workdir.get(parse_image(ins.image).name, False)
            current, started = name, True
        elif isinstance(ins, A.Workdir):
            if not started:
                current, started = None, True
            workdir[current] = True
        elif isinstance(ins, A.Copy):
            if started and workdir.get(current, False):
                continue
            if _relative(ins.dest):
                yield Finding(ins.span, MESSAGE)

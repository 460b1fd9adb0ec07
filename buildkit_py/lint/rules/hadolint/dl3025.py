"""DL3025: use JSON notation for CMD and ENTRYPOINT."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "Use arguments JSON notation for CMD and ENTRYPOINT arguments"


def shell_form(ins: A.Instruction) -> bool:
    """CMD or ENTRYPOINT in shell form, or `HEALTHCHECK CMD <shell command>`."""
    if isinstance(ins, (A.Cmd, A.Entrypoint)):
        return not ins.json and bool(ins.command)
    if isinstance(ins, A.Healthcheck):
        return bool(ins.test) and ins.test[0] == "CMD-SHELL"
    return False


@rule(
    code="DL3025",
    name="json-notation-cmd",
    summary="Use arguments JSON notation for CMD and ENTRYPOINT arguments",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3025",
    docs="""
What it does: flags `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` written in shell form.

Why is this bad? Shell form runs the program under `/bin/sh -c`: the shell becomes PID 1 and does
not pass on SIGTERM, so `docker stop` waits out its timeout and kills the program without a
clean shutdown. An ENTRYPOINT in shell form also ignores the arguments given to `docker run`.

Example:
    CMD python app.py

Use instead:
    CMD ["python", "app.py"]

Fix safety: no fix; JSON form runs no shell, so variables, `&&` and redirections in the command
would stop working.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if shell_form(ins):
            yield Finding(ins.span, MESSAGE)

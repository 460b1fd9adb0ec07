"""DL4006: set the SHELL option -o pipefail before RUN with a pipe in it."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_of
from ._common2 import has_pipes, script

MESSAGE = (
    "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using "
    "/bin/sh in an alpine image or if your shell is symlinked to busybox then consider "
    "explicitly setting your SHELL to /bin/ash, or disable this check"
)
NON_POSIX = ("pwsh", "powershell", "cmd")
_PIPEFAIL_SHELLS = frozenset({"/bin/bash", "/bin/zsh", "/bin/ash", "bash", "zsh", "ash"})


def _shell_sets_pipefail(ins: A.Shell) -> bool:
    """hadolint's test: SHELL is bash, zsh or ash with `-o` and `pipefail` among its arguments."""
    for cmd in commands_of(" ".join(ins.shell)):
        if cmd.name in _PIPEFAIL_SHELLS and cmd.has_flag("o") and "pipefail" in cmd.args:
            return True
    return False


@rule(
    code="DL4006",
    name="pipefail-missing",
    summary="Set the SHELL option -o pipefail before RUN with a pipe in it",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL4006",
    docs="""
What it does: flags a RUN with a pipe (`a | b`) in a stage whose SHELL does not set
`-o pipefail` (bash, zsh or ash). Stages with a non-POSIX SHELL (PowerShell, cmd) are skipped.

Why is this bad? A pipeline's status is the status of its last command: in
`RUN curl -fsSL https://x | tar xz`, a failed download gives tar empty input and the step may
still succeed, leaving a broken image. With `pipefail` any failing command fails the step.

Example:
    RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin

Use instead:
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin

Fix safety: no fix; which shell the image has is for you to say.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    ok = False
    for ins in ctx.instructions:
        if isinstance(ins, A.From):
            ok = False
        elif isinstance(ins, A.Shell):
            ok = " ".join(ins.shell).startswith(NON_POSIX) or _shell_sets_pipefail(ins)
        elif isinstance(ins, A.Run) and not ok:
            if has_pipes(script(ctx, ins)):
                yield Finding(ins.span, MESSAGE)

"""DL3062: pin versions in go."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs
from ._common2 import command_names

MESSAGE = "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`"
_PROGRAMS = frozenset({"go"})


def _packages(cmds) -> list[str]:
    # `go run PKG args…`: only the package (the first word after `run`); else install/get targets.
    run = [a for cmd in cmds if cmd.is_("go", "run")
           for i, a in enumerate(cmd.args_no_flags()) if a != "run" and i <= 1]
    if run:
        return run
    return [a for cmd in cmds if cmd.is_("go", "install", "get")
            for a in cmd.args_no_flags() if a not in ("install", "get", "tool")]


def _pinned(package: str) -> bool:
    if package == "." or package.startswith(("/", ".")):
        return True  # a local package: built from the source tree
    return "@" in package and not package.endswith(("@latest", "@none"))


@rule(
    code="DL3062",
    name="go-version-pinning",
    summary="Pin versions in go",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3062",
    docs="""
What it does: flags `go install`, `go get` and `go run` of a remote package without a version
(`pkg@v1.2.3`), or with `@latest`. Local packages (`.`, `./cmd/x`, `/src/x`) are fine.

Why is this bad? Without a version, go fetches the newest release on the day of the build, so
the image changes without any change to the Dockerfile, and a new release can break it.

Example:
    RUN go install golang.org/x/tools/gopls

Use instead:
    RUN go install golang.org/x/tools/gopls@v0.16.2

Fix safety: no fix; only you know which version you want.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if not all(_pinned(p) for p in _packages(commands_named(ctx, run, "go"))):
            yield Finding(ins.span, MESSAGE)

"""DL3037: specify version with `zypper install -y <package>=<version>`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs
from ._common2 import command_names

MESSAGE = "Specify version with `zypper install -y <package>=<version>`."
_PROGRAMS = frozenset({"zypper"})


def _pinned(package: str) -> bool:
    return any(op in package for op in ("=", ">", "<")) or package.endswith(".rpm")


def _packages(cmds) -> Iterator[str]:
    for cmd in cmds:
        if cmd.is_("zypper", "install", "in"):
            yield from (a for a in cmd.args_no_flags() if a not in ("install", "in"))


@rule(
    code="DL3037",
    name="zypper-version-pinning",
    summary="Specify version with `zypper install -y <package>=<version>`",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3037",
    docs="""
What it does: flags `zypper install` of a package without a version (`pkg=1.2`, `pkg>=1.2`,
`pkg<2` or an `.rpm` file).

Why is this bad? Without a version, each build installs whatever the repository has that day;
the image changes without any change to the Dockerfile, and a new release can break it.

Example:
    RUN zypper install -y httpd

Use instead:
    RUN zypper install -y httpd=2.4.57

Fix safety: no fix; only you know which version you want.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if not all(_pinned(p) for p in _packages(commands_named(ctx, run, "zypper"))):
            yield Finding(ins.span, MESSAGE)

"""DL3040: `dnf clean all` missing after dnf command."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import file_programs, has_cache_or_tmpfs_mount, run_commands, runs
from ._common2 import command_names, installs_then_cleans

MESSAGE = "`dnf clean all` missing after dnf command."
_INSTALLS = ("install", "in", "upgrade", "up", "upgrade-minimal", "up-min", "reinstall", "rei")
_PROGRAMS = frozenset({"dnf", "microdnf"})


def _cleans_after_install(cmds, program: str) -> bool:
    return installs_then_cleans(
        cmds,
        lambda c: c.is_(program, *_INSTALLS),
        lambda c: c.is_(program, "clean", "all") or c.is_("rm", "-rf", "/var/cache/libdnf5*"),
    )


@rule(
    code="DL3040",
    name="dnf-clean-missing",
    summary="`dnf clean all` missing after dnf command",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3040",
    docs="""
What it does: flags a RUN that installs or upgrades with `dnf` or `microdnf` without a later
`dnf clean all` (`microdnf clean all`) in the same RUN, unless the dnf cache
(/var/cache/libdnf5) is a cache or tmpfs mount.

Why is this bad? dnf keeps downloaded packages and metadata in its cache; left in the layer they
make the image larger for nothing.

Example:
    RUN dnf install -y httpd-2.4.57

Use instead:
    RUN dnf install -y httpd-2.4.57 && dnf clean all

Fix safety: no fix; where the clean belongs depends on the script.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if has_cache_or_tmpfs_mount(run, "/var/cache/libdnf5") or has_cache_or_tmpfs_mount(run, ".cache/libdnf5"):
            continue
        cmds = run_commands(ctx, run)
        if not all(_cleans_after_install(cmds, program) for program in ("dnf", "microdnf")):
            yield Finding(ins.span, MESSAGE)

"""DL3036: `zypper clean` missing after zypper use."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import file_programs, has_cache_or_tmpfs_mount, run_commands, runs
from ._common2 import command_names, installs_then_cleans

MESSAGE = "`zypper clean` missing after zypper use."
_PROGRAMS = frozenset({"zypper"})


def _install(cmd) -> bool:
    return cmd.is_("zypper", "install", "in")


def _clean(cmd) -> bool:
    return cmd.is_("zypper", "clean", "cc")


@rule(
    code="DL3036",
    name="zypper-clean-missing",
    summary="`zypper clean` missing after zypper use",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3036",
    docs="""
What it does: flags a RUN that runs `zypper install` (or `in`) without a later `zypper clean`
(or `cc`) in the same RUN, unless /var/cache/zypp is a cache or tmpfs mount.

Why is this bad? zypper keeps downloaded packages and repository metadata in /var/cache/zypp;
left there they make the layer larger for nothing.

Example:
    RUN zypper install -y httpd=2.4.57

Use instead:
    RUN zypper install -y httpd=2.4.57 && zypper clean

Fix safety: no fix; where the clean belongs depends on the script.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if has_cache_or_tmpfs_mount(run, "/var/cache/zypp"):
            continue
        if not installs_then_cleans(run_commands(ctx, run), _install, _clean):
            yield Finding(ins.span, MESSAGE)

"""DL3008: pin versions in `apt-get install`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import Cmd, commands_named, file_programs, runs

MESSAGE = ("Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get "
           "install <package>=<version>`")


def apt_get_packages(cmd: Cmd) -> list[str]:
    """The packages of an `apt-get … install …` (the `-t`/`--target-release` value dropped)."""
    if not cmd.is_("apt-get", "install"):
        return []
    return [a for a in cmd.args_no_flags(("t", "target-release")) if a != "install"]


def pinned(package: str) -> bool:
    """`pkg=1.2`, a release (`pkg/bookworm`), or a local `.deb` file."""
    return "=" in package or "/" in package or package.endswith(".deb")


@rule(
    code="DL3008",
    name="apt-get-version-pinning",
    summary="Pin versions in apt-get install",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3008",
    docs="""
What it does: flags `apt-get install` of a package without a version (`curl=7.88.1-10`). A
release (`curl/bookworm-backports`) or a `.deb` file counts as pinned.

Why is this bad? Without versions, rebuilding the same Dockerfile installs whatever the archive
has that day, so two builds differ and a rebuild can break for no visible reason.

Example:
    RUN apt-get update && apt-get install -y curl

Use instead:
    RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u8

Fix safety: no fix; only you know which version you want.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "apt-get" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx):
        if not all(pinned(p) for c in commands_named(ctx, run, "apt-get") for p in apt_get_packages(c)):
            yield Finding(report.span, MESSAGE)

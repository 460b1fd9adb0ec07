"""DL3018: pin versions in `apk add`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import Cmd, commands_named, file_programs, runs

MESSAGE = "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`"


def apk_packages(cmd: Cmd) -> list[str]:
    """The packages of an `apk add` (values of `-t`/`--virtual`, `--repository`, `-X` dropped)."""
    if not cmd.is_("apk", "add"):
        return []
    return [a for a in cmd.args_no_flags(("t", "virtual", "repository", "X")) if a != "add"]


def pinned(package: str) -> bool:
    """A version constraint (`=`, `~`, `>`, `<`) or a local `.apk` file."""
    return any(ch in package for ch in "=~><") or package.endswith(".apk")


@rule(
    code="DL3018",
    name="apk-version-pinning",
    summary="Pin versions in apk add",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3018",
    docs="""
What it does: flags `apk add` of a package without a version constraint (`curl=8.5.0-r0`,
`curl~8.5`). Local `.apk` files are not flagged; the name given to `--virtual` is not a package.

Why is this bad? Without a version the build takes whatever the Alpine mirror has that day;
the same Dockerfile gives different images, and a rebuild can break unnoticed.

Example:
    RUN apk add --no-cache curl

Use instead:
    RUN apk add --no-cache curl=8.5.0-r0

Fix safety: no fix; only you know which version you want.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "apk" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx):
        if not all(pinned(p) for c in commands_named(ctx, run, "apk") for p in apk_packages(c)):
            yield Finding(report.span, MESSAGE)

"""DL3041: specify version with `dnf install -y <package>-<version>`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import StageVars, pinning_findings, rpm_version_pinned

MESSAGE = "Specify version with `dnf install -y <package>-<version>`."
_DNF = ("dnf", "microdnf")


def _install_args(cmd) -> list[str]:
    if not cmd.is_(_DNF, "install"):
        return []
    return [a for a in cmd.args_no_flags() if a not in ("install", "module")]


def _pinned(cmds, scope: StageVars) -> bool:
    for cmd in cmds:
        if cmd.is_(_DNF, "module") and not all(":" in m for m in _install_args(cmd)):
            return False
        if not cmd.is_(_DNF, "module", "group"):
            if not all(rpm_version_pinned(p, scope) for p in _install_args(cmd)):
                return False
    return True


@rule(
    code="DL3041",
    name="dnf-version-pinning",
    summary="Specify version with `dnf install -y <package>-<version>`",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3041",
    docs="""
What it does: flags `dnf install` (or `microdnf install`) of a package without a version
(`httpd-2.4.57`), and `dnf module install` of a module without a stream (`nodejs:18`). A
version taken from an ARG or from an ENV of the stage (`httpd-${HTTPD_VERSION}`) counts as
pinned; so do `.rpm` files. `dnf group install` is not looked at.

Why is this bad? Without a version, each build installs whatever the repository has that day;
the image changes without any change to the Dockerfile, and a new release can break it.

Example:
    RUN dnf install -y httpd && dnf clean all

Use instead:
    RUN dnf install -y httpd-2.4.57 && dnf clean all

Fix safety: no fix; only you know which version you want.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from pinning_findings(ctx, frozenset({"dnf", "microdnf"}), _pinned, MESSAGE)

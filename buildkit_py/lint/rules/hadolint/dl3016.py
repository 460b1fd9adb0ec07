"""DL3016: pin versions in npm."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import Cmd, commands_named, file_programs, runs

MESSAGE = "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`"
_VALUE_FLAGS = ("loglevel", "registry")
_GIT = ("git://", "git+ssh://", "git+http://", "git+https://")
_TARBALL = (".tar", ".tar.gz", ".tgz")
_PATH = ("/", "./", "../", "~/")


def pinned(package: str) -> bool:
    """`name@version` (also scoped: `@scope/name@1`), a git URL with `#ref`, a tarball or a path."""
    if package.startswith(_GIT):
        return "#" in package
    if package.endswith(_TARBALL) or package.startswith(_PATH):
        return True
    if package.startswith("@"):  # the scope's `@` is no version: look after the scope
        i = 0
        while i < len(package) and package[i] > "/":
            i += 1
        package = package[i:]
    return "@" in package


def unpinned_install(cmd: Cmd) -> bool:
    """`npm install <packages>` (install first) where some package has no version."""
    if not cmd.is_("npm", "install"):
        return False
    args = cmd.args_no_flags(_VALUE_FLAGS)
    if not args or args[0] != "install":
        return False
    rest = args
    while rest and rest[0] == "install":
        rest = rest[1:]
    return not all(pinned(p) for p in rest)


@rule(
    code="DL3016",
    name="npm-version-pinning",
    summary="Pin versions in npm",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3016",
    docs="""
What it does: flags `npm install <package>` without a version (`express@4.19.2`). Bare
`npm install` (the project's package.json), tarballs, paths and git URLs with `#ref` are not
flagged.

Why is this bad? An unpinned package resolves to the newest release at build time: builds are
not reproducible and a breaking release lands in the image unnoticed.

Example:
    RUN npm install -g typescript

Use instead:
    RUN npm install -g typescript@5.6.3

Fix safety: no fix; only you know which version you want.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "npm" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx):
        if any(unpinned_install(c) for c in commands_named(ctx, run, "npm")):
            yield Finding(report.span, MESSAGE)

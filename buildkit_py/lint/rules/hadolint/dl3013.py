"""DL3013: pin versions in pip."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import Cmd, file_runs_program_prefixed, is_pip_install, run_commands, runs
from ._common2 import command_names

MESSAGE = ("Pin versions in pip. Instead of `pip install <package>` use `pip install "
           "<package>==<version>` or `pip install --requirement <requirements file>`")
_PIP = ("pip", "python")  # the names is_pip_install looks at
# pip options whose value is the next word (so that value is not taken for a package).
_VALUE_FLAGS = ("abi", "b", "build", "e", "editable", "extra-index-url", "f", "find-links", "i",
                "index-url", "implementation", "no-binary", "only-binary", "platform", "prefix",
                "progress-bar", "proxy", "python", "python-version", "root", "root-user-action", "src",
                "t", "target", "trusted-host", "upgrade-strategy")
_VERSION_SYMBOLS = ("==", ">=", "<=", ">", "<", "!=", "~=", "===")
# pip's VCS schemes (vcs[+protocol]); a VCS URL is pinned by `@ref`.
_VCS = ("git+file", "git+https", "git+ssh", "git+http", "git+git", "git", "hg+file", "hg+http", "hg+https",
        "hg+ssh", "hg+static-http", "svn", "svn+svn", "svn+http", "svn+https", "svn+ssh", "bzr+http",
        "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp")


def packages(cmd: Cmd) -> list[str]:
    """The requirement words after `install`."""
    args = cmd.args_no_flags(_VALUE_FLAGS)
    if "install" not in args:
        return []
    rest = args[args.index("install"):]
    while rest and rest[0] == "install":
        rest = rest[1:]
    return rest


def pinned(package: str) -> bool:
    """A version specifier, a VCS URL with `@ref`, a wheel or sdist file, or a path."""
    vcs = package.startswith(_VCS)
    return (any(s in package for s in _VERSION_SYMBOLS) or (vcs and "@" in package)
            or package.endswith((".whl", ".tar.gz")) or (not vcs and "/" in package))


def unpinned_install(cmd: Cmd) -> bool:
    """A `pip install` of named packages, not from a requirements file or `.`, not constrained."""
    if not is_pip_install(cmd) or cmd.has_flag("constraint", "c"):
        return False
    if cmd.has_args("--requirement", "-r", "."):
        return False
    return not all(pinned(p) for p in packages(cmd))


@rule(
    code="DL3013",
    name="pip-version-pinning",
    summary="Pin versions in pip",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3013",
    docs="""
What it does: flags `pip install` (also `pip3`, `python -m pip install`) of a package without a
version specifier. Installs from a requirements file (`-r`), of the project itself (`.`), under a
constraints file (`-c`), of wheels, sdists, paths and VCS URLs with `@ref` are not flagged.

Why is this bad? An unpinned package is whatever PyPI serves on the day of the build; a new
release can break the image, and two builds of one Dockerfile differ.

Example:
    RUN pip install --no-cache-dir flask

Use instead:
    RUN pip install --no-cache-dir flask==3.0.3

Fix safety: no fix; only you know which version you want.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if not file_runs_program_prefixed(ctx, _PIP):
        return  # no pip in this file
    for report, run in runs(ctx):
        if not any(name.startswith(_PIP) for name in command_names(ctx, run)):
            continue  # unpinned_install needs a pip… or python… command
        if any(unpinned_install(c) for c in run_commands(ctx, run)):
            yield Finding(report.span, MESSAGE)

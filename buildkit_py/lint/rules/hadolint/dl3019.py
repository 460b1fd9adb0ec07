"""DL3019: use `apk add --no-cache`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import add_flag_fix, commands_named, file_programs, has_cache_or_tmpfs_mount, runs

MESSAGE = ("Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` "
           "when done installing packages")


@rule(
    code="DL3019",
    name="apk-no-cache",
    summary="Use the --no-cache switch with apk add",
    severity="info",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3019",
    docs="""
What it does: flags `apk add` without `--no-cache`, unless the RUN mounts a cache or tmpfs on
`/var/cache/apk`.

Why is this bad? apk keeps the package index and downloaded packages in /var/cache/apk; left in
the layer they only add size. `--no-cache` fetches a fresh index and keeps nothing, which also
makes `apk update` and `rm -rf /var/cache/apk/*` unnecessary.

Example:
    RUN apk add curl

Use instead:
    RUN apk add --no-cache curl

Fix safety: safe; adds `--no-cache` after `add`. The same packages are installed; apk fetches
a fresh index for the command instead of keeping one in the layer.
""",
    fixable=True,
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "apk" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx):
        if has_cache_or_tmpfs_mount(run, "/var/cache/apk"):
            continue
        bad = [c for c in commands_named(ctx, run, "apk") if c.is_("apk", "add") and not c.has_flag("no-cache")]
        if bad:
            yield Finding(report.span, MESSAGE, add_flag_fix(ctx, report, run, bad, "add", "--no-cache", safe=True))

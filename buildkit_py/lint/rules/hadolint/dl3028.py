"""DL3028: pin versions in `gem install`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import Cmd, commands_named, file_programs, runs

MESSAGE = "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`"


def gems(cmd: Cmd) -> list[str]:
    """The gems of `gem install|i` without `-v`/`--version`; each option is taken to carry the
    next word as its value (hadolint's reading), and what follows `--` is for the gem's build."""
    if not cmd.is_("gem", "install", "i") or cmd.has_args("-v", "--version") or cmd.has_arg_prefix("--version="):
        return []
    args = list(cmd.args)
    if "--" in args:
        args = args[:args.index("--")]
    out, i = [], 0
    while i < len(args):
        if args[i].startswith("-"):
            i += 2
            continue
        if args[i] not in ("install", "i"):
            out.append(args[i])
        i += 1
    return out


@rule(
    code="DL3028",
    name="gem-version-pinning",
    summary="Pin versions in gem install",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3028",
    docs="""
What it does: flags `gem install` (or `gem i`) of a gem without a version (`rails:7.2.1`), unless
`-v`/`--version` gives one. Like hadolint, the word after any option is taken to be that
option's value, not a gem.

Why is this bad? An unpinned gem is the newest release at build time; builds are not repeatable
and a breaking release reaches the image unnoticed.

Example:
    RUN gem install bundler

Use instead:
    RUN gem install bundler:2.5.22

Fix safety: no fix; only you know which version you want.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "gem" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx):
        if not all(":" in g for c in commands_named(ctx, run, "gem") for g in gems(c)):
            yield Finding(report.span, MESSAGE)

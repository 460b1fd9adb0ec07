"""DL3060: `yarn cache clean` missing after `yarn install` was run."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import file_programs, has_cache_or_tmpfs_mount, parse_image, run_commands
from ._common2 import command_names, first_index, onbuild_triggers, plain_stream

MESSAGE = "`yarn cache clean` missing after `yarn install` was run."


def _install(cmd) -> bool:
    return cmd.is_("yarn", "install")


def _clean(cmd) -> bool:
    return cmd.is_("yarn", "cache", "clean")


def _leaves_cache(cmds, run: A.Run) -> bool:
    install, clean = first_index(cmds, _install), first_index(cmds, _clean)
    if install is None:
        return False
    if clean is None:
        return not has_cache_or_tmpfs_mount(run, ".cache/yarn")
    return clean < install


def _same(a: A.From | None, b: A.From | None) -> bool:
    # hadolint compares stages by value: two identical FROM lines are the same stage to it.
    if a is None or b is None:
        return a is b
    return (a.image, a.stage_name, a.platform) == (b.image, b.stage_name, b.platform)


def _unclean(ctx: LintContext, stream) -> Iterator[A.Instruction]:
    """RUNs that leave yarn's cache, in stages that end up in an image: the last stage, or a
    stage another stage is built on."""
    current: A.From | None = None
    bases: set[str] = set()  # image names that stages are built on
    found: list[tuple[A.Instruction, A.From | None]] = []
    for report, ins in stream:
        if isinstance(ins, A.From):
            current = ins
            bases.add(parse_image(ins.image).name)
        elif isinstance(ins, A.Run) and "yarn" in command_names(ctx, ins) and _leaves_cache(run_commands(ctx, ins), ins):
            found.append((report, current))
    for report, stage in found:
        if _same(stage, current) or (stage is not None and stage.stage_name and stage.stage_name in bases):
            yield report


@rule(
    code="DL3060",
    name="yarn-cache-clean-missing",
    summary="`yarn cache clean` missing after `yarn install` was run",
    severity="info",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3060",
    docs="""
What it does: flags a RUN with `yarn install` and no later `yarn cache clean` in the same RUN,
unless yarn's cache (~/.cache/yarn) is a cache or tmpfs mount. Only stages that end up in an
image are looked at: the last stage, and stages other stages are built on.

Why is this bad? yarn keeps a copy of every package it downloads in its cache; in an image that
copy is never used and can be as large as node_modules itself.

Example:
    RUN yarn install --frozen-lockfile

Use instead:
    RUN yarn install --frozen-lockfile && yarn cache clean

Fix safety: no fix offered.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "yarn" not in file_programs(ctx):
        return  # nothing to check in this file
    for stream in (plain_stream(ctx), onbuild_triggers(ctx)):
        for report in _unclean(ctx, stream):
            yield Finding(report.span, MESSAGE)

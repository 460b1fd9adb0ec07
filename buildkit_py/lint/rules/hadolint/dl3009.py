"""DL3009: delete the apt lists after installing something."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, has_cache_or_tmpfs_mount, parse_image

MESSAGE = "Delete the apt lists (/var/lib/apt/lists) after installing something"
_APT = frozenset({"apt", "apt-get", "aptitude"})
# What hadolint assumes before any FROM: a bare `scratch`.
_NO_FROM = (None, "scratch", None, None, None, None)


def _from_key(ins: A.From) -> tuple:
    ref = parse_image(ins.image)
    return (ref.registry, ref.name, ref.tag, ref.digest, ins.stage_name, ins.platform)


def forgets_cleanup(cmds) -> bool:
    """An `apt-get update` (or apt, aptitude) with no `rm -rf /var/lib/apt/lists/*` after it."""
    update = any(c.is_(_APT, "update") for c in cmds)
    return update and not any(c.is_("rm", "-rf", "/var/lib/apt/lists/*") for c in cmds)


def _apt_and_rm(ctx: LintContext, run: A.Run) -> list:
    """The commands `forgets_cleanup` looks at (apt, apt-get, aptitude and rm); it needs no order.
    Without an apt command there is no update to clean up after: nothing."""
    apt = [c for name in ("apt", "apt-get", "aptitude") for c in commands_named(ctx, run, name)]
    return apt + list(commands_named(ctx, run, "rm")) if apt else apt


def _lists_on_cache_mount(run: A.Run) -> bool:
    return has_cache_or_tmpfs_mount(run, "/var/lib/apt/lists") or (
        has_cache_or_tmpfs_mount(run, "/var/lib/apt") and has_cache_or_tmpfs_mount(run, "/var/cache/apt"))


def _pass(ctx: LintContext, stream: list[tuple[A.Instruction, A.Instruction]]) -> Iterator[A.Instruction]:
    last = _NO_FROM
    images: set[str] = set()  # names of the images FROM builds on: a stage used by a later FROM
    forgotten: list[tuple[A.Instruction, tuple]] = []
    for report, ins in stream:
        if isinstance(ins, A.From):
            last = _from_key(ins)
            images.add(parse_image(ins.image).name.lower())
        elif isinstance(ins, A.Run) and forgets_cleanup(_apt_and_rm(ctx, ins)):
            if not _lists_on_cache_mount(ins):
                forgotten.append((report, last))
    for report, key in forgotten:
        alias = key[4]
        if key == last or (alias is not None and alias.lower() in images):
            yield report


@rule(
    code="DL3009",
    name="apt-lists-not-deleted",
    summary="Delete the apt lists (/var/lib/apt/lists) after installing something",
    severity="info",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3009",
    docs="""
What it does: flags a RUN that runs `apt-get update` (or `apt update`, `aptitude update`) without
an `rm -rf /var/lib/apt/lists/*`, in the final stage or in a stage that a later FROM builds on.
A RUN whose `/var/lib/apt/lists` (or both `/var/lib/apt` and `/var/cache/apt`) is a cache or
tmpfs mount is fine: the lists never reach the layer. Stages only copied from are not flagged.

Why is this bad? The package lists are tens of megabytes that the image never needs again; left
in the layer they make every pull and push slower. They must be removed in the same RUN: a later
RUN cannot shrink an earlier layer.

Example:
    RUN apt-get update && apt-get install -y curl

Use instead:
    RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*

Fix safety: no fix; where the removal belongs in a long script is for you to decide.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _APT.isdisjoint(file_programs(ctx)):
        return  # no apt update in this file
    main = [(ins, ins) for ins in ctx.instructions]
    # hadolint also checks ONBUILD RUN, in a pass of its own that sees no FROM.
    onbuild = [(ins, ins.trigger) for ins in ctx.instructions
               if isinstance(ins, A.Onbuild) and ins.trigger is not None]
    for stream in (main, onbuild):
        for report in _pass(ctx, stream):
            yield Finding(report.span, MESSAGE)

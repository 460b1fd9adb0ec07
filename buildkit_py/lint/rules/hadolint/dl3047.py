"""DL3047: avoid use of wget without progress bar."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs
from ._common2 import command_names

MESSAGE = (
    "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. "
    "Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`)."
)
_QUIET = ("progress", "q", "quiet", "o", "output-file", "a", "append-output", "no-verbose")
_PROGRAMS = frozenset({"wget"})


def _noisy(cmd) -> bool:
    return cmd.name == "wget" and not cmd.has_flag(*_QUIET) and "-nv" not in cmd.args


@rule(
    code="DL3047",
    name="wget-progress",
    summary="Avoid use of wget without progress bar",
    severity="info",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3047",
    docs="""
What it does: flags `wget` without `--progress`, `-q`/`--quiet`, `-nv`/`--no-verbose`, or a log
file (`-o`/`--output-file`, `-a`/`--append-output`).

Why is this bad? wget's default progress bar, printed to a build log that is not a terminal,
becomes thousands of lines for a large download and buries the useful output.

Example:
    RUN wget https://example.com/tool.tar.gz

Use instead:
    RUN wget --progress=dot:giga https://example.com/tool.tar.gz

Fix safety: no fix offered.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if any(_noisy(c) for c in commands_named(ctx, run, "wget")):
            yield Finding(ins.span, MESSAGE)

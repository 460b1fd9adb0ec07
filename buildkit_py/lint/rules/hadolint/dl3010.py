"""DL3010: use ADD for extracting archives into an image."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import Cmd, drop_quotes, file_programs, is_archive, run_commands

MESSAGE = "Use `ADD` for extracting archives into an image"
_UNPACKERS = frozenset({"unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat"})
_EXTRACTORS = _UNPACKERS | {"tar"}


def basename(path: str) -> str:
    path = drop_quotes(path)
    return path[max(path.rfind("/"), path.rfind("\\")) + 1:]


def copied_archives(ins: A.Copy) -> set[str]:
    """Archive names a COPY puts in the image: the destination's if it is one, else the sources'."""
    if is_archive(ins.dest):
        return {basename(ins.dest)}
    return {basename(s) for s in ins.sources if is_archive(basename(s))}


def extracts(cmd: Cmd) -> bool:
    """`tar` with `-x…`/`--extract`/`--get`, or one of the unpack commands (unzip, gunzip, …)."""
    if cmd.name == "tar":
        return any(a in ("--extract", "--get") or (a.startswith("-") and "x" in a) for a in cmd.args)
    return cmd.name in _UNPACKERS


@rule(
    code="DL3010",
    name="use-add-for-archives",
    summary="Use ADD for extracting archives into an image",
    severity="info",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3010",
    docs="""
What it does: flags a `COPY` of a local archive (`.tar`, `.tar.gz`, `.tgz`, `.xz`, …) that a later
RUN of the same stage unpacks (`tar -x…`, `unzip`, `gunzip`, …). Every stage is checked
(hadolint only reports the last stage: it forgets earlier ones at each FROM).

Why is this bad? The archive is stored in the COPY layer and its contents again in the RUN
layer, so the image carries both. `ADD` unpacks a local tar archive in one step, with one layer.

Example:
    COPY app.tar.gz /tmp/
    RUN tar -xzf /tmp/app.tar.gz -C /opt

Use instead:
    ADD app.tar.gz /opt/

Fix safety: no fix; ADD unpacks into the destination, the RUN may do more than unpack.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _EXTRACTORS.isdisjoint(file_programs(ctx)):
        return  # nothing extracts in this file
    archives: list[tuple[A.Copy, set[str]]] = []
    flagged: set[int] = set()
    for ins in ctx.instructions:
        if isinstance(ins, A.From):
            archives = []
        elif isinstance(ins, A.Copy) and ins.from_ is None:
            names = copied_archives(ins)
            if names:
                archives.append((ins, names))
        elif isinstance(ins, A.Run) and archives:
            for cmd in run_commands(ctx, ins):
                if not extracts(cmd):
                    continue
                used = {basename(a) for a in cmd.args_no_flags()}
                for copy, names in archives:
                    if names & used:
                        flagged.add(id(copy))
    for ins in ctx.instructions:
        if id(ins) in flagged:
            yield Finding(ins.span, MESSAGE)

"""DL3057: `HEALTHCHECK` instruction missing."""
from __future__ import annotations

from collections.abc import Iterator

from ....records import dataclass
from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import parse_image

MESSAGE = "`HEALTHCHECK` instruction missing."


@dataclass(frozen=True)
class _Stage:
    """A stage as DL3057 tracks it: its FROM, the image it is built on, and its name."""

    ins: A.From
    src: str  # the image it is built on, by name
    name: str  # its alias, else the image name


def _bases(bad: set[_Stage], stage: _Stage) -> set[_Stage]:
    """Stages in `bad` that `stage` is built on (by name), the stages they are built on, and so on."""
    parents = {b for b in bad if b.name == stage.src}
    rest = bad - parents
    out = set(parents)
    for parent in parents:
        out |= _bases(rest, parent)
    return out


@rule(
    code="DL3057",
    name="healthcheck-missing",
    summary="`HEALTHCHECK` instruction missing",
    severity="none",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3057",
    docs="""
What it does: flags stages with no HEALTHCHECK: neither their own, nor one of the stage they are
built on, nor one of a later stage built on them. Off unless you give it a severity, as in
hadolint.

Why is this bad? Without a health check, an orchestrator knows only that the process runs, not
that it answers; a hung server stays in rotation.

Example:
    FROM nginx:1.27
    COPY site/ /usr/share/nginx/html/

Use instead:
    FROM nginx:1.27
    COPY site/ /usr/share/nginx/html/
    HEALTHCHECK CMD curl -fsS http://localhost/ || exit 1

Fix safety: no fix; the right check depends on the service.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    current: _Stage | None = None
    good: set[_Stage] = set()
    bad: set[_Stage] = set()
    for ins in ctx.instructions:
        if isinstance(ins, A.From):
            image = parse_image(ins.image).name
            stage = _Stage(ins, image, ins.stage_name or image)
            if current is not None and any(g.name == stage.src for g in good):
                good.add(stage)
            else:
                bad.add(stage)
            current = stage
        elif isinstance(ins, A.Healthcheck) and current is not None:
            now_good = _bases(bad, current)
            good |= now_good | {current}
            bad -= now_good | {current}
    for stage in sorted(bad, key=lambda s: s.ins.span.start_line):
        yield Finding(stage.ins.span, MESSAGE)

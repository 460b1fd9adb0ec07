"""DL3049: label `<label>` is missing."""
from __future__ import annotations

from collections.abc import Iterator

from ....records import dataclass
from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import parse_image
from ._common2 import label_pairs, schema_labels


@dataclass(frozen=True)
class _Stage:
    """A stage as DL3049 tracks it: its FROM, alias and image."""

    ins: A.From
    alias: str | None
    image: str

    @property
    def name(self) -> str:
        return self.alias if self.alias is not None else self.image


def _missing(ctx: LintContext, label: str) -> list[A.From]:
    """Stages that never set `label`, except stages only used as `COPY --from` sources and
    stages built on a stage that has it."""
    current: _Stage | None = None
    good: list[_Stage] = []
    silent: list[_Stage] = []
    bad: list[_Stage] = []

    def silence(name: str) -> None:
        for s in [s for s in bad if s.alias is not None and s.alias == name]:
            bad.remove(s)
            silent.append(s)

    for ins in ctx.instructions:
        if isinstance(ins, A.From):
            stage = _Stage(ins, ins.stage_name, parse_image(ins.image).name)
            if current is not None and any(g.alias is not None and g.alias == stage.image for g in good):
                good.append(stage)
            else:
                bad.append(stage)
            current = stage
        elif current is None:
            continue
        elif isinstance(ins, A.Copy) and ins.from_ is not None:
            silence(ins.from_)
        elif isinstance(ins, A.Label) and any(k == label for k, _ in label_pairs(ctx, ins)):
            silence(current.name)
            good.append(current)
            for group in (silent, bad):
                while current in group:
                    group.remove(current)
    return [s.ins for s in bad]


@rule(
    code="DL3049",
    name="label-missing",
    summary="Label `<label>` is missing",
    severity="info",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3049",
    docs="""
What it does: with a label schema configured (`label_schema`, or `label-schema` in
.hadolint.yaml), flags each stage that does not set one of the schema's labels. A stage that is
only used as a `COPY --from` source, or that is built on a stage that sets the label, is not
flagged.

Why is this bad? Labels such as `org.opencontainers.image.source` or `maintainer` are how
registries, scanners and people find out where an image comes from. A schema says which ones
your images must carry.

Example (schema: `maintainer: email`):
    FROM debian:bookworm

Use instead:
    FROM debian:bookworm
    LABEL maintainer="team@example.com"

Fix safety: no fix; the value is yours to give.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for label in schema_labels(ctx):
        for from_ in _missing(ctx, label):
            yield Finding(from_.span, f"Label `{label}` is missing.")

"""DL3022: `COPY --from` should reference a previously defined stage."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import drop_quotes

MESSAGE = "`COPY --from` should reference a previously defined `FROM` alias"
_INDEX = re.compile(r"\d+")


@rule(
    code="DL3022",
    name="copy-from-unknown-stage",
    summary="COPY --from should reference a previously defined FROM alias",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3022",
    docs="""
What it does: flags `COPY --from=X` where X is neither an earlier stage's name, nor the index of
a stage so far, nor an image reference with a tag (`--from=nginx:1.27`). Stage names match
without regard to case, as BuildKit matches them (hadolint compares them exactly); a value with a
variable (`--from=$BUILDER`) is not judged, since only the build knows what it names.

Why is this bad? An unknown name is taken for an image on Docker Hub: a typo in a stage name
pulls an unrelated (or malicious) image instead of failing, and a stage defined further down is
not what `--from` gets.

Example:
    FROM golang:1.23 AS build
    FROM scratch
    COPY --from=biuld /out/app /app

Use instead:
    COPY --from=build /out/app /app

Fix safety: no fix; which stage was meant is a guess.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    names: set[str] = set()
    count = 0
    for ins in ctx.instructions:
        if isinstance(ins, A.From):
            count += 1
            if ins.stage_name:
                names.add(ins.stage_name.lower())
        elif isinstance(ins, A.Copy) and ins.from_ is not None:
            src = ins.from_
            if ":" in drop_quotes(src) or src.lower() in names or "$" in src:
                continue
            m = _INDEX.match(src)
            if m is None or int(m.group()) >= count:
                yield Finding(ins.span, MESSAGE)

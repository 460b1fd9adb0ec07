"""DL3043: `ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction."
_FORBIDDEN = frozenset({"ONBUILD", "FROM", "MAINTAINER"})


def _trigger_keyword(ins: A.Instruction) -> str:
    # BuildKit refuses these triggers, so the parser keeps them as Invalid: read the line.
    words = ins.line.split(None, 2)
    return words[1].upper() if len(words) > 1 else ""


@rule(
    code="DL3043",
    name="onbuild-forbidden-trigger",
    summary="`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3043",
    docs="""
What it does: flags `ONBUILD ONBUILD …`, `ONBUILD FROM …` and `ONBUILD MAINTAINER …`.

Why is this bad? These triggers are not allowed: the builder refuses the Dockerfile (chained
ONBUILD), or the image built on this one fails to build.

Example:
    ONBUILD FROM debian:bookworm

Use instead: put the FROM in the Dockerfile that uses this image.

Fix safety: no fix.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if ins.keyword.upper() != "ONBUILD":
            continue
        if isinstance(ins, A.Onbuild) and ins.trigger is not None:
            keyword = ins.trigger.keyword.upper()
        else:
            keyword = _trigger_keyword(ins)
        if keyword in _FORBIDDEN:
            yield Finding(ins.span, MESSAGE)

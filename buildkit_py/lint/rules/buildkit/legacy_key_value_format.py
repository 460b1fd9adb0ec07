"""LegacyKeyValueFormat: `ENV key value` instead of `ENV key=value`."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding, Fix
from ...rule import rule
from ._common import dispatched_stages, first_line
from ._support import url

_SPACE = re.compile(r"\s")  # what str.isspace() calls a space, found in one step
_QUOTING = re.compile(r"[\"'`\\\n]")  # quotes, escapes, newlines: the value is not rewritten


@rule(
    code="LegacyKeyValueFormat",
    name="legacy-key-value-format",
    summary="Legacy key/value format with whitespace separator should not be used",
    severity="warning",
    origin="buildkit",
    url=url("legacy-key-value-format"),
    fixable=True,
    docs="""
What it does: flags ENV and LABEL written as `KEY value` (a space instead of `=`).

Why is this bad? In the legacy form everything after the key is one value, spaces included,
so `ENV A 1 B 2` sets A to `1 B 2`. The `KEY=value` form says what it means and allows
several pairs on one line.

Example:
    ENV PYTHONUNBUFFERED 1

Use instead:
    ENV PYTHONUNBUFFERED=1

Fix safety: safe; offered when the value has no quotes or escapes (a value with spaces is
put in double quotes).
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in dispatched_stages(ctx):
        for ins in stage.instructions:
            if not isinstance(ins, (A.Env, A.Label)):
                continue
            for kv in ins.pairs:
                if kv.legacy:
                    msg = f'"{ins.keyword} key=value" should be used instead of legacy "{ins.keyword} key value" format'
                    yield Finding(first_line(ins), msg, _fix(ctx, ins, kv), instruction=ins)


def _fix(ctx: LintContext, ins: A.Env | A.Label, kv: A.KeyValue) -> Fix | None:
    value = kv.value
    if _QUOTING.search(value) or ctx.dockerfile.escape in value:
        return None
    if not value or _SPACE.search(value):
        value = f'"{value}"'
    span = ins.span_of(kv)
    return Fix("Use KEY=value", (ctx.replace(span, f"{kv.key}={value}"),))

"""DL3044: do not refer to an environment variable within the same `ENV` statement where it is defined."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "Do not refer to an environment variable within the same `ENV` statement where it is defined."


def _refers_to(name: str, text: str) -> bool:
    """`${name}` or `$name` not followed by a character that would continue the name."""
    if "$" not in text:
        return False  # both forms start with `$`: most values are done here
    if "${" + name + "}" in text:
        return True
    return re.search(re.escape("$" + name) + r"(?![A-Za-z0-9_])", text) is not None


@rule(
    code="DL3044",
    name="env-self-reference",
    summary="Do not refer to an environment variable within the same `ENV` statement where it is defined",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3044",
    docs="""
What it does: flags an ENV that sets a variable and uses it in another of its own pairs, when
the variable was not set before (by an earlier ENV or ARG).

Why is this bad? All pairs of one ENV are expanded with the values from before the
instruction, so `ENV A=1 B=$A` sets B to the old A (usually empty), not to 1.

Example:
    ENV VERSION=1.2 URL=https://example.com/tool-$VERSION.tar.gz

Use instead:
    ENV VERSION=1.2
    ENV URL=https://example.com/tool-$VERSION.tar.gz

Fix safety: no fix offered.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    known: set[str] = set()
    for ins in ctx.instructions:
        if isinstance(ins, A.Env):
            pairs = [kv for kv in ins.pairs if kv.key not in known]
            # A pair may refer to an earlier value of its own name (`PATH=/x:$PATH`).
            if any(_refers_to(kv.key, other.value)
                   for kv in pairs for other in ins.pairs if other is not kv):
                yield Finding(ins.span, MESSAGE)
            known.update(kv.key for kv in ins.pairs)
        elif isinstance(ins, A.Arg):
            known.update(d.key for d in ins.definitions)

"""DL3011: valid UNIX ports range from 0 to 65535."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "Valid UNIX ports range from 0 to 65535"
_PORT = re.compile(r"(\d+)(?:-(\d+))?(?:/\w+)?")


def out_of_range(port: str) -> bool:
    """A port or range (`8080`, `7000-7100/udp`) with a number above 65535; variables pass."""
    m = _PORT.fullmatch(port.strip())
    return m is not None and any(int(n) > 65535 for n in m.groups() if n is not None)


@rule(
    code="DL3011",
    name="port-out-of-range",
    summary="Valid UNIX ports range from 0 to 65535",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3011",
    docs="""
What it does: flags an `EXPOSE` of a port, or a port range, above 65535.

Why is this bad? TCP and UDP port numbers are 16 bits; such a port cannot be published, so the
instruction documents something that cannot work — usually a typo.

Example:
    EXPOSE 80800

Use instead:
    EXPOSE 8080

Fix safety: no fix; the intended port cannot be guessed.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if isinstance(ins, A.Expose) and any(out_of_range(p) for p in ins.ports):
            yield Finding(ins.span, MESSAGE)

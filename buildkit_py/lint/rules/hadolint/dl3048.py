"""DL3048: invalid label key."""
from __future__ import annotations

import string
from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import unquote

MESSAGE = "Invalid label key."
_VALID = frozenset(string.ascii_lowercase + string.digits + ".-_/")
_RESERVED = ("com.docker.", "io.docker.", "org.dockerproject.")


def valid_key(key: str) -> bool:
    """Docker's recommended form: lower-case, starts with a letter, ends with a letter or digit."""
    return (
        key[:1].isascii() and key[:1].islower()
        and (key[-1:].isascii() and (key[-1:].islower() or key[-1:].isdigit()))
        and set(key) <= _VALID
        and not key.startswith(_RESERVED)
        and ".." not in key and "--" not in key
    )


@rule(
    code="DL3048",
    name="invalid-label-key",
    summary="Invalid label key",
    severity="style",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3048",
    docs="""
What it does: flags LABEL keys that do not follow Docker's guidelines: lower-case letters,
digits, `.`, `-`, `_` and `/`; starting with a letter and ending with a letter or digit; no
`..` or `--`; and not in the namespaces Docker reserves (`com.docker.`, `io.docker.`,
`org.dockerproject.`).

Why is this bad? Tools that read labels expect reverse-DNS keys such as
`org.opencontainers.image.source`; odd keys are easy to mistype and hard to query.

Example:
    LABEL Maintainer=me@example.com

Use instead:
    LABEL maintainer=me@example.com

Fix safety: no fix; renaming a label changes what readers of the image see.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if isinstance(ins, A.Label) and not all(valid_key(unquote(ctx, kv.key)) for kv in ins.pairs):
            yield Finding(ins.span, MESSAGE)

"""DL3054: label `<label>` is not a valid SPDX identifier."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import bad_label_values
from ._validators import is_spdx_id

MESSAGE = "Label `{}` is not a valid SPDX identifier."  # with the label's name


@rule(
    code="DL3054",
    name="label-not-spdx",
    summary="Label `<label>` is not a valid SPDX identifier",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3054",
    docs="""
What it does: with a label schema configured, flags a LABEL that sets a label whose schema type
is `spdx` to a value that is not an SPDX licence identifier.

Why is this bad? Licence scanners match SPDX identifiers exactly; `Apache 2` or `apache-2.0` is
not recognised.

Example (schema: `org.opencontainers.image.licenses: spdx`):
    LABEL org.opencontainers.image.licenses="Apache 2"

Use instead:
    LABEL org.opencontainers.image.licenses="Apache-2.0"

Fix safety: no fix; the value is yours to give.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from bad_label_values(ctx, "spdx", lambda value: not is_spdx_id(value), MESSAGE)

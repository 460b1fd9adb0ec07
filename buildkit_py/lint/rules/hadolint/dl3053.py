"""DL3053: label `<label>` is not a valid time format - must conform to RFC3339."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import bad_label_values
from ._validators import is_rfc3339

MESSAGE = "Label `{}` is not a valid time format - must conform to RFC3339."  # with the label's name


@rule(
    code="DL3053",
    name="label-not-rfc3339",
    summary="Label `<label>` is not a valid time format - must conform to RFC3339",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3053",
    docs="""
What it does: with a label schema configured, flags a LABEL that sets a label whose schema type
is `rfc3339` to a value that is not an RFC 3339 timestamp.

Why is this bad? Tools sort and compare such labels (`org.opencontainers.image.created`) as
timestamps; another format breaks them.

Example (schema: `org.opencontainers.image.created: rfc3339`):
    LABEL org.opencontainers.image.created="05/01/2024"

Use instead:
    LABEL org.opencontainers.image.created="2024-05-01T12:00:00Z"

Fix safety: no fix; the value is yours to give.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from bad_label_values(ctx, "rfc3339", lambda value: not is_rfc3339(value), MESSAGE)

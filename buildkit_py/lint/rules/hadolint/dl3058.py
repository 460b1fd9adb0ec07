"""DL3058: label `<label>` is not a valid email format - must conform to RFC5322."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import bad_label_values
from ._validators import is_email

MESSAGE = "Label `{}` is not a valid email format - must conform to RFC5322."  # with the label's name


@rule(
    code="DL3058",
    name="label-not-email",
    summary="Label `<label>` is not a valid email format - must conform to RFC5322",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3058",
    docs="""
What it does: with a label schema configured, flags a LABEL that sets a label whose schema type
is `email` to a value that is not an e-mail address (RFC 5322 `local@domain`).

Why is this bad? A contact label that is not an address cannot be used to reach anyone.

Example (schema: `maintainer: email`):
    LABEL maintainer="Jane Doe"

Use instead:
    LABEL maintainer="jane@example.com"

Fix safety: no fix; the value is yours to give.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from bad_label_values(ctx, "email", lambda value: not is_email(value), MESSAGE)

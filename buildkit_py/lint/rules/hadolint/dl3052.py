"""DL3052: label `<label>` is not a valid URL."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import bad_label_values
from ._validators import is_url

MESSAGE = "Label `{}` is not a valid URL."  # with the label's name


@rule(
    code="DL3052",
    name="label-not-url",
    summary="Label `<label>` is not a valid URL",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3052",
    docs="""
What it does: with a label schema configured, flags a LABEL that sets a label whose schema type
is `url` to a value that is not an absolute URL (RFC 3986).

Why is this bad? Readers of the label (registries, scanners, people) follow it as a link; a
value that is not a URL sends them nowhere.

Example (schema: `org.opencontainers.image.source: url`):
    LABEL org.opencontainers.image.source="github.com/acme/app"

Use instead:
    LABEL org.opencontainers.image.source="https://github.com/acme/app"

Fix safety: no fix; the value is yours to give.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from bad_label_values(ctx, "url", lambda value: not is_url(value), MESSAGE)

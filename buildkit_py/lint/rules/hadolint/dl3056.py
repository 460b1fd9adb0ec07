"""DL3056: label `<label>` does not conform to semantic versioning."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import bad_label_values
from ._validators import is_semver

MESSAGE = "Label `{}` does not conform to semantic versioning."  # with the label's name


@rule(
    code="DL3056",
    name="label-not-semver",
    summary="Label `<label>` does not conform to semantic versioning",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3056",
    docs="""
What it does: with a label schema configured, flags a LABEL that sets a label whose schema type
is `semver` to a value that is not a semantic version (`1.2.3`, `1.2.3-rc.1`).

Why is this bad? Tools compare such versions by the semantic-versioning rules; `v1.2` or
`latest` cannot be ordered.

Example (schema: `org.opencontainers.image.version: semver`):
    LABEL org.opencontainers.image.version="v1.2"

Use instead:
    LABEL org.opencontainers.image.version="1.2.0"

Fix safety: no fix; the value is yours to give.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from bad_label_values(ctx, "semver", lambda value: not is_semver(value), MESSAGE)

"""DL3055: label `<label>` is not a valid git hash."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import bad_label_values
from ._validators import is_git_hash

MESSAGE = "Label `{}` is not a valid git hash."  # with the label's name


@rule(
    code="DL3055",
    name="label-not-git-hash",
    summary="Label `<label>` is not a valid git hash",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3055",
    docs="""
What it does: with a label schema configured, flags a LABEL that sets a label whose schema type
is `hash` to a value that is not a git commit id (7 or 40 lower-case hexadecimal digits).

Why is this bad? A revision label is there to find the commit the image was built from; anything
else cannot be looked up.

Example (schema: `org.opencontainers.image.revision: hash`):
    LABEL org.opencontainers.image.revision="main"

Use instead:
    LABEL org.opencontainers.image.revision="0f3a9c1"

Fix safety: no fix; the value is yours to give.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from bad_label_values(ctx, "hash", lambda value: not is_git_hash(value), MESSAGE)

"""DL1001: inline `# hadolint ignore=…` pragmas (off unless enabled, as in hadolint)."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ....errors import Span
from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`."
# `# hadolint ignore=DL3008,SC2086 [# comment]`; the whole comment must be the pragma.
_PRAGMA = re.compile(r"[ \t]*hadolint[ \t]+ignore[ \t]*=[ \t]*[DLSC0-9]+(?:[ \t]*,[ \t]*[DLSC0-9]+)*"
                     r"[ \t]*(?:#.*)?")


def is_ignore_pragma(comment: str) -> bool:
    """Whether a comment's text (after `#`) is hadolint's per-line ignore pragma."""
    return _PRAGMA.fullmatch(comment) is not None


@rule(
    code="DL1001",
    name="inline-ignore-pragma",
    summary="Please refrain from using inline ignore pragmas `# hadolint ignore=DLxxxx`",
    severity="none",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL1001",
    docs="""
What it does: flags each `# hadolint ignore=…` comment. Its severity is `none`, as in hadolint, so
it only reports when you raise it (`severity = { DL1001 = "warning" }`) — for teams that want every
exception to live in the configuration file, where it is reviewed once.

Why is this bad? Inline pragmas scatter exceptions through the Dockerfiles; they are easy to add
and never revisited, and a reader cannot see in one place which checks a project has turned off.

Example:
    # hadolint ignore=DL3008
    RUN apt-get install -y curl

Use instead (in `.pybuild.toml` or `[tool.pybuild.lint]`):
    ignore = ["DL3008"]

Fix safety: no fix; moving an exception into the configuration widens it to every file.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    # Comment lines between instructions only: hadolint skips comments inside continuations.
    for item in ctx.dockerfile.items:
        if not isinstance(item, A.Trivia) or "hadolint" not in item.text:
            continue
        for n, line in enumerate(item.text.split("\n")):
            text = line.rstrip("\r").lstrip(" \t")
            if text.startswith("#") and is_ignore_pragma(text[1:]):
                number = item.span.start_line + n
                yield Finding(Span(number, 1, number, len(line.rstrip("\r")) + 1), MESSAGE)

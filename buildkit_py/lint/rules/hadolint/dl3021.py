"""DL3021: COPY with several sources needs a destination ending in `/`."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Edit, Finding, Fix
from ...rule import rule
from ._common import drop_quotes

MESSAGE = "COPY with more than 2 arguments requires the last argument to end with /"


def _fix(ctx: LintContext, ins: A.Copy) -> Fix | None:
    """Append `/` to the destination word (inside its closing quote, if it has one)."""
    if not ins.args or ins.empty_continuation_lines:
        return None  # a continuation over a blank line may have swallowed the next instruction
    word = ins.args[-1]
    start, end = ctx.span_offsets(ins.span_of(word))
    text = ctx.source[start:end]
    if ins.json:  # the word is the decoded string; its quotes are around it in the source
        if ctx.source[end:end + 1] != '"':
            return None
        return Fix("Add `/` to the destination", (Edit(end, end, "/"),))
    if text != word.value:
        return None  # written across a line continuation
    at = end - 1 if len(text) > 1 and text[-1] in "\"'" and text[0] == text[-1] else end
    return Fix("Add `/` to the destination", (Edit(at, at, "/"),))


@rule(
    code="DL3021",
    name="copy-multiple-sources-dest",
    summary="COPY with more than 2 arguments requires the last argument to end with /",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3021",
    docs="""
What it does: flags a `COPY` of two or more sources whose destination does not end in `/`.

Why is this bad? With several sources the destination must be a directory, and BuildKit insists
that it says so with a trailing slash: the build fails ("When using COPY with more than one
source file, the destination must be a directory and end with a /").

A Windows destination ending in a backslash (`C:\\app\\`) is a directory too: BuildKit turns its
separators into slashes and keeps the trailing one (hadolint wants a `/` there as well).

Example:
    COPY package.json package-lock.json /app

Use instead:
    COPY package.json package-lock.json /app/

Fix safety: safe; adds the `/` that the build requires, and the copy is the same. No fix when
the instruction continues over a blank line: then the "sources" are often the next instruction.
""",
    fixable=True,
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if isinstance(ins, A.Copy) and len(ins.sources) > 1:
            # A trailing `\` is a Windows directory (BuildKit turns `C:\\app\\` into `/app/`).
            if not drop_quotes(ins.dest).endswith(("/", "\\")):
                yield Finding(ins.span, MESSAGE, _fix(ctx, ins))

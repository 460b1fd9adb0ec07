"""DL3020: use COPY instead of ADD for files and folders."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ....errors import Span
from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding, Fix
from ...rule import rule
from ._common import drop_quotes, is_archive

MESSAGE = "Use COPY instead of ADD for files and folders"
_PATTERN = re.compile(r"[$*?\[]")  # a variable or glob: the source could be an archive after all


def is_url(source: str) -> bool:
    return drop_quotes(source).startswith(("https://", "http://"))


def _fix(ctx: LintContext, ins: A.Add) -> Fix | None:
    """`ADD` → `COPY`: only when ADD's extra powers are unused (no URL, archive, ADD-only flag)."""
    if ins.keep_git_dir is not None or ins.checksum is not None or ins.unpack is not None:
        return None
    if any(is_archive(s) or is_url(s) or "://" in s or "@" in s for s in ins.sources):
        return None
    line, col = ins.span.start_line, ins.span.start_col
    edit = ctx.replace(Span(line, col, line, col + len(ins.keyword)), "COPY")
    safe = not any(_PATTERN.search(s) for s in ins.sources)
    return Fix("Replace ADD with COPY", (edit,), safe=safe)


@rule(
    code="DL3020",
    name="use-copy-not-add",
    summary="Use COPY instead of ADD for files and folders",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3020",
    docs="""
What it does: flags an `ADD` with a source that is neither a URL (`http://`, `https://`) nor an
archive name (`.tar`, `.tar.gz`, `.tgz`, `.xz`, …).

Why is this bad? ADD also downloads URLs and unpacks archives; using it for plain files makes the
reader wonder which of those it does here, and a file that happens to be a tar archive is
unpacked without anyone asking. COPY does only the copy.

Example:
    ADD requirements.txt /app/

Use instead:
    COPY requirements.txt /app/

Fix safety: replaces the keyword ADD with COPY. Safe when every source is a plain name; unsafe
when a source holds a variable or a glob, which might name an archive ADD would have unpacked
(ADD also unpacks a local tar archive whatever its name, which the fix cannot see). No fix when
a source is a URL, an archive, a git repository, or ADD's own flags are used.
""",
    fixable=True,
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if isinstance(ins, A.Add) and ins.sources:
            if not all(is_archive(s) or is_url(s) for s in ins.sources):
                yield Finding(ins.span, MESSAGE, _fix(ctx, ins))

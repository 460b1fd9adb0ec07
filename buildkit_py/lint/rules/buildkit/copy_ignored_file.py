"""CopyIgnoredFile: COPY or ADD of a path that .dockerignore leaves out of the context."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from ....shell.goquote import go_quote
from ....shell.lex import ShellExpansionError
from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import dispatched_stages, first_line
from ._support import url

_REMOTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|git@)")
_ROOT_PATTERNS = ("*", "**", "**/*")


@rule(
    code="CopyIgnoredFile",
    name="copy-ignored-file",
    summary="Attempting to Copy file that is excluded by .dockerignore",
    severity="warning",
    origin="buildkit",
    url=url("copy-ignored-file"),
    needs_context=True,
    docs="""
What it does: with a build context (`--context DIR`), flags COPY and ADD sources from the
context that its .dockerignore (or `<Dockerfile>.dockerignore`) excludes. As BuildKit does, it
stays silent when the ignore file has `!` re-include patterns, since those cannot be judged
without walking the files.

Why is this bad? Excluded files are not sent to the builder: the COPY fails, or copies less
than you think.

Example:
    # .dockerignore: *.md
    COPY README.md /docs/

Use instead:
    remove the pattern from .dockerignore, or stop copying the file.

Fix safety: no fix.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    matcher = ctx.dockerignore
    if matcher is None or matcher.exclusions:
        return
    root_ignored = any(not p.exclusion and p.text in _ROOT_PATTERNS for p in matcher.patterns)
    scope = ctx.scope
    for stage in dispatched_stages(ctx):
        for step in scope.steps(stage.index):
            ins = step.ins
            if not isinstance(ins, (A.Copy, A.Add)) or (isinstance(ins, A.Copy) and ins.from_):
                continue
            verb = "Add" if isinstance(ins, A.Add) else "Copy"
            for src in ins.sources:
                try:
                    src = scope.lexer.process_word(src, step.env)
                except ShellExpansionError:
                    continue
                if _REMOTE.match(src):
                    continue
                path = posixpath.normpath(src) if src else "."
                if path in (".", "/"):
                    excluded = root_ignored  # every root pattern matches the context root itself
                else:
                    excluded = matcher.matches(path)
                if excluded:
                    msg = f"Attempting to {verb} file {go_quote(path)} that is excluded by .dockerignore"
                    yield Finding(first_line(ins), msg, instruction=ins)

"""PB006: a COPY/ADD source that .dockerignore keeps out of the build context (needs --context)."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from ._context import BuildContext, Source


@rule(
    code="PB006",
    name="copy-source-ignored",
    summary="COPY/ADD source excluded by .dockerignore",
    severity="error",
    needs_context=True,
    docs="""
What it does: with `--context DIR`, flags COPY and ADD sources that exist in the context
but are excluded by the ignore file BuildKit would use (`<Dockerfile>.dockerignore` beside
the Dockerfile, else `.dockerignore` at the root of the context), with the pattern that
excludes them. Matching follows BuildKit: the last matching pattern wins, `!` re-includes,
`**` spans directories, and a directory's exclusion covers everything below it. A directory
counts as excluded only when nothing below it is sent.

Why is this bad? Excluded files are not sent to the builder, so the build fails with "not
found" although the file is right there in the project, which is confusing. A broken
.dockerignore is reported here too, because it fails every build.

Example:
    # .dockerignore
    *.txt

    # Dockerfile
    COPY requirements.txt .

Use instead:
    # .dockerignore
    *.txt
    !requirements.txt

BuildKit's experimental CopyIgnoredFile check looks at the same thing, but stays silent when
the ignore file has `!` patterns and does not look at the files; PB006 runs by default,
walks the context to settle `!` patterns, and names the pattern that excludes the source.

Fix safety: no fix; the ignore file or the COPY may be the one that is wrong.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    from ._context import build_context, context_copies  # only with --context

    bc = build_context(ctx)
    if bc.ignore_error is not None:
        first = ctx.instructions[0]
        yield Finding(first.span, f"{bc.ignore_file} cannot be read by BuildKit: {bc.ignore_error}")
        return
    if bc.matcher is None:
        return
    for ins, sources in context_copies(ctx, bc):
        for source in sources:
            if not source.matches or not all(_fully_excluded(bc, m) for m in source.matches):
                continue
            span = next((ins.span_of(w) for w in ins.args if w.value == source.written), ins.span)
            yield Finding(span, _message(ins.keyword.upper(), source, bc))


def _fully_excluded(bc: BuildContext, rel: str) -> bool:
    if not bc.excluded(rel):
        return False
    if bc.kind(rel) == "dir" and bc.matcher is not None and bc.matcher.exclusions:
        return next(bc.files(rel), None) is None  # a `!` pattern may bring something below back
    return True


def _message(keyword: str, source: Source, bc: BuildContext) -> str:
    if source.glob:
        return f"{keyword} source `{source.written}`: every match is excluded by {bc.why(source.matches[0])}"
    return f"{keyword} source `{source.written}` is excluded by {bc.why(source.path)}, so the build will not find it"

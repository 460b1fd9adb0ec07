"""Runs the rules over a Dockerfile: selection, severity, suppression, ordering."""
from __future__ import annotations

from pathlib import Path

from ..syntax import ast as A
from .config import LintConfig
from .context import LintContext
from .model import Diagnostic
from .rule import all_rules


def lint(
    dockerfile: A.Dockerfile | str,
    config: LintConfig | None = None,
    *,
    path: str | None = None,
    context_dir: str | Path | None = None,
) -> list[Diagnostic]:
    """Lint a parsed Dockerfile or its text; diagnostics sorted by place."""
    from ..syntax import parse

    config = config or LintConfig()
    df = parse(dockerfile, path=path, strict=False) if isinstance(dockerfile, str) else dockerfile
    ctx = LintContext(df, config, Path(context_dir) if context_dir is not None else None)
    out: list[Diagnostic] = []
    lines = ctx.lines
    for rule in all_rules().values():
        if not config.enabled(rule.code, rule.experimental):
            continue
        if rule.needs_context and ctx.context_dir is None:
            continue
        severity = config.severity.get(rule.code, rule.severity)
        for f in rule.check(ctx):
            text = lines[f.span.start_line - 1] if 0 < f.span.start_line <= len(lines) else ""
            out.append(Diagnostic(
                code=rule.code, message=f.message, severity=severity, span=f.span, path=df.path,
                fix=f.fix, url=rule.url, name=rule.name, source_line=text.rstrip("\r"),
            ))
    out.sort(key=lambda d: (d.span.start_line, d.span.start_col, d.code))
    return out

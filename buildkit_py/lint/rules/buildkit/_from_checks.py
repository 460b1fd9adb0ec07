"""How BuildKit expands a FROM line against the global ARGs (shared by the FROM checks)."""
from __future__ import annotations

from ....records import dataclass

from ....shell.lex import ShellExpansionError
from ....syntax import ast as A
from ...context import LintContext


@dataclass(frozen=True, slots=True)
class Expanded:
    """A word after variable expansion, with the names it used that were set and unset."""

    text: str
    result: str
    matched: frozenset[str]
    unmatched: frozenset[str]
    error: ShellExpansionError | None = None


def expand(ctx: LintContext, word: str) -> Expanded:
    scope = ctx.scope
    try:
        result, matched, unmatched = scope.lexer.process_word_with_matches(word, scope.meta.env)
    except ShellExpansionError as err:
        return Expanded(word, "", frozenset(), frozenset(), err)
    return Expanded(word, result, matched, unmatched)


def from_expansions(ctx: LintContext) -> list[tuple[A.Stage, Expanded, Expanded | None]]:
    """For each stage: its FROM image and --platform, expanded (computed once for all checks)."""
    key = "buildkit:from"
    if key not in ctx.cache:
        out = []
        for stage in ctx.stages:
            platform = stage.from_.platform
            out.append((stage, expand(ctx, stage.from_.image), expand(ctx, platform) if platform else None))
        ctx.cache[key] = out
    return ctx.cache[key]


def check_keys(ctx: LintContext) -> frozenset[str]:
    """Names a FROM may use: automatic ARGs and every global ARG, with a value or not."""
    scope = ctx.scope
    return frozenset(scope.meta.env) | scope.meta.declared

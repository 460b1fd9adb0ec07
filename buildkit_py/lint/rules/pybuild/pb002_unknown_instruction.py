"""PB002: an unknown instruction that is a known one glued to its argument (`COPY.`) or misspelled (`FORM`)."""
from __future__ import annotations

from collections.abc import Iterator

from ....errors import Span
from ....syntax import ast as A
from ...context import LintContext
from ...model import Edit, Finding, Fix
from ...rule import rule

_NAMES = tuple(sorted(A.INSTRUCTION_CLASSES))
_GLUE_SAFE = set("./[-$\"'~")  # what can start an argument, but never a keyword
_MAX_TYPOS = 2  # edits (a swap of neighbours counts one) from the instruction meant


@rule(
    code="PB002",
    name="unknown-instruction-typo",
    summary="Unknown instruction that is a known one glued to its argument or misspelled",
    severity="error",
    fixable=True,
    docs="""
What it does: flags an instruction BuildKit does not know when it is a known instruction
with its argument glued on (`COPY. /app`, `RUN.`) or a misspelling of one (`FORM`, `CPOY`,
`WROKDIR`), and offers the corrected keyword.

Why is this bad? The build stops at the unknown instruction with "unknown instruction",
usually after everything above it has run.

Example:
    FORM python:3.13-slim
    COPY. /app

Use instead:
    FROM python:3.13-slim
    COPY . /app

Fix safety: the fix changes only the keyword, never the rest of the line.
- Glued keyword followed by a character that cannot be part of a keyword (`.`, `/`, `[`,
  `-`, `$`, quotes, `~`): safe, a space is inserted (`COPY. /app` → `COPY . /app`).
- Misspelling that is one swap of two neighbouring letters of exactly one instruction
  (`FORM` → `FROM`, `CPOY` → `COPY`) and not one edit away from any other: safe.
- Any other near match, at most two edits away (a missing, extra or wrong letter; digits
  glued on): unsafe, since another instruction, or something else entirely, may have been
  meant. Words further from every instruction are not reported here (the build's
  "unknown instruction" error still is).
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if not isinstance(ins, A.Unknown) or not ins.suggestion:
            continue
        start = ctx.offset(ins.span.start_line, ins.span.start_col)
        keyword = ins.keyword
        if ctx.source[start : start + len(keyword)] != keyword:
            yield Finding(ins.span, f"unknown instruction {keyword}: did you mean `{ins.suggestion}`?")
            continue
        glued = _glued_name(keyword)
        if glued is not None:
            after = keyword[len(glued)]
            fixed_keyword = keyword[: len(glued)] + " " + keyword[len(glued):]
            safe = after in _GLUE_SAFE
            what = f"{glued} glued to its argument"
        else:
            fixed_keyword = ins.suggestion.split(None, 1)[0] if ins.suggestion.split() else ins.suggestion
            if _distance(keyword.upper(), fixed_keyword.upper()) > _MAX_TYPOS:
                continue  # too far from any instruction to call it a typo
            safe = _one_transposition(keyword.upper(), fixed_keyword.upper())
            what = f"{fixed_keyword.upper()} misspelled"
        span = Span(ins.span.start_line, ins.span.start_col, ins.span.start_line, ins.span.start_col + len(keyword))
        fix = Fix(f"write `{fixed_keyword}`", (Edit(start, start + len(keyword), fixed_keyword),), safe=safe)
        yield Finding(span, f"unknown instruction {keyword} ({what}): did you mean `{ins.suggestion}`?", fix)


def _glued_name(keyword: str) -> str | None:
    upper = keyword.upper()
    for name in sorted(_NAMES, key=len, reverse=True):
        if upper.startswith(name) and len(upper) > len(name) and not upper[len(name)].isalpha():
            return name
    return None


def _one_transposition(typed: str, meant: str) -> bool:
    """`typed` is `meant` with two neighbouring letters swapped, and no other name is one edit away."""
    if len(typed) != len(meant) or typed == meant:
        return False
    diff = [i for i in range(len(typed)) if typed[i] != meant[i]]
    if len(diff) != 2 or diff[1] != diff[0] + 1:
        return False
    i = diff[0]
    if (typed[i], typed[i + 1]) != (meant[i + 1], meant[i]):
        return False
    return not any(name != meant and _one_edit(typed, name) for name in _NAMES)


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): edits, a neighbour swap counting one."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def _one_edit(a: str, b: str) -> bool:
    """Levenshtein distance exactly one, or an adjacent swap."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))

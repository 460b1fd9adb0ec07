"""Inline suppressions written in comments.

- `# pybuild: ignore=CODE[,CODE]` and hadolint's `# hadolint ignore=CODE[,CODE]`: the next
  instruction (the pragma sits in the block of comment lines directly above it);
- `# pybuild: ignore-file=CODE[,CODE]` and `# hadolint global ignore=CODE[,CODE]`: the whole file.
`all` stands for every rule.
"""
from __future__ import annotations

import re
from dataclasses import field

from ..records import dataclass
from ..syntax import ast as A

_PRAGMA = re.compile(
    r"^\s*#\s*(?:pybuild:\s*(?P<pb>ignore-file|ignore)|hadolint\s+(?P<hl>global\s+ignore|ignore))"
    r"\s*=\s*(?P<codes>[A-Za-z0-9_,\s-]+?)\s*(?:#.*)?$"
)


@dataclass(frozen=True)
class Pragmas:
    """The file's ignore pragmas: codes ignored everywhere and codes ignored on given instructions."""

    file_codes: frozenset[str] = frozenset()
    # (first line, last line) of an instruction -> codes ignored on it
    ranges: tuple[tuple[int, int, frozenset[str]], ...] = ()
    lines: tuple[int, ...] = field(default=())  # where pragmas were written (for DL1001-like rules)

    def suppresses(self, code: str, line: int) -> bool:
        if code in self.file_codes or "all" in self.file_codes:
            return True
        for first, last, codes in self.ranges:
            if first <= line <= last and (code in codes or "all" in codes):
                return True
        return False


NO_PRAGMAS = Pragmas()


def _codes(text: str) -> frozenset[str]:
    return frozenset(c.strip() for c in text.split(",") if c.strip())


def find_pragmas(df: A.Dockerfile) -> Pragmas:
    """Every suppression pragma in the file (the text is scanned once, only if one may be there)."""
    src = df.source
    if "pybuild" not in src and "hadolint" not in src:
        return NO_PRAGMAS
    comment_lines: dict[int, str] = {}
    for item in df.items:
        if isinstance(item, (A.Trivia, A.Directive)):
            for i, text in enumerate(item.text.split("\n")):
                if text.lstrip().startswith("#"):
                    comment_lines[item.span.start_line + i] = text
    file_codes: set[str] = set()
    pending: dict[int, frozenset[str]] = {}  # pragma line -> codes, for the next instruction
    where: list[int] = []
    for line, text in comment_lines.items():
        m = _PRAGMA.match(text)
        if m is None:
            continue
        where.append(line)
        codes = _codes(m.group("codes"))
        kind = m.group("pb") or m.group("hl")
        if kind in ("ignore-file",) or kind.startswith("global"):
            file_codes |= codes
        else:
            pending[line] = codes
    ranges = []
    if pending:
        for ins in df.instructions:
            codes: set[str] = set()
            line = ins.start_line - 1
            while line in comment_lines:  # the comment block directly above
                codes |= pending.get(line, frozenset())
                line -= 1
            if codes:
                ranges.append((ins.start_line, ins.end_line, frozenset(codes)))
    return Pragmas(frozenset(file_codes), tuple(ranges), tuple(sorted(where)))

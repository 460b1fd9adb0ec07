"""Errors users can act on: one base class, carrying a place in a file and a hint.

Every layer raises its own subclass (DockerfileSyntaxError, BuildError, StoreError, ...);
the CLI turns any of them into one clear message and an exit status, never a traceback.
"""
from __future__ import annotations

from .records import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based lines, 1-based columns, end column exclusive."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    def to_json(self) -> dict[str, int]:
        return {
            "start_line": self.start_line,
            "start_col": self.start_col,
            "end_line": self.end_line,
            "end_col": self.end_col,
        }


class PybuildError(Exception):
    """Base of every error meant for the user. `exit_code` is what the CLI exits with."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        span: Span | None = None,
        path: str | None = None,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.path = path
        self.source = source  # the whole text the span points into, for the snippet
        self.hint = hint

    def __str__(self) -> str:
        return self.render(color=False)

    def location(self) -> str:
        where = self.path or "<input>"
        if self.span is None:
            return where
        return f"{where}:{self.span.start_line}:{self.span.start_col}"

    def render(self, *, color: bool = False) -> str:
        """`file:line:col: message`, the source line, a caret under the column, and the hint."""
        red, bold, dim, reset = ("\x1b[31m", "\x1b[1m", "\x1b[2m", "\x1b[0m") if color else ("",) * 4
        head = f"{bold}{self.location()}{reset}: {red}error{reset}: {self.message}"
        lines = [head]
        if self.span is not None and self.source is not None:
            src_lines = self.source.splitlines()
            if 1 <= self.span.start_line <= len(src_lines):
                text = src_lines[self.span.start_line - 1].rstrip("\r")
                num = str(self.span.start_line)
                lines.append(f"{dim}{num} |{reset} {text}")
                col = max(self.span.start_col, 1)
                width = 1
                if self.span.end_line == self.span.start_line and self.span.end_col > col:
                    width = self.span.end_col - col
                pad = "".join("\t" if ch == "\t" else " " for ch in text[: col - 1])
                lines.append(f"{' ' * len(num)} | {pad}{red}{'^' * width}{reset}")
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)

"""What a rule sees: the parsed Dockerfile and helpers shared by many rules (computed once)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Span
from ..syntax import ast as A
from .config import LintConfig
from .model import Edit

if TYPE_CHECKING:
    from ..shell.script_model import ParsedShell


@dataclass
class LintContext:
    dockerfile: A.Dockerfile
    config: LintConfig = field(default_factory=LintConfig)
    context_dir: Path | None = None  # the build context, for rules that look at files
    cache: dict[str, Any] = field(default_factory=dict)  # rule families may share work here

    @property
    def path(self) -> str | None:
        return self.dockerfile.path

    @property
    def source(self) -> str:
        return self.dockerfile.source

    @functools.cached_property
    def instructions(self) -> tuple[A.Instruction, ...]:
        return self.dockerfile.instructions

    @functools.cached_property
    def stages(self) -> tuple[A.Stage, ...]:
        return self.dockerfile.stages

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.source.split("\n")

    @functools.cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        for i, ch in enumerate(self.source):
            if ch == "\n":
                starts.append(i + 1)
        return starts

    def offset(self, line: int, col: int) -> int:
        """Character offset in the file of a 1-based (line, column)."""
        return self._line_starts[line - 1] + col - 1

    def span_offsets(self, span: Span) -> tuple[int, int]:
        return self.offset(span.start_line, span.start_col), self.offset(span.end_line, span.end_col)

    def replace(self, span: Span, text: str) -> Edit:
        """An edit that replaces what `span` covers."""
        start, end = self.span_offsets(span)
        return Edit(start, end, text)

    def stage_of(self, ins: A.Instruction) -> A.Stage | None:
        for stage in self.stages:
            if stage.from_ is ins or any(i is ins for i in stage.instructions):
                return stage
        return None

    def shell(self, ins: A.Instruction) -> "ParsedShell | None":
        """The shell script of a shell-form RUN (heredoc bodies included), parsed once."""
        key = f"shell:{id(ins)}"
        if key not in self.cache:
            self.cache[key] = _parse_shell(ins)
        return self.cache[key]


def run_script(ins: A.Instruction) -> str | None:
    """The text a shell-form RUN hands to the shell: the line, or its heredoc body."""
    if not isinstance(ins, A.Run) or ins.json or not ins.command:
        return None
    script = ins.command[0]
    if ins.heredocs:
        bodies = "\n".join(h.body for h in ins.heredocs)
        stripped = script.strip()
        if stripped.startswith("<<") and len(stripped.split()) == 1:
            return bodies  # `RUN <<EOF` runs the body itself
        return script + "\n" + bodies
    return script


def _parse_shell(ins: A.Instruction) -> "ParsedShell | None":
    script = run_script(ins)
    if script is None:
        return None
    from ..shell.script import parse_shell

    return parse_shell(script)

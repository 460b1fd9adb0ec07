"""What the linter produces: diagnostics, with optional fixes as text edits."""
from __future__ import annotations

from dataclasses import field
from enum import IntEnum

from ..errors import Span
from ..records import dataclass

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from ..syntax.ast import Instruction


class Severity(IntEnum):
    """Ordered so that `severity >= threshold` selects what fails a run (hadolint's levels)."""

    NONE = 0
    STYLE = 1
    INFO = 2
    WARNING = 3
    ERROR = 4

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (error, warning, info, style, none)") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace source[start:end] (character offsets in the whole file) with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A change that resolves a finding: text edits, applied together, and whether --fix may apply them."""

    description: str
    edits: tuple[Edit, ...]
    safe: bool = True  # applied by --fix; unsafe ones need --unsafe-fixes


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports; the engine adds the rule's code, severity and URL."""

    span: Span
    message: str
    fix: Fix | None = None
    # BuildKit checks: the instruction whose `# check=` comment governs this finding (BuildKit
    # sometimes reports at one instruction under another's comment); None: the file's directive only.
    instruction: "Instruction | None" = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A finding as reported: the rule, the place, the severity, and a fix when there is one."""

    code: str  # DL3006, StageNameCasing, PB001, ...
    message: str
    severity: Severity
    span: Span
    path: str | None = None
    fix: Fix | None = None
    url: str | None = None
    name: str = ""  # the rule's human name
    source_line: str = field(default="", compare=False)

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def to_json(self) -> dict:
        out = {
            "code": self.code, "name": self.name, "message": self.message, "severity": str(self.severity),
            "file": self.path, "line": self.span.start_line, "column": self.span.start_col,
            "end_line": self.span.end_line, "end_column": self.span.end_col, "url": self.url,
        }
        if self.fix is not None:
            out["fix"] = {
                "description": self.fix.description, "safe": self.fix.safe,
                "edits": [{"start": e.start, "end": e.end, "text": e.text} for e in self.fix.edits],
            }
        return out

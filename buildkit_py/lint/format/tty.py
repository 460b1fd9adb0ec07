"""For people: `file:line:col: CODE message`, the source line and a caret; colour on a terminal."""
from __future__ import annotations

from collections.abc import Sequence

from ..model import Diagnostic, Severity
from . import display_path

_SEV_COLOR = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m",
              Severity.STYLE: "\x1b[35m"}


def render(diags: Sequence[Diagnostic], *, color: bool = False) -> str:
    bold, dim, reset = ("\x1b[1m", "\x1b[2m", "\x1b[0m") if color else ("", "", "")
    out: list[str] = []
    for d in diags:
        sev = _SEV_COLOR.get(d.severity, "") if color else ""
        where = f"{display_path(d)}:{d.span.start_line}:{d.span.start_col}"
        mark = f" {dim}[*]{reset}" if d.fix is not None and d.fix.safe else ""
        out.append(f"{bold}{where}{reset}: {sev}{bold}{d.code}{reset} {d.message}{mark}")
        if d.source_line:
            num = str(d.span.start_line)
            text = d.source_line
            col = max(d.span.start_col, 1)
            width = d.span.end_col - col if d.span.end_line == d.span.start_line and d.span.end_col > col else 1
            width = max(1, min(width, max(len(text) - col + 1, 1)))
            lead = text[: col - 1]  # the caret lines up under tabs as the source line does
            pad = " " * len(lead) if "\t" not in lead else "".join("\t" if ch == "\t" else " " for ch in lead)
            out.append(f"{dim}{num} |{reset} {text}")
            out.append(f"{' ' * len(num)} {dim}|{reset} {pad}{sev}{'^' * width}{reset}")
        if d.fix is not None:
            safety = "" if d.fix.safe else " (unsafe)"
            out.append(f"{' ' * len(str(d.span.start_line))} {dim}= fix{safety}: {d.fix.description}{reset}")
        out.append("")
    return "\n".join(out)


def summary(diags: Sequence[Diagnostic], files: int) -> str:
    if not diags:
        return f"No problems found in {files} file{'s' if files != 1 else ''}."
    fixable = sum(1 for d in diags if d.fix is not None and d.fix.safe)
    unsafe = sum(1 for d in diags if d.fix is not None and not d.fix.safe)
    text = f"Found {len(diags)} problem{'s' if len(diags) != 1 else ''} in {files} file{'s' if files != 1 else ''}."
    if fixable:
        text += f" [*] {fixable} fixable with --fix"
        text += f" ({unsafe} more with --unsafe-fixes)." if unsafe else "."
    elif unsafe:
        text += f" {unsafe} fixable with --fix --unsafe-fixes."
    return text

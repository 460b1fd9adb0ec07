"""`pybuild lint`'s work without click: lint the files (in workers when there are many) and report.

The click command (commands/lint.py) and the console script's lean path (entry.py) both run
this, so what they print and how they exit is the same by construction.
"""
from __future__ import annotations

import re
import sys
from dataclasses import field
from pathlib import Path

from ..records import dataclass
from ..terminal import use_color

FORMATS = ("tty", "json", "sarif", "checkstyle", "codeclimate", "gitlab", "github", "gnu")
LEVELS = ("error", "warning", "info", "style", "none")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def echo(text: str, *, err: bool = False, nl: bool = True, color: bool | None = None) -> None:
    """click.echo's behaviour for text: a newline, a flush, and colour codes dropped off a terminal
    unless `color` says otherwise."""
    stream = sys.stderr if err else sys.stdout
    if color is None:
        color = hasattr(stream, "isatty") and stream.isatty()
    if not color:
        text = _ANSI.sub("", text)
    stream.write(text + "\n" if nl else text)
    stream.flush()


@dataclass
class FileResult:
    """One file linted: its findings, or why it could not be read or parsed, and any fixed text."""

    name: str
    diagnostics: list = field(default_factory=list)
    error: Exception | None = None  # the file could not be read or parsed
    original: str = ""
    fixed: str | None = None
    applied: int = 0


def lint_all(files: list[str], config, context_dir, fix: bool, unsafe: bool, jobs: int) -> list[FileResult]:
    """Every file's result, in order; long lists are shared out among forked workers (lint/parallel.py)."""
    import functools
    import gc

    # Linting makes many small short-lived objects; with the default thresholds the collector
    # took ~5% of a corpus run (bench/lint.py), with these ~1%. What is alive now (modules,
    # rules, the parser) lives until exit: frozen, full collections do not walk it again.
    gc.set_threshold(10_000, 20, 10)
    gc.freeze()

    one = functools.partial(_lint_one, config=config, context_dir=context_dir, fix=fix, unsafe=unsafe)
    # Fixes write files and only this process can read standard input; one process needs no
    # workers (nor the module that forks them).
    n = 1
    if not (fix or "-" in files or jobs == 1 or len(files) == 1):
        from ..lint.parallel import jobs_for

        n = jobs_for(jobs, len(files))
    if n == 1:
        return [one(f) for f in files]
    import os

    from ..lint.parallel import map_in_workers

    sizes = []
    for f in files:
        try:
            sizes.append(os.path.getsize(f))
        except OSError:
            sizes.append(1)
    return map_in_workers(one, files, sizes, n)


def _lint_one(name: str, config, context_dir, fix: bool, unsafe: bool) -> FileResult:
    from ..errors import PybuildError
    from ..lint.engine import lint
    from ..syntax import read_source

    try:
        text, shown = read_source(name)
        if not fix:
            return FileResult(shown, lint(text, config, path=shown, context_dir=context_dir), original=text)
        from ..lint.fixes import fix_text

        result = fix_text(text, lambda t: lint(t, config, path=shown, context_dir=context_dir), unsafe=unsafe)
        return FileResult(shown, result.diagnostics, original=text, fixed=result.text, applied=result.applied)
    except PybuildError as err:
        return FileResult(name, error=err)


def report(results: list[FileResult], config, fmt: str, *, fix: bool, diff: bool, statistics: bool) -> int:
    errors = [r for r in results if r.error is not None]
    for r in errors:
        render = getattr(r.error, "render", None)
        echo(render(color=use_color(sys.stderr)) if render else str(r.error), err=True)
    ok = [r for r in results if r.error is None]
    if diff:
        changed = _print_diffs(ok)
        return 2 if errors else (1 if changed else 0)
    if fix:
        _write_fixes(ok)
    diags = [d for r in ok for d in r.diagnostics]
    if statistics:
        _print_statistics(diags)
    else:
        from ..lint.format import render

        stdin_fixed = fix and any(r.name == "<stdin>" for r in ok)
        color = use_color(sys.stderr if stdin_fixed else sys.stdout)
        text = render(fmt, diags, color=color and fmt == "tty")
        if text:
            echo(text.rstrip("\n") if fmt != "codeclimate" else text, nl=fmt != "codeclimate",
                       err=stdin_fixed, color=color)
        if fmt == "tty":
            from ..lint.format.tty import summary

            fixed = sum(r.applied for r in ok)
            line = summary(diags, len(ok)) + (f" Fixed {fixed}." if fix else "")
            echo(line, err=stdin_fixed)
    if errors:
        return 2
    failing = [d for d in diags if d.severity >= config.failure_threshold]
    return 1 if failing and not config.no_fail else 0


def _print_diffs(results: list[FileResult]) -> bool:
    import difflib

    changed = False
    for r in results:
        if r.fixed is None or r.fixed == r.original:
            continue
        changed = True
        lines = difflib.unified_diff(r.original.splitlines(keepends=True), r.fixed.splitlines(keepends=True),
                                     fromfile=f"a/{r.name}", tofile=f"b/{r.name}")
        for line in lines:
            echo(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n", nl=False)
    return changed


def _write_fixes(results: list[FileResult]) -> None:
    for r in results:
        if r.name == "<stdin>" and r.fixed is not None:
            echo(r.fixed, nl=False)  # the fixed text goes to standard output, as ruff does
            continue
        if r.fixed is None or r.fixed == r.original:
            continue
        path = Path(r.name)
        tmp = path.with_name(f".{path.name}.pybuild-fix")
        tmp.write_bytes(r.fixed.encode("utf-8", "surrogateescape"))
        tmp.replace(path)  # all or nothing: never a half-written Dockerfile


def _print_statistics(diags) -> None:
    from collections import Counter

    counts = Counter(d.code for d in diags)
    fixable = {d.code for d in diags if d.fix is not None}
    names = {d.code: d.name for d in diags}
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "[*]" if code in fixable else "   "
        echo(f"{n:5d}  {code:<32} {mark} {names[code]}")


def lint_config(files: list[str], *, config_file: str | None = None, select: frozenset[str] = frozenset(),
                ignore: frozenset[str] = frozenset(), failure_threshold: str | None = None, no_fail: bool = False,
                build_args: dict[str, str] | None = None, experimental: bool = False, shellcheck: bool = False,
                target: str | None = None, platform: str | None = None):
    """The config file found from the first file's directory (or `config_file`), with the command line's options."""
    from dataclasses import replace

    from ..lint.config_files import load_config
    from ..lint.model import Severity

    start = Path(files[0]).parent if files and files[0] != "-" else Path.cwd()
    config, _ = load_config(config_file, start)
    changes: dict = {}
    if select:
        changes["select"] = select
    if ignore:
        changes["ignore"] = config.ignore | ignore
    if failure_threshold:
        changes["failure_threshold"] = Severity.parse(failure_threshold)
    if build_args:
        changes["build_args"] = {**config.build_args, **build_args}
    for key, on in (("no_fail", no_fail), ("experimental", experimental), ("shellcheck", shellcheck)):
        if on:
            changes[key] = True
    if target is not None:
        changes["target"] = target
    if platform is not None:
        changes["platform"] = platform
    return replace(config, **changes)


# Options the lean path (lean_lint) takes; any other argument goes to the click command.
_VALUE_OPTIONS = {"--format": "fmt", "--failure-threshold": "failure_threshold", "--jobs": "jobs", "-j": "jobs"}
_FLAG_OPTIONS = {"--no-fail": "no_fail", "--statistics": "statistics"}


def lean_lint(args: list[str]) -> int | None:
    """`pybuild lint ARGS` without click, for the common command lines (paths and a few options):
    the exit status, or None when the click command must run (anything else, or any problem found
    before the first line is printed — it then reports it as usual)."""
    from ..leanargs import scan

    scanned = scan(args, _FLAG_OPTIONS, _VALUE_OPTIONS)
    if scanned is None:
        return None
    given, values, paths = scanned
    opts: dict = {"fmt": "tty", "failure_threshold": None, "jobs": "0"}
    opts.update((key, found[-1]) for key, found in values.items())  # the last one given wins
    if opts["fmt"] not in FORMATS or opts["failure_threshold"] not in (None, *LEVELS):
        return None
    if not opts["jobs"].isdigit() or not opts["jobs"].isascii():
        return None
    try:
        from ..lint.discover import find_dockerfiles

        files, missing = find_dockerfiles(paths or ["."])
        if missing or not files:
            return None
        config = lint_config(files, failure_threshold=opts["failure_threshold"], no_fail="no_fail" in given)
    except Exception:  # noqa: BLE001 - the click command reports it properly
        return None
    results = lint_all(files, config, None, False, False, int(opts["jobs"]))
    return report(results, config, opts["fmt"], fix=False, diff=False, statistics="statistics" in given)

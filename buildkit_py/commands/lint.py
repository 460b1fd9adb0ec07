"""`pybuild lint` and `pybuild rules`."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

FORMATS = ("tty", "json", "sarif", "checkstyle", "codeclimate", "gitlab", "github", "gnu")
LEVELS = ("error", "warning", "info", "style", "none")


def _codes(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(c.strip() for v in values for c in v.split(",") if c.strip())


def _build_args(values: tuple[str, ...]) -> dict[str, str]:
    import os

    out = {}
    for v in values:
        key, eq, value = v.partition("=")
        if not key:
            raise click.BadParameter(f"{v!r}: write NAME=VALUE", param_hint="--build-arg")
        if eq:
            out[key] = value
        elif key in os.environ:  # docker's rule: a bare NAME takes the value from the environment
            out[key] = os.environ[key]
    return out


@dataclass
class FileResult:
    name: str
    diagnostics: list = field(default_factory=list)
    error: Exception | None = None  # the file could not be read or parsed
    original: str = ""
    fixed: str | None = None
    applied: int = 0


def _lint_all(files: list[str], config, context_dir, fix: bool, unsafe: bool, jobs: int) -> list[FileResult]:
    """Every file's result, in order; long lists are shared out among forked workers (lint/parallel.py)."""
    import functools

    one = functools.partial(_lint_one, config=config, context_dir=context_dir, fix=fix, unsafe=unsafe)
    if fix or "-" in files:  # fixes write files, and only this process can read standard input
        return [one(f) for f in files]
    from ..lint.parallel import jobs_for, map_in_workers

    n = jobs_for(jobs, len(files))
    if n == 1:
        return [one(f) for f in files]
    import os

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


def _explain(code: str) -> None:
    from ..lint.catalog import explain, find_rule
    from ..lint.rule import all_rules

    r = find_rule(code)
    if r is None:
        from difflib import get_close_matches

        close = get_close_matches(code, list(all_rules()), n=1)
        hint = f" Did you mean {close[0]}?" if close else " `pybuild rules` lists them."
        raise click.UsageError(f"no rule {code!r}.{hint}")
    click.echo(explain(r), nl=False)


def _config(config_file, files, select, ignore, failure_threshold, no_fail, build_arg, experimental, shellcheck,
            target, platform):
    from ..lint.config_files import load_config
    from ..lint.model import Severity

    start = Path(files[0]).parent if files and files[0] != "-" else Path.cwd()
    config, _ = load_config(config_file, start)
    changes: dict = {}
    if select:
        changes["select"] = _codes(select)
    if ignore:
        changes["ignore"] = config.ignore | _codes(ignore)
    if failure_threshold:
        changes["failure_threshold"] = Severity.parse(failure_threshold)
    if build_arg:
        changes["build_args"] = {**config.build_args, **_build_args(build_arg)}
    for key, on in (("no_fail", no_fail), ("experimental", experimental), ("shellcheck", shellcheck)):
        if on:
            changes[key] = True
    if target is not None:
        changes["target"] = target
    if platform is not None:
        changes["platform"] = platform
    return replace(config, **changes)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="tty", show_default=True, help="Output format.")
@click.option("--failure-threshold", type=click.Choice(LEVELS), help="Exit 1 only for findings at or above this.")
@click.option("--select", multiple=True, metavar="CODE", help="Run only these rules (repeatable, comma lists; ALL).")
@click.option("--ignore", multiple=True, metavar="CODE", help="Do not run these rules (repeatable, comma lists).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), help="Config file to use.")
@click.option("--no-fail", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Show the fixes as a unified diff; write nothing.")
@click.option("--explain", metavar="CODE", help="Print a rule's documentation and exit.")
@click.option("--context", "context_dir", type=click.Path(exists=True, file_okay=False),
              help="Build context directory (enables checks that look at files).")
@click.option("--build-arg", multiple=True, metavar="NAME=VALUE", help="Build argument, as docker build takes it.")
@click.option("--target", help="Check as a build of this stage would (default: every stage).")
@click.option("--platform", help="Target platform for TARGETPLATFORM and friends (default: this machine).")
@click.option("--experimental", is_flag=True, help="Run BuildKit's experimental checks too.")
@click.option("--shellcheck", is_flag=True, help="Run ShellCheck on RUN scripts.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes for long file lists (0: one per CPU; 1: this process only).")
@click.pass_context
def lint(ctx: click.Context, paths, fmt, failure_threshold, select, ignore, config_file, no_fail, fix, unsafe_fixes,
         diff, explain, context_dir, build_arg, target, platform, experimental, shellcheck, statistics, jobs) -> None:
    """Check Dockerfiles (FILES, DIRS searched for Dockerfiles, or - for standard input).

    Exit status: 0 clean, 1 findings at or above the failure threshold, 2 usage or syntax error.
    """
    if explain:
        _explain(explain)
        return
    from ..lint.discover import find_dockerfiles

    files, missing = find_dockerfiles(list(paths) or ["."])
    if missing:
        raise click.UsageError(f"no such file or directory: {', '.join(missing)}")
    if not files:
        raise click.UsageError(f"no Dockerfiles found in {', '.join(paths) or '.'}")
    config = _config(config_file, files, select, ignore, failure_threshold, no_fail, build_arg, experimental,
                     shellcheck, target, platform)
    _warn_unknown_codes(_codes(select) | _codes(ignore))
    if shellcheck:
        import importlib.util

        if importlib.util.find_spec("buildkit_py.lint.shellcheck") is None:
            raise click.UsageError("--shellcheck needs buildkit_py.lint.shellcheck, which this pybuild does not have")
    ctx_dir = Path(context_dir) if context_dir else None
    import gc

    # Linting makes many small short-lived objects; with the default thresholds the collector
    # took ~5% of a corpus run (bench/lint.py), with these ~1%. What is alive now (modules,
    # rules, the parser) lives until exit: frozen, full collections do not walk it again.
    gc.set_threshold(10_000, 20, 10)
    gc.freeze()
    results = _lint_all(files, config, ctx_dir, fix or diff, unsafe_fixes, jobs)
    status = _report(results, config, fmt, fix=fix, diff=diff, statistics=statistics)
    ctx.exit(status)


def _warn_unknown_codes(codes: frozenset[str]) -> None:
    """A misspelt code in --select/--ignore would silently do nothing: say so (ShellCheck's SC codes pass)."""
    from difflib import get_close_matches

    from ..lint.rule import all_rules

    known = all_rules()
    for code in sorted(codes):
        if code in known or code == "ALL" or code.startswith("SC"):
            continue
        close = get_close_matches(code, list(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        click.echo(f"pybuild lint: warning: no rule {code!r}{hint}", err=True)


def _report(results: list[FileResult], config, fmt: str, *, fix: bool, diff: bool, statistics: bool) -> int:
    from ..cli import use_color

    errors = [r for r in results if r.error is not None]
    for r in errors:
        render = getattr(r.error, "render", None)
        click.echo(render(color=use_color(sys.stderr)) if render else str(r.error), err=True)
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
            click.echo(text.rstrip("\n") if fmt != "codeclimate" else text, nl=fmt != "codeclimate",
                       err=stdin_fixed, color=color)
        if fmt == "tty":
            from ..lint.format.tty import summary

            fixed = sum(r.applied for r in ok)
            line = summary(diags, len(ok)) + (f" Fixed {fixed}." if fix else "")
            click.echo(line, err=stdin_fixed)
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
            click.echo(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n", nl=False)
    return changed


def _write_fixes(results: list[FileResult]) -> None:
    for r in results:
        if r.name == "<stdin>" and r.fixed is not None:
            click.echo(r.fixed, nl=False)  # the fixed text goes to standard output, as ruff does
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
        click.echo(f"{n:5d}  {code:<32} {mark} {names[code]}")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("--origin", type=click.Choice(["buildkit", "hadolint", "pybuild"]), help="Only rules from here.")
def rules(fmt: str, origin: str | None) -> None:
    """List every lint rule: code, name, severity, origin, fix, summary."""
    from ..lint import catalog

    found = [r for r in catalog.sorted_rules() if origin is None or r.origin == origin]
    text = {"table": catalog.as_table, "json": catalog.as_json, "markdown": catalog.as_markdown}[fmt](found)
    click.echo(text)

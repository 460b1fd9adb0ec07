"""`pybuild lint` and `pybuild rules`."""
from __future__ import annotations

from pathlib import Path

import click

from .lint_run import FORMATS, LEVELS


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
    from .lint_run import lint_config

    return lint_config(files, config_file=config_file, select=_codes(select), ignore=_codes(ignore),
                       failure_threshold=failure_threshold, no_fail=no_fail,
                       build_args=_build_args(build_arg) if build_arg else None, experimental=experimental,
                       shellcheck=shellcheck, target=target, platform=platform)


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
    from .lint_run import lint_all, report

    results = lint_all(files, config, ctx_dir, fix or diff, unsafe_fixes, jobs)
    status = report(results, config, fmt, fix=fix, diff=diff, statistics=statistics)
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


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("--origin", type=click.Choice(["buildkit", "hadolint", "pybuild"]), help="Only rules from here.")
def rules(fmt: str, origin: str | None) -> None:
    """List every lint rule: code, name, severity, origin, fix, summary."""
    from ..lint import catalog

    found = [r for r in catalog.sorted_rules() if origin is None or r.origin == origin]
    text = {"table": catalog.as_table, "json": catalog.as_json, "markdown": catalog.as_markdown}[fmt](found)
    click.echo(text)

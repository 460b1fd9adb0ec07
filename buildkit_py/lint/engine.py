"""Runs the rules over a Dockerfile: selection, severity, suppression, ordering.

A rule only finds problems. Whether one is reported, and how severely, is decided here from
the config (select/ignore/severity), BuildKit's `# check=` directive and comments (for BuildKit's
checks), and the `# pybuild: ignore=` / `# hadolint ignore=` pragmas.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import PybuildError
from ..syntax import ast as A
from .checkconfig import CheckConfig, CheckOptionError, comment_check_value, file_check_value, parse_check_options
from .config import LintConfig
from .context import LintContext
from .model import Diagnostic, Finding, Severity
from .pragmas import NO_PRAGMAS, find_pragmas
from .rule import Rule, all_rules


# Scripts parsed for one file are remembered for the next (context.script_memo): a RUN script seen
# before, as across the variants of an official image, is not parsed again. PYBUILD_LINT_FRESH_FILES=1
# forgets them at each file, which bench/lint.py uses to show what linting costs without repeats.
_FRESH_FILES = os.environ.get("PYBUILD_LINT_FRESH_FILES") == "1"


def lint(
    dockerfile: A.Dockerfile | str,
    config: LintConfig | None = None,
    *,
    path: str | None = None,
    context_dir: str | Path | None = None,
    image_platforms: dict[str, str] | None = None,
) -> list[Diagnostic]:
    """Lint a parsed Dockerfile or its text; diagnostics sorted by place.

    Text is parsed leniently (instructions BuildKit rejects become findings); a file whose
    structure cannot be read raises DockerfileSyntaxError.
    """
    from ..syntax import parse

    if _FRESH_FILES:
        from .context import clear_script_memo

        clear_script_memo()
    config = config or LintConfig()
    df = parse(dockerfile, path=path, strict=False) if isinstance(dockerfile, str) else dockerfile
    ctx = LintContext(df, config, Path(context_dir) if context_dir is not None else None,
                      image_platforms=image_platforms)
    return run_rules(ctx)


def file_check_config(ctx: LintContext) -> tuple[CheckConfig, CheckOptionError | None]:
    """The file-level `# check=` options (BUILDKIT_DOCKERFILE_CHECK wins), computed once."""
    key = "engine:file-check"
    if key not in ctx.cache:
        value = file_check_value(ctx.dockerfile.directive("check"), ctx.config.build_args)
        try:
            ctx.cache[key] = (parse_check_options(value), None)
        except CheckOptionError as err:
            ctx.cache[key] = (CheckConfig(), err)
    return ctx.cache[key]


def _instruction_check(file_cfg: CheckConfig, ins: A.Instruction | None) -> CheckConfig:
    if ins is None or not ins.comments:
        return file_cfg
    value = comment_check_value(ins.comments)
    if value is None:
        return file_cfg
    try:
        return file_cfg.merged(parse_check_options(value))
    except CheckOptionError:
        return file_cfg  # BuildKit ignores a comment it cannot read


_SELECTION: list = [None, None]  # (config, [(rule, always)]) of the last config seen


def _candidates(config: LintConfig) -> list[tuple[Rule, bool]]:
    """Rules that may run under `config`: (rule, True) always, (rule, False) if the file asks for it."""
    if _SELECTION[0] is config:
        return _SELECTION[1]
    out = []
    for rule in all_rules().values():
        if config.enabled(rule.code, rule.experimental):
            out.append((rule, True))
        elif (rule.experimental and rule.origin == "buildkit" and rule.code not in config.ignore
              and (not config.select or rule.code in config.select or "ALL" in config.select)):
            out.append((rule, False))  # BuildKit's experimental checks: `# check=experimental=...`
    _SELECTION[:] = [config, out]
    return out


def run_rules(ctx: LintContext) -> list[Diagnostic]:
    """Every enabled rule over `ctx`, then suppression and ordering."""
    config = ctx.config
    df = ctx.dockerfile
    file_cfg, _ = file_check_config(ctx)
    pragmas = NO_PRAGMAS if config.disable_ignore_pragma else find_pragmas(df)
    lines = ctx.lines
    seen: set[tuple] = set()
    out: list[Diagnostic] = []
    for rule, always in _candidates(config):
        if rule.needs_context and ctx.context_dir is None:
            continue
        if not always and not (file_cfg.allows(rule.code, True) or "experimental" in df.source):
            continue
        buildkit = rule.origin == "buildkit"
        for f in rule.check(ctx):
            severity = _severity(rule, f, config, file_cfg) if buildkit else config.severity_of(rule.code, rule.severity)
            if severity is None or severity == Severity.NONE:
                continue
            if not buildkit and rule.code in file_cfg.skip:
                continue  # `# check=skip=` naming a rule of ours is honoured too
            if pragmas.suppresses(rule.code, f.span.start_line):
                continue
            key = (rule.code, f.span, f.message)
            if key in seen:
                continue
            seen.add(key)
            n = f.span.start_line
            text = lines[n - 1] if 0 < n <= len(lines) else ""
            out.append(Diagnostic(
                code=rule.code, message=f.message, severity=severity, span=f.span, path=df.path,
                fix=f.fix, url=rule.url, name=rule.name, source_line=text.rstrip("\r"),
            ))
    if config.shellcheck:
        out.extend(_shellcheck(ctx, pragmas, file_cfg))
    out.sort(key=lambda d: (d.span.start_line, d.span.start_col, d.code, d.message))
    return _drop_explained_build_errors(out)


class ShellcheckUnavailable(PybuildError):
    """--shellcheck without the module that runs it."""


def _shellcheck(ctx: LintContext, pragmas, file_cfg: CheckConfig) -> list[Diagnostic]:
    """ShellCheck's findings on RUN scripts (SC codes), suppressed like any other rule's."""
    import importlib

    try:
        module = importlib.import_module("buildkit_py.lint.shellcheck")
    except ModuleNotFoundError as err:
        if err.name != "buildkit_py.lint.shellcheck":
            raise
        raise ShellcheckUnavailable("--shellcheck needs buildkit_py.lint.shellcheck, which this pybuild does not have",
                                    hint="run without --shellcheck") from None
    out = []
    for d in module.run_shellcheck(ctx):
        if d.code in ctx.config.ignore or d.code in file_cfg.skip or pragmas.suppresses(d.code, d.span.start_line):
            continue
        out.append(d)
    return out


def _drop_explained_build_errors(out: list[Diagnostic]) -> list[Diagnostic]:
    """A BuildError is the fallback: a rule's own error with a fix on that line explains it better."""
    if not any(d.code == "BuildError" for d in out):
        return out
    rules = all_rules()
    explained = {d.span.start_line for d in out if d.severity == Severity.ERROR and d.fix is not None
                 and d.code in rules and rules[d.code].origin != "buildkit"}
    return [d for d in out if d.code != "BuildError" or d.span.start_line not in explained]


def _severity(rule: Rule, f: Finding, config: LintConfig, file_cfg: CheckConfig) -> Severity | None:
    """A BuildKit check's severity, or None when its `# check=` options switch it off here."""
    cfg = _instruction_check(file_cfg, f.instruction)
    if rule.experimental:
        if not (config.enabled(rule.code, True) or cfg.allows(rule.code, True)):
            return None
    elif not cfg.allows(rule.code, False):
        return None
    if rule.code in config.severity:
        return config.severity[rule.code]
    return Severity.ERROR if file_cfg.error else rule.severity

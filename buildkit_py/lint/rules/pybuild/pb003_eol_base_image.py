"""PB003: the base image runs software past its end of life (python 3.8, Debian buster, ...)."""
from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator

from ....shell.lex import Lexer, ShellExpansionError
from ....syntax import ast as A
from ...context import LintContext
from ...data.eol import TABLE_DATE
from ...data.eol_tags import expired, suggest
from ...model import Edit, Finding, Fix
from ...rule import rule
from ._common import file_offset

_ONE_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))\Z")


@rule(
    code="PB003",
    name="end-of-life-base-image",
    summary="Base image runs a language, database or distribution past its end of life",
    severity="warning",
    fixable=True,
    docs=f"""
What it does: reads the versions a base image's tag names (`python:3.8-slim-buster` is
Python 3.8 on Debian 10 "buster") and warns for each one past its end of life, with a
supported tag of the same image and variant to use instead. Image references made of ARGs
(`FROM python:${{PY}}`, `FROM ${{BASE}}`) are read with the ARGs' defaults or the
`--build-arg` values given to the linter.

The dates come from a table built into pybuild, compiled on {TABLE_DATE} from the
projects' published schedules (python.org, nodejs.org, go.dev, ruby-lang.org, php.net,
postgresql.org, MySQL, MariaDB, nginx.org, Adoptium, Debian, Ubuntu, Alpine, CentOS).
It covers the official images python, node, golang, ruby, php, postgres, mysql, mariadb,
nginx, eclipse-temurin, openjdk (deprecated), centos (discontinued), debian, ubuntu and
alpine, and distribution names in their tags (buster, bookworm, jammy, alpine3.19, ...).
Versions it does not know are not reported.

Why is this bad? Software past its end of life gets no security fixes. An image built on it
collects known vulnerabilities with every week it stays in use.

Example:
    FROM python:3.8-slim-buster

Use instead:
    FROM python:3.13-slim-trixie

Fix safety: unsafe. A new major version of a language or distribution can break the
application; the suggested tag needs testing. When the reference comes from an ARG default
(`ARG BASE=python:3.8-slim-buster` / `FROM ${{BASE}}`), the fix edits the default.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    today = max(time.strftime("%Y-%m-%d"), TABLE_DATE)  # the local date, as date.today() gives
    env, sources = _meta_args(ctx)
    lexer = _lexer(ctx.dockerfile.escape)
    stage_names: set[str] = set()
    for stage in ctx.stages:
        ins = stage.from_
        written = ins.image
        ref = written
        if "$" in written:
            try:
                ref = lexer.process_word(written, env)
            except ShellExpansionError:
                ref = ""
        if ref and ref.lower() not in stage_names:
            finding = _finding(ctx, ins, written, ref, today, sources)
            if finding is not None:
                yield finding
        if stage.name:
            stage_names.add(stage.name)


def _finding(ctx: LintContext, ins: A.From, written: str, ref: str, today: str,
             sources: dict[str, tuple[A.Arg, A.ArgDef]]) -> Finding | None:
    found = expired(ref, today)
    if not found:
        return None
    better = suggest(ref, today)
    shown = ref if ref == written else f"{ref} (from {written})"
    message = f"{shown}: " + "; ".join(e.describe() for e in found)
    if better:
        message += f"; use a supported tag such as {better}"
    span = ins.span_of(ins.args[0]) if ins.args else ins.span
    fix = None
    if better and "$" not in written:
        fix = Fix(f"use {better}", (ctx.replace(span, better),), safe=False)
    elif better:
        one = _ONE_VARIABLE.match(written)
        name = one and (one.group(1) or one.group(2))
        if name and name in sources:
            fix = _arg_default_fix(ctx, *sources[name], better)
    return Finding(span, message, fix)


@functools.lru_cache(maxsize=2)
def _lexer(escape: str) -> Lexer:
    return Lexer(escape=escape)  # building one compiles its patterns: once per escape character


def _meta_args(ctx: LintContext) -> tuple[dict[str, str], dict[str, tuple[A.Arg, A.ArgDef]]]:
    """The global ARGs' values (build args win over defaults), and which ones are editable defaults."""
    env: dict[str, str] = {}
    sources: dict[str, tuple[A.Arg, A.ArgDef]] = {}
    lexer = _lexer(ctx.dockerfile.escape)
    build_args = ctx.config.build_args
    for arg in ctx.dockerfile.meta_args:
        for d in arg.definitions:
            sources.pop(d.key, None)
            if d.key in build_args:
                env[d.key] = build_args[d.key]
            elif d.default is not None:
                try:
                    env[d.key] = lexer.process_word(d.default, env)
                except ShellExpansionError:
                    continue
                if "$" not in d.default:
                    sources[d.key] = (arg, d)
    return env, sources


def _arg_default_fix(ctx: LintContext, arg: A.Arg, d: A.ArgDef, better: str) -> Fix | None:
    value_start = d.start + len(d.key) + 1
    if d.end <= value_start:
        return None
    start = file_offset(ctx, arg, value_start)
    end = file_offset(ctx, arg, d.end - 1) + 1
    raw = ctx.source[start:end]
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        better = raw[0] + better + raw[0]
    return Fix(f"set ARG {d.key}={better}", (Edit(start, end, better),), safe=False)

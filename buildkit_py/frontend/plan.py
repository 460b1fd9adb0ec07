"""The build graph: which stages a target needs, what each stage is based on, in what order.

Pure: the Dockerfile AST and the build arguments in, a plan out. FROM lines are expanded
with the global ARGs (those before the first FROM) and the automatic platform ARGs.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..errors import PybuildError, Span
from ..records import dataclass
from ..shell.lex import Lexer, ShellExpansionError
from ..syntax import ast as A
from .args import NON_ENV_ARGS, Platform, platform_args


class BuildError(PybuildError):
    """A build that cannot go on; carries the Dockerfile place when there is one."""


@dataclass(frozen=True, slots=True)
class StagePlan:
    index: int
    name: str | None  # lower-cased, as BuildKit compares stage names
    node: A.Stage
    base: str  # the expanded image reference, or "scratch"
    base_stage: int | None  # FROM another stage of this file
    platform: str | None
    deps: tuple[int, ...]  # stages this one reads (base, COPY --from, RUN --mount from=)


@dataclass(frozen=True, slots=True)
class BuildPlan:
    stages: tuple[StagePlan, ...]
    target: int
    order: tuple[int, ...]  # the stages to build, dependencies first
    global_args: Mapping[str, str]  # values of the ARGs before the first FROM (+ platform ARGs)
    build_args: Mapping[str, str]
    unused_build_args: tuple[str, ...]


def _err(df: A.Dockerfile, message: str, span: Span | None, hint: str | None = None) -> BuildError:
    return BuildError(message, span=span, path=df.path, source=df.source, hint=hint)


def global_args(df: A.Dockerfile, build_args: Mapping[str, str], plat: Mapping[str, str]) -> dict[str, str]:
    """ARGs declared before the first FROM, with --build-arg overrides, expanded in order."""
    lexer = Lexer(escape=df.escape)
    values: dict[str, str] = dict(plat)
    for ins in df.meta_args:
        for d in ins.definitions:
            if d.key in build_args:
                values[d.key] = build_args[d.key]
            elif d.default is not None:
                try:
                    values[d.key] = lexer.process_word(d.default, values)
                except ShellExpansionError as err:
                    raise _err(df, err.message, ins.span) from None
            elif d.key in plat:
                values[d.key] = plat[d.key]
    return values


def expand_from(df: A.Dockerfile, from_: A.From, values: Mapping[str, str]) -> tuple[str, str | None]:
    lexer = Lexer(escape=df.escape)
    try:
        image = lexer.process_word(from_.image, values)
        plat = lexer.process_word(from_.platform, values) if from_.platform else None
    except ShellExpansionError as err:
        raise _err(df, err.message, from_.span) from None
    if not image:
        raise _err(df, f"base name ({from_.image}) should not be blank", from_.span,
                   "give the ARG a default, or pass it with --build-arg")
    return image, plat


def make_plan(
    df: A.Dockerfile, build_args: Mapping[str, str], target: str | None, target_platform: Platform,
    build_platform: Platform,
) -> BuildPlan:
    """Stages, their dependencies and the build order for `target` (default: the last stage)."""
    if df.errors:
        raise df.errors[0]
    stages = df.stages
    if not stages:
        raise _err(df, "the Dockerfile has no FROM instruction", None, "start with FROM IMAGE")
    plat = platform_args(target_platform, build_platform)
    values = global_args(df, build_args, plat)
    by_name: dict[str, int] = {}
    plans: list[StagePlan] = []
    for stage in stages:
        image, platform = expand_from(df, stage.from_, values)
        base_stage = by_name.get(image.lower())
        deps: list[int] = [] if base_stage is None else [base_stage]
        for ins in stage.instructions:
            for ref in _stage_refs(ins):
                idx = _find_stage(ref, by_name, len(plans))
                if idx is not None and idx not in deps:
                    deps.append(idx)
        if stage.name:
            if stage.name in by_name:
                raise _err(df, f"duplicate stage name {stage.name!r}", stage.from_.span,
                           "give each stage its own name")
            by_name[stage.name] = stage.index
        base = "scratch" if image == "scratch" else image
        plans.append(StagePlan(stage.index, stage.name, stage, base, base_stage, platform, tuple(deps)))
    if target is None:
        target_idx = len(plans) - 1
    else:
        t = target.lower()
        if t not in by_name:
            known = ", ".join(sorted(by_name)) or "none (name stages with FROM IMAGE AS NAME)"
            raise BuildError(f"target stage {target!r} could not be found", hint=f"stages: {known}")
        target_idx = by_name[t]
    order = _order(plans, target_idx)
    declared = {d.key for a in df.meta_args for d in a.definitions}
    for stage in stages:
        for ins in stage.instructions:
            if isinstance(ins, A.Arg):
                declared.update(d.key for d in ins.definitions)
    unused = tuple(sorted(k for k in build_args if k not in declared and k not in NON_ENV_ARGS
                          and k not in plat and k != "SOURCE_DATE_EPOCH"))
    return BuildPlan(tuple(plans), target_idx, order, values, dict(build_args), unused)


def _stage_refs(ins: A.Instruction) -> list[str]:
    refs = []
    if isinstance(ins, A.Copy) and ins.from_:
        refs.append(ins.from_)
    if isinstance(ins, A.Run):
        for m in ins.mounts:
            for field in m.split(","):
                k, _, v = field.partition("=")
                if k.strip().lower() == "from" and v:
                    refs.append(v)
    return refs


def _find_stage(ref: str, by_name: Mapping[str, int], count: int) -> int | None:
    r = ref.lower()
    if r in by_name:
        return by_name[r]
    if r.isdigit() and int(r) < count:
        return int(r)
    return None


def _order(plans: list[StagePlan], target: int) -> tuple[int, ...]:
    seen: set[int] = set()
    order: list[int] = []

    def visit(i: int) -> None:
        if i in seen:
            return
        seen.add(i)
        for d in plans[i].deps:
            visit(d)
        order.append(i)

    visit(target)
    return tuple(order)


def find_stage(plan: BuildPlan, ref: str, before: int) -> int | None:
    """The stage a `--from=` names (name or index), looking only at stages before `before`."""
    r = ref.lower()
    for s in plan.stages[:before]:
        if s.name == r:
            return s.index
    if r.isdigit() and int(r) < before:
        return int(r)
    return None

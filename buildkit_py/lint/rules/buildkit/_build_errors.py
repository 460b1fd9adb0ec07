"""The static part of BuildKit's build errors (used by the BuildError check)."""
from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator

from ....shell.lex import ShellExpansionError
from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ._common import dispatched_stages, first_line
from ._from_checks import from_expansions
from ._support import PlatformError, host_platform, parse_platform, suggest, valid_image_reference

_REMOTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|git@)")
_WILDCARD = re.compile(r"[*?\[]")


def _suggest_any(names, options) -> str:
    for name in sorted(names):
        match = suggest(name, options)
        if match:
            return f" (did you mean {match}?)"
    return ""


def from_errors(ctx: LintContext) -> Iterator[Finding]:
    scope = ctx.scope
    if scope.meta.error is not None:
        yield Finding(first_line(scope.meta.error_at), scope.meta.error.message)
        return
    host = host_platform(ctx.target_platform)
    options = sorted(scope.meta.env)
    reachable = {s.index for s in dispatched_stages(ctx)}
    for stage, image, platform in from_expansions(ctx):
        ins = stage.from_
        where = first_line(ins)
        if (image.unmatched | (platform.unmatched if platform else frozenset())) & scope.meta.declared:
            continue  # an ARG left for --build-arg: InvalidDefaultArgInFrom speaks for that case
        if image.error is not None:
            yield Finding(where, image.error.message, instruction=ins)
        elif image.result == "":
            yield Finding(where, f"base name ({ins.image}) should not be blank", instruction=ins)
        elif (stage.index in reachable and scope.bases[stage.index] is None
              and not valid_image_reference(image.result)):
            yield Finding(where, f'failed to parse stage name "{image.result}": invalid reference format')
        if platform is None:
            continue
        if platform.error is not None:
            yield Finding(where, f"failed to process arguments for platform {platform.result}: "
                          f"{platform.error.reason}", instruction=ins)
        elif platform.result == "":
            yield Finding(where, f"empty platform value from expression {platform.text}"
                          + _suggest_any(platform.unmatched, options), instruction=ins)
        else:
            try:
                parse_platform(platform.result, host)
            except PlatformError as err:
                yield Finding(where, f"failed to parse platform {platform.text}: {err}"
                              + _suggest_any(platform.unmatched, options), instruction=ins)


def stage_errors(ctx: LintContext) -> Iterator[Finding]:
    scope = ctx.scope
    if ctx.config.target and scope.target_index() is None and ctx.stages:
        first = ctx.stages[-1].from_
        yield Finding(first_line(first), f'target stage "{ctx.config.target}" could not be found')
    for stage in ctx.stages:
        for ins in stage.instructions:
            if isinstance(ins, A.Copy) and ins.from_:
                try:
                    result = scope.lexer.process_word(ins.from_, {})
                except ShellExpansionError:
                    result = None
                if result != ins.from_:
                    yield Finding(first_line(ins), "variable expansion is not supported for --from, define a new "
                                  "stage with FROM using ARG from global scope as a workaround")


def context_errors(ctx: LintContext) -> Iterator[Finding]:
    """COPY/ADD sources a build would not find in the context (missing, or left out by .dockerignore)."""
    root = ctx.context_dir
    assert root is not None
    matcher = ctx.dockerignore
    scope = ctx.scope
    for stage in dispatched_stages(ctx):
        for step in scope.steps(stage.index):
            ins = step.ins
            if not isinstance(ins, (A.Copy, A.Add)) or (isinstance(ins, A.Copy) and ins.from_):
                continue
            for src in ins.sources:
                try:
                    src = scope.lexer.process_word(src, step.env)
                except ShellExpansionError:
                    continue
                if _REMOTE.match(src) or getattr(ins, "parents", False):
                    continue
                rel = posixpath.normpath("/" + src).lstrip("/") or "."
                if not _present(root, rel, matcher):
                    shown = "/" + rel if rel != "." else "/"
                    yield Finding(first_line(ins), "failed to solve: failed to compute cache key: failed to "
                                  f'calculate checksum of ref context "{shown}": not found', instruction=ins)
                    return  # the build stops at the first one


def _present(root, rel: str, matcher) -> bool:
    if rel == ".":
        return True
    if _WILDCARD.search(rel):
        import glob  # only with --context and a wildcard source: not on every start

        names = [os.path.relpath(p, root).replace(os.sep, "/")
                 for p in glob.glob(glob.escape(str(root)) + "/" + rel)]
    else:
        names = [rel] if os.path.lexists(os.path.join(root, rel)) else []
    return any(matcher is None or not matcher.matches(n) for n in names)

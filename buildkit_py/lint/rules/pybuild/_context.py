"""The build context as the context rules (PB005-PB007) see it: files, .dockerignore, COPY sources.

Built once per lint run and kept in `ctx.cache`. Reads the disk; everything else about the
context (matching, globbing) is pure.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import field
from pathlib import Path

from ....frontend.dockerignore import (
    DockerignoreError,
    PatternMatcher,
    clean_path,
    ignore_file_names,
    parse_dockerignore,
)
from ....records import dataclass
from ....shell.lex import ShellExpansionError
from ....syntax import ast as A
from ...context import LintContext
from ._common import is_remote

MAX_FILES = 100_000  # a walk stops here: a context that large is a problem of its own
_GLOB = re.compile(r"[*?\[]")


@dataclass
class BuildContext:
    root: Path
    ignore_file: str | None = None  # the ignore file in force, as shown in messages
    matcher: PatternMatcher | None = None
    ignore_error: str | None = None
    _dirs: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)

    def excluded(self, rel: str) -> bool:
        return self.matcher is not None and self.matcher.matches(rel)

    def why(self, rel: str) -> str:
        pattern = self.matcher.deciding_pattern(rel) if self.matcher else None
        return f"{self.ignore_file} (`{pattern.text}`)" if pattern else str(self.ignore_file)

    def entries(self, rel_dir: str) -> list[tuple[str, bool]]:
        """(name, is_dir) in a context directory, cached; [] when it is not a directory."""
        if rel_dir not in self._dirs:
            out: list[tuple[str, bool]] = []
            try:
                with os.scandir(self.root / rel_dir if rel_dir != "." else self.root) as it:
                    for e in it:
                        out.append((e.name, e.is_dir(follow_symlinks=False)))
            except OSError:
                pass
            self._dirs[rel_dir] = sorted(out)
        return self._dirs[rel_dir]

    def kind(self, rel: str) -> str | None:
        """"dir", "file" or None (absent), not following a final symlink."""
        path = self.root / rel if rel != "." else self.root
        if path.is_symlink():
            return "file"
        if path.is_dir():
            return "dir"
        return "file" if path.exists() else None

    def files(self, rel: str = ".", *, sent_only: bool = True, skip_git: bool = True) -> Iterator[str]:
        """Files under `rel` (or `rel` itself), as context paths; with `sent_only`, not the ignored ones."""
        kind = self.kind(rel)
        if kind is None:
            return
        if kind == "file":
            if not (sent_only and self.excluded(rel)):
                yield rel
            return
        count = 0
        stack = [rel]
        while stack:
            current = stack.pop()
            for name, is_dir in self.entries(current):
                child = name if current == "." else f"{current}/{name}"
                if is_dir:
                    if skip_git and name == ".git":
                        continue
                    if sent_only and self.excluded(child) and not (self.matcher and self.matcher.exclusions):
                        continue  # nothing below can come back
                    stack.append(child)
                    continue
                if sent_only and self.excluded(child):
                    continue
                count += 1
                if count > MAX_FILES:
                    return
                yield child


def build_context(ctx: LintContext) -> BuildContext:
    """The context of this lint run (ctx.context_dir), with the ignore file BuildKit would use."""
    cached = ctx.cache.get("pybuild:context")
    if cached is not None:
        return cached
    assert ctx.context_dir is not None
    root = Path(ctx.context_dir)
    bc = BuildContext(root)
    candidates: list[Path] = []
    if ctx.path and not ctx.path.startswith("<"):
        dockerfile = Path(ctx.path)
        candidates.append(dockerfile.parent / ignore_file_names(dockerfile.name)[0])
    candidates.append(root / ".dockerignore")
    for candidate in candidates:
        try:
            text = candidate.read_text(encoding="utf-8", errors="surrogateescape")
        except OSError:
            continue
        bc.ignore_file = candidate.name if candidate.parent == root else str(candidate)
        try:
            bc.matcher = PatternMatcher(parse_dockerignore(text))
        except DockerignoreError as err:
            bc.ignore_error = str(err)
        break
    ctx.cache["pybuild:context"] = bc
    return bc


@dataclass(frozen=True)
class Source:
    written: str  # as in the Dockerfile
    path: str  # the context path it names (cleaned, no leading slash)
    glob: bool
    matches: tuple[str, ...]  # existing context paths it names (for a glob: every match)


def context_copies(ctx: LintContext, bc: BuildContext) -> Iterator[tuple[A.Instruction, list[Source]]]:
    """Each COPY/ADD that reads the context, with its sources (ARG/ENV references expanded)."""
    scope = ctx.scope
    for _stage, step in scope.all_steps():
        ins = step.ins
        if isinstance(ins, (A.Copy, A.Add)) and not (isinstance(ins, A.Copy) and ins.from_):
            yield ins, list(local_sources(ins, bc, lambda w: scope.lexer.process_word(w, step.env)))


def local_sources(ins: A.Copy | A.Add, bc: BuildContext, expand: Callable[[str], str]) -> Iterator[Source]:
    """The context sources of a COPY/ADD: no URLs or heredocs; `expand` resolves `$` references."""
    for written in ins.sources:
        if is_remote(written):
            continue
        try:
            raw = expand(written).strip() if "$" in written or written[:1] in "'\"" else written.strip()
        except ShellExpansionError:
            continue
        if not raw or "$" in raw:
            continue  # unset, or not resolvable: nothing to check
        path = clean_path(raw.lstrip("/") or ".")
        if path.startswith("../") or path == "..":
            path = "."  # BuildKit keeps sources inside the context
        if _GLOB.search(path):
            yield Source(written, path, True, tuple(glob_context(bc, path)))
        else:
            yield Source(written, path, False, (path,) if bc.kind(path) else ())


def glob_context(bc: BuildContext, pattern: str) -> Iterator[str]:
    """Context paths matching a COPY wildcard (Go filepath.Match per path element)."""
    parts = pattern.split("/")
    frontier = ["."]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt: list[str] = []
        for base in frontier:
            if not _GLOB.search(part):
                child = part if base == "." else f"{base}/{part}"
                if bc.kind(child) is not None:
                    nxt.append(child)
                continue
            rx = _segment_regex(part)
            for name, is_dir in bc.entries(base):
                if rx.fullmatch(name) and (last or is_dir):
                    nxt.append(name if base == "." else f"{base}/{name}")
        frontier = nxt
    yield from frontier


def _segment_regex(part: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(part):
        ch = part[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\" and i + 1 < len(part):
            i += 1
            out.append(re.escape(part[i]))
        elif ch == "[":
            end = part.find("]", i + 2 if part[i + 1 : i + 2] == "^" else i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:  # a class, `[^...]` negated, as Go's filepath.Match
                out.append("[" + part[i + 1 : end] + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    try:
        return re.compile("".join(out))
    except re.error:
        return re.compile(re.escape(part))

"""What a rule sees: the parsed Dockerfile and helpers shared by many rules (computed once)."""
from __future__ import annotations

import functools
from itertools import accumulate, count
from operator import add
from dataclasses import field
from pathlib import Path
from collections.abc import Callable

from ..errors import Span
from ..records import dataclass
from ..syntax import ast as A
from .config import LintConfig
from .model import Edit

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from ..shell.script_model import ParsedShell
    from ..frontend.dockerignore import PatternMatcher
    from .scope import Scope


@dataclass
class LintContext:
    """One Dockerfile being linted, with the config and what several rules share (computed once)."""

    dockerfile: A.Dockerfile
    config: LintConfig = field(default_factory=LintConfig)
    context_dir: Path | None = None  # the build context, for rules that look at files
    cache: dict[str, Any] = field(default_factory=dict)  # rule families may share work here
    # image reference -> "os/arch" it was pulled as, when the caller resolved base images (the builder)
    image_platforms: dict[str, str] | None = None

    @property
    def path(self) -> str | None:
        return self.dockerfile.path

    @property
    def source(self) -> str:
        return self.dockerfile.source

    @functools.cached_property
    def instructions(self) -> tuple[A.Instruction, ...]:
        return self.dockerfile.instructions

    @functools.cached_property
    def stages(self) -> tuple[A.Stage, ...]:
        return self.dockerfile.stages

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.source.split("\n")

    @functools.cached_property
    def _line_starts(self) -> list[int]:
        # line k starts after the lengths of the lines before it and their k newlines: running
        # sums in C (a Python loop here cost a fixed rule's file as much as the rule itself)
        starts = [0]
        starts.extend(map(add, accumulate(map(len, self.lines[:-1])), count(1)))
        return starts

    def offset(self, line: int, col: int) -> int:
        """Character offset in the file of a 1-based (line, column)."""
        return self._line_starts[line - 1] + col - 1

    def span_offsets(self, span: Span) -> tuple[int, int]:
        return self.offset(span.start_line, span.start_col), self.offset(span.end_line, span.end_col)

    def replace(self, span: Span, text: str) -> Edit:
        """An edit that replaces what `span` covers."""
        start, end = self.span_offsets(span)
        return Edit(start, end, text)

    @functools.cached_property
    def _stage_by_id(self) -> dict[int, A.Stage]:
        out = {}
        for stage in self.stages:
            out[id(stage.from_)] = stage
            for i in stage.instructions:
                out[id(i)] = stage
        return out

    def stage_of(self, ins: A.Instruction) -> A.Stage | None:
        return self._stage_by_id.get(id(ins))

    @functools.cached_property
    def target_platform(self) -> str:
        return self.config.platform or host_platform()

    @functools.cached_property
    def scope(self) -> "Scope":
        """ARG/ENV scoping and the stage graph, as a build of this Dockerfile would see them."""
        from .rules.buildkit._image_env import image_env
        from .scope import Scope

        return Scope(self.dockerfile, self.config.build_args, self.target_platform, host_platform(),
                     self.config.target, image_env)

    @functools.cached_property
    def dockerignore(self) -> "PatternMatcher | None":
        """The context's .dockerignore (`<Dockerfile>.dockerignore` beside the Dockerfile wins)."""
        if self.context_dir is None:
            return None
        from ..frontend.dockerignore import DockerignoreError, PatternMatcher, parse_dockerignore

        candidates = [self.context_dir / ".dockerignore"]
        if self.path and self.path not in ("-", "<stdin>"):
            candidates.insert(0, Path(self.path + ".dockerignore"))
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            return None
        try:
            return PatternMatcher(parse_dockerignore(found.read_text(encoding="utf-8", errors="surrogateescape")))
        except DockerignoreError:
            return None  # the build reports the bad pattern

    def shell(self, ins: A.Instruction) -> "ParsedShell | None":
        """The shell script of a shell-form RUN (heredoc bodies included), parsed once."""
        key = ("shell", id(ins))
        cache = self.cache
        if key not in cache:
            cache[key] = _parse_shell(ins)
        return cache[key]


_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm/v7", "i686": "386", "i386": "386"}


@functools.lru_cache(maxsize=1)
def host_platform() -> str:
    """This machine as a platform (`linux/amd64`), the default target as BuildKit's is."""
    import os

    machine = os.uname().machine.lower()  # what platform.machine() reads, without importing platform
    return "linux/" + _ARCH.get(machine, machine or "amd64")


def run_script(ins: A.Instruction) -> str | None:
    """The text a shell-form RUN hands to the shell: the line, or its heredoc body."""
    if not isinstance(ins, A.Run) or ins.json or not ins.command:
        return None
    script = ins.command[0]
    if ins.heredocs:
        stripped = script.strip()
        if stripped.startswith("<<") and len(stripped.split()) == 1:
            return "\n".join(h.body for h in ins.heredocs)  # `RUN <<EOF` runs the body itself
        # otherwise the shell reads the heredocs itself: the line, then each body and terminator
        return script + "".join("\n" + h.content + h.end_text.rstrip("\r\n") for h in ins.heredocs) + "\n"
    return script


def _parse_shell(ins: A.Instruction) -> "ParsedShell | None":
    script = run_script(ins)
    return None if script is None else parse_script(script)


if TYPE_CHECKING:
    T = TypeVar("T")
# The same RUN script recurs across the files of one run (a project's variants per version or
# distribution), and reading a script is most of what linting a RUN costs. What is computed from
# a script's text alone (its parse, immutable, and views of it) is kept here by text for the whole
# process, so a repeated script is read once. Bounded by the text it holds; full, it starts over.
_SCRIPT_MEMO: dict[tuple[str, str], Any] = {}
_MEMO_CHARS = [0]
_MEMO_LIMIT = 8_000_000


def script_memo(kind: str, text: str, compute: Callable[[str], T]) -> T:
    """`compute(text)`, once per process for each `kind` and text; `compute` must be pure."""
    key = (kind, text)
    try:
        return _SCRIPT_MEMO[key]
    except KeyError:
        pass
    value = compute(text)
    if _MEMO_CHARS[0] + len(text) > _MEMO_LIMIT:
        clear_script_memo()
    _SCRIPT_MEMO[key] = value
    _MEMO_CHARS[0] += len(text)
    return value


def clear_script_memo() -> None:
    """Forget every script seen (for benchmarks and tests that want a fresh process's costs)."""
    _SCRIPT_MEMO.clear()
    _MEMO_CHARS[0] = 0


def _parse_text(text: str) -> "ParsedShell":
    from ..shell.script import parse_shell

    return parse_shell(text)


def parse_script(text: str) -> "ParsedShell":
    """A shell script parsed (`shell.script.parse_shell`), once per process for each text."""
    return script_memo("parse", text, _parse_text)

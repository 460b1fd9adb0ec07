"""ARG and ENV scoping, and the stage graph, as BuildKit's Dockerfile frontend works them out.

Pure functions over the AST (no image is pulled): global ARGs and the automatic platform ARGs,
which stage builds on which, which stages a target needs, and for every instruction the
variables it sees and the names its expansion finds unset. A base image's own ENV is unknown
here unless the caller passes `image_env`; otherwise a stage that starts from an image sees PATH
only (what BuildKit sets when the image has none).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import field

from ..records import dataclass
from ..shell.lex import Lexer, ShellExpansionError
from ..syntax import ast as A

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
NON_ENV_ARGS = frozenset({"BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"})
_RAW = Lexer(escape="\\", skip_process_quotes=True)  # heredoc bodies (BuildKit's ExpandRaw)


@functools.lru_cache(maxsize=2)
def _lexer(escape: str) -> Lexer:
    return Lexer(escape=escape)  # immutable, and making one compiles its patterns: one per escape character


def platform_args(target: str, build: str, target_stage: str) -> dict[str, str]:
    """The automatic ARGs BuildKit defines (`linux/amd64` style platforms)."""
    out: dict[str, str] = {}
    for prefix, plat in (("BUILD", build), ("TARGET", target)):
        parts = plat.split("/")
        out[prefix + "PLATFORM"] = plat
        out[prefix + "OS"] = parts[0]
        out[prefix + "OSVERSION"] = ""
        out[prefix + "ARCH"] = parts[1] if len(parts) > 1 else ""
        out[prefix + "VARIANT"] = parts[2] if len(parts) > 2 else ""
    out["TARGETSTAGE"] = target_stage or "default"
    return out


@dataclass(frozen=True)
class MetaArgs:
    """The global scope: what FROM lines and ARGs without a value in a stage can use."""

    env: dict[str, str]  # automatic ARGs and global ARGs that have a value
    declared: frozenset[str]  # every global ARG name, with or without a value
    error: ShellExpansionError | None = None  # a default BuildKit could not expand
    error_at: A.Arg | None = None


def meta_args(df: A.Dockerfile, lexer: Lexer, predefined: Mapping[str, str],
              build_args: Mapping[str, str] | None) -> MetaArgs:
    """BuildKit's buildMetaArgs: global ARGs in order, a --build-arg value winning over the default."""
    env = dict(predefined)
    declared: set[str] = set()
    for ins in df.meta_args:
        for d in ins.definitions:
            value: str | None
            if build_args is not None and d.key in build_args:
                value = build_args[d.key]
            elif d.default is not None:
                try:
                    value = lexer.process_word(d.default, env)
                except ShellExpansionError as err:
                    return MetaArgs(env, frozenset(declared), err, ins)
            else:
                value = None
            if value is not None:
                env[d.key] = value
            declared.add(d.key)
    return MetaArgs(env, frozenset(declared))


@dataclass(frozen=True, slots=True)
class Step:
    """One instruction of a stage as a build dispatches it."""

    ins: A.Instruction
    env: Mapping[str, str]  # the variables it sees (ENV, and ARGs that have a value)
    declared: frozenset[str]  # the stage's ARG names so far (inherited from a base stage too)
    unset: tuple[str, ...] = ()  # names its expansion looked up and did not find
    error: ShellExpansionError | None = None  # an expansion BuildKit would fail on


@dataclass
class _StageEnd:
    """The environment and declared ARGs at the end of a stage (what a stage built on it starts from)."""

    env: dict[str, str]
    declared: frozenset[str]


@dataclass
class Scope:
    """Everything scoping-related for one Dockerfile, computed when first asked."""

    df: A.Dockerfile
    build_args: Mapping[str, str] = field(default_factory=dict)
    target_platform: str = "linux/amd64"
    build_platform: str = "linux/amd64"
    target: str | None = None  # None: every stage is dispatched (docker build --check)
    # the ENV an image sets itself (from its config), where the caller knows it
    image_env: Callable[[str], Mapping[str, str] | None] | None = None

    def __post_init__(self) -> None:
        self.lexer = _lexer(self.df.escape)
        self.stages = self.df.stages
        last = self.stages[-1].name if self.stages else None
        stage_name = self.target if self.target else (last or "")
        plat = platform_args(self.target_platform, self.build_platform, stage_name)
        self.predefined = {k: self.build_args.get(k, v) for k, v in plat.items()}
        self.meta = meta_args(self.df, self.lexer, self.predefined, self.build_args)
        self._bases: list[int | None] | None = None
        self._ends: dict[int, _StageEnd] = {}
        self._steps: dict[int, list[Step]] = {}
        self._dispatched: frozenset[int] | None = None

    # -- the stage graph -------------------------------------------------------------------

    def base_name(self, stage: A.Stage) -> str:
        """The FROM image after global ARG expansion (the text itself if that fails)."""
        try:
            return self.lexer.process_word(stage.from_.image, self.meta.env)
        except ShellExpansionError:
            return stage.from_.image

    @property
    def bases(self) -> list[int | None]:
        """For each stage, the earlier stage it builds on (FROM <stage name>), or None."""
        if self._bases is None:
            by_name: dict[str, int] = {}
            bases: list[int | None] = []
            for st in self.stages:
                bases.append(by_name.get(self.base_name(st)))  # exact name, as BuildKit looks it up
                if st.name:
                    by_name[st.name] = st.index
            self._bases = bases
        return self._bases

    def stage_index(self, ref: str) -> int | None:
        """A stage by name (any case) or by number, as COPY --from finds it."""
        ref_l = ref.lower()
        for st in self.stages:
            if st.name == ref_l:
                return st.index
        if ref.isdigit() and int(ref) < len(self.stages):
            return int(ref)
        return None

    def deps(self, index: int) -> set[int]:
        """Stages that stage `index` needs: its base, COPY --from and RUN --mount from= sources."""
        out: set[int] = set()
        base = self.bases[index]
        if base is not None:
            out.add(base)
        for ins in self.stages[index].instructions:
            for ref in stage_refs(ins):
                found = self.stage_index(ref)
                if found is not None:
                    out.add(found)
        return out

    def target_index(self) -> int | None:
        """The stage being built (None: all, or a target name that no stage has)."""
        if self.target is None or not self.stages:
            return None
        if self.target == "":
            return len(self.stages) - 1
        return next((s.index for s in self.stages if s.name == self.target.lower()), None)

    def dispatched(self) -> frozenset[int]:
        """Stages whose instructions a build dispatches: all, or those the target needs."""
        if self._dispatched is not None:
            return self._dispatched
        if self.target is None:
            result = frozenset(range(len(self.stages)))
        else:
            start = self.target_index()
            seen: set[int] = set()
            todo = [start] if start is not None else []
            while todo:
                i = todo.pop()
                if i not in seen:
                    seen.add(i)
                    todo.extend(self.deps(i))
            result = frozenset(seen)
        self._dispatched = result
        return result

    # -- instructions in scope ------------------------------------------------------------

    def steps(self, index: int) -> list[Step]:
        """Each instruction of stage `index` with the scope it is dispatched in."""
        if index not in self._steps:
            self._walk(index)
        return self._steps[index]

    def all_steps(self) -> Iterator[tuple[A.Stage, Step]]:
        for i in sorted(self.dispatched()):
            for step in self.steps(i):
                yield self.stages[i], step

    def _start(self, index: int) -> _StageEnd:
        base = self.bases[index]
        if base is not None:
            if base not in self._ends:
                self._walk(base)
            end = self._ends[base]
            return _StageEnd(dict(end.env), end.declared)
        env = {"PATH": DEFAULT_PATH}
        if self.image_env is not None:
            env.update(self.image_env(self.base_name(self.stages[index])) or {})
        return _StageEnd(env, frozenset())

    def _walk(self, index: int) -> None:
        state = self._start(index)
        env, declared = state.env, state.declared
        steps: list[Step] = []
        # Steps between two changes of the environment share one copy of it (no rule writes to a
        # Step's env): copying it for every instruction was most of what a walk cost.
        before: dict[str, str] | None = None
        for ins in self.stages[index].instructions:
            if isinstance(ins, A.Arg):
                steps.append(self._arg(ins, env, declared))
                declared = declared | {d.key for d in ins.definitions}
                before = None
                continue
            if before is None:
                before = dict(env)
            kind = type(ins)
            if kind is A.Run and not ins.mounts or kind in _NOTHING_EXPANDED:
                steps.append(Step(ins, before, declared))  # (what the loop below gives for no words)
                continue
            unset: set[str] = set()
            error = None
            if kind is A.Env:
                # each word expanded once, for both what it finds unset and the value it sets; the
                # unset names stop at the first failure, as the loop below (expandable_words) does
                lexer = self.lexer
                for kv in ins.pairs:
                    try:
                        key, _, missing = lexer.process_word_with_matches(kv.key, before)
                        if error is None:
                            unset |= missing
                        value, _, missing = lexer.process_word_with_matches(kv.value, before)
                        if error is None:
                            unset |= missing
                    except ShellExpansionError as err:
                        error = error or err
                        env[kv.key] = kv.value
                    else:
                        env[key] = value
                steps.append(Step(ins, before, declared, tuple(sorted(unset)), error))
                before = None
                continue
            try:
                for word, raw in expandable_words(ins):
                    lexer = _RAW if raw else self.lexer
                    _, _, missing = lexer.process_word_with_matches(word, before)
                    unset |= missing
            except ShellExpansionError as err:
                error = err
            steps.append(Step(ins, before, declared, tuple(sorted(unset)), error))
        self._steps[index] = steps
        self._ends[index] = _StageEnd(env, declared)

    def _arg(self, ins: A.Arg, env: dict[str, str], declared: frozenset[str]) -> Step:
        """BuildKit's dispatchArg: a --build-arg, else the default expanded, else the global value."""
        before, declared_before = dict(env), declared
        unset: set[str] = set()
        error = None
        for d in ins.definitions:
            value: str | None = None
            if d.key in self.build_args:
                value = self.build_args[d.key]
            elif d.default is not None:
                try:
                    value, _, missing = self.lexer.process_word_with_matches(d.default, env)
                    unset |= missing - declared
                except ShellExpansionError as err:
                    error = error or err
                    value = d.default
            elif d.key in self.meta.env:
                value = self.meta.env[d.key]
            if value is not None and d.key not in NON_ENV_ARGS:
                env[d.key] = value
            declared = declared | {d.key}
        return Step(ins, before, declared_before, tuple(sorted(unset)), error)


def stage_refs(ins: A.Instruction) -> list[str]:
    """Names of other stages an instruction reads from (COPY --from, RUN --mount from=)."""
    if isinstance(ins, A.Copy) and ins.from_:
        return [ins.from_]
    if isinstance(ins, A.Run) and ins.mounts:
        out = []
        for m in ins.mounts:
            for key, value in mount_fields(m):
                if key == "from" and value:
                    out.append(value)
        return out
    return []


def mount_fields(value: str) -> list[tuple[str, str]]:
    """The key=value fields of a --mount value (a CSV line); bare words are left out."""
    import csv  # here: only a RUN with --mount needs it, not every start

    try:
        fields = next(csv.reader([value]))
    except (csv.Error, StopIteration):
        return []
    out = []
    for f in fields:
        key, eq, val = f.partition("=")
        if eq:
            out.append((key.lower(), val))
    return out


# Instructions `expandable_words` yields nothing for (exactly these classes: a subclass may differ).
_NOTHING_EXPANDED = frozenset({A.Cmd, A.Entrypoint, A.Expose, A.Shell, A.From, A.Healthcheck, A.Maintainer,
                               A.Onbuild})


def expandable_words(ins: A.Instruction) -> Iterator[tuple[str, bool]]:
    """The words BuildKit expands in an instruction before running it; True marks a heredoc body."""
    if isinstance(ins, (A.Env, A.Label)):
        for kv in ins.pairs:
            yield kv.key, False
            yield kv.value, False
    elif isinstance(ins, (A.Copy, A.Add)):
        for w in (ins.chown, ins.chmod, ins.checksum if isinstance(ins, A.Add) else None):
            if w:
                yield w, False
        for src in ins.sources:
            yield src, False
        yield ins.dest, False
        for content in ins.contents:
            if content.expand:
                yield content.data, True
    elif isinstance(ins, A.Workdir):
        yield ins.path, False
    elif isinstance(ins, A.User):
        yield ins.user, False
    elif isinstance(ins, A.StopSignal):
        yield ins.signal, False
    elif isinstance(ins, A.Volume):
        for v in ins.volumes:
            yield v, False
    elif isinstance(ins, A.Run):
        for m in ins.mounts:
            for _, value in mount_fields(m):
                yield value, False

"""The typed Dockerfile AST: one frozen dataclass per instruction, every node with its span.

The linter and the builder both read this. Values are as BuildKit's `instructions` package
holds them before variable expansion: words keep their quotes, JSON arrays are decoded.
"""
from __future__ import annotations

from dataclasses import field

from ..errors import Span
from ..records import dataclass
from .heredoc import Heredoc
from .raw import RawInstruction, Trivia  # Trivia: comment and blank lines, made by raw.py


@dataclass(frozen=True, slots=True)
class Flag:
    """`--name=value` (value None for a bare `--name`)."""

    name: str
    value: str | None
    text: str
    start: int  # offsets in the instruction's logical line; Instruction.span_of gives the Span
    end: int

    def bool_value(self) -> bool:
        return self.value is None or self.value.lower() == "true"


@dataclass(frozen=True, slots=True)
class Word:
    """One argument as BuildKit gives it, and where it stands."""

    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class KeyValue:
    """`key=value` of ENV or LABEL (or the legacy `key value`), and where it stands."""

    key: str
    value: str
    legacy: bool  # `ENV k v` rather than `ENV k=v`
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ArgDef:
    """`NAME` or `NAME=default` of ARG, and where it stands."""

    key: str
    default: str | None  # None: no `=` (the value comes from --build-arg or a global ARG)
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SourceContent:
    """A heredoc used as a COPY/ADD source."""

    path: str
    data: str
    expand: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Instruction:
    """Fields every instruction has. `name` is the canonical upper-case keyword."""

    # The canonical keyword, on each class. Not annotated: an annotation would make it a field, and
    # ClassVar would need the typing module (~6 ms) at every start.
    name = ""
    keyword: str  # as written (`from`, `Run`, ...)
    flags: tuple[Flag, ...] = ()
    args: tuple[Word, ...] = ()  # the arguments as BuildKit's parser gives them
    json: bool = False  # JSON (exec) form
    span: Span  # from the keyword to the end of the last line (heredoc bodies included)
    raw: RawInstruction = field(repr=False)  # BuildKit's node: the text, lines and heredocs below

    @property
    def line(self) -> str:
        """The logical line: continuations joined, comment lines inside them dropped."""
        return self.raw.line

    @property
    def text(self) -> str:
        """The source text, byte for byte (heredoc bodies included)."""
        return self.raw.text

    @property
    def comments(self) -> tuple[str, ...]:
        """Comment lines directly above (BuildKit's PrevComment)."""
        return self.raw.comments

    @property
    def heredocs(self) -> tuple[Heredoc, ...]:
        return self.raw.heredocs

    @property
    def empty_continuation_lines(self) -> tuple[int, ...]:
        return self.raw.empty_continuation_lines

    def span_of(self, node: Flag | Word | KeyValue | ArgDef) -> Span:
        """Where a flag or argument of this instruction is in the file."""
        return self.raw.span_of(node.start, node.end)

    @property
    def start_line(self) -> int:
        return self.span.start_line

    @property
    def end_line(self) -> int:
        return self.span.end_line

    def flag(self, name: str) -> Flag | None:
        """The last use of a flag (BuildKit keeps the last for single-valued flags)."""
        found = None
        for f in self.flags:
            if f.name == name:
                found = f
        return found

    def flag_values(self, name: str) -> tuple[str, ...]:
        return tuple(f.value or "" for f in self.flags if f.name == name)


@dataclass(frozen=True, slots=True, kw_only=True)
class From(Instruction):
    """FROM [--platform=P] IMAGE [AS NAME]: the start of a build stage."""

    name = "FROM"
    image: str
    stage_name: str | None = None  # as written; BuildKit compares it lower-cased
    as_keyword: str | None = None  # `AS` as written
    platform: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _CommandLine(Instruction):
    """RUN, CMD, ENTRYPOINT: a shell-form string or an exec-form list."""

    command: tuple[str, ...] = ()  # one string in shell form; the list in exec form

    @property
    def shell_form(self) -> bool:
        return not self.json


@dataclass(frozen=True, slots=True, kw_only=True)
class Run(_CommandLine):
    """RUN: a command run in the build container (flags: --mount, --network, --security, --device)."""

    name = "RUN"
    mounts: tuple[str, ...] = ()  # `--mount` values, parsed after expansion (mounts.parse_mount)
    network: str | None = None
    security: str | None = None
    devices: tuple[str, ...] = ()


# Instructions that add no field to their base are plain subclasses: the base's generated methods
# serve them (repr and == go by the instance's class), and generating a copy of each for every
# class was a measurable part of every lint's start-up.
class Cmd(_CommandLine):
    __slots__ = ()
    name = "CMD"


class Entrypoint(_CommandLine):
    __slots__ = ()
    name = "ENTRYPOINT"


@dataclass(frozen=True, slots=True, kw_only=True)
class Shell(Instruction):
    """SHELL ["executable", "parameters"]: the shell for the shell form of later instructions."""

    name = "SHELL"
    shell: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class _Pairs(Instruction):
    """ENV and LABEL: key=value pairs."""

    pairs: tuple[KeyValue, ...] = ()


class Env(_Pairs):
    __slots__ = ()
    name = "ENV"


class Label(_Pairs):
    __slots__ = ()
    name = "LABEL"


@dataclass(frozen=True, slots=True, kw_only=True)
class Arg(Instruction):
    """ARG NAME[=default]...: build arguments."""

    name = "ARG"
    definitions: tuple[ArgDef, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class _CopyLike(Instruction):
    """COPY and ADD: sources (or heredoc contents), a destination, and the flags they share."""

    sources: tuple[str, ...] = ()  # paths, URLs or globs (heredoc sources are in `contents`)
    contents: tuple[SourceContent, ...] = ()
    dest: str = ""
    chown: str | None = None
    chmod: str | None = None
    link: bool = False
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Copy(_CopyLike):
    """COPY [--from=STAGE|IMAGE] [--parents] SOURCE... DEST."""

    name = "COPY"
    from_: str | None = None
    parents: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Add(_CopyLike):
    """ADD: COPY that also fetches URLs and git repositories and unpacks local archives."""

    name = "ADD"
    keep_git_dir: bool | None = None
    checksum: str | None = None
    unpack: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Workdir(Instruction):
    """WORKDIR PATH: the working directory for later instructions."""

    name = "WORKDIR"
    path: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class User(Instruction):
    """USER NAME[:GROUP]: the user for later RUN instructions and the container."""

    name = "USER"
    user: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Expose(Instruction):
    """EXPOSE PORT[/PROTOCOL]...: documentation of the ports the container listens on."""

    name = "EXPOSE"
    ports: tuple[str, ...] = ()  # as written, in source order


@dataclass(frozen=True, slots=True, kw_only=True)
class Volume(Instruction):
    """VOLUME PATH...: mount points for volumes."""

    name = "VOLUME"
    volumes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StopSignal(Instruction):
    """STOPSIGNAL SIGNAL: the signal that stops the container."""

    name = "STOPSIGNAL"
    signal: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Healthcheck(Instruction):
    """HEALTHCHECK [OPTIONS] CMD COMMAND, or HEALTHCHECK NONE."""

    name = "HEALTHCHECK"
    test: tuple[str, ...] = ()  # ("NONE",) or ("CMD", ...exec) or ("CMD-SHELL", script)
    interval: float | None = None  # seconds
    timeout: float | None = None
    start_period: float | None = None
    start_interval: float | None = None
    retries: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Onbuild(Instruction):
    """ONBUILD INSTRUCTION: an instruction run when another image is built FROM this one."""

    name = "ONBUILD"
    trigger: Instruction | None = None  # the wrapped instruction
    expression: str = ""  # the trigger's text as the image config stores it


@dataclass(frozen=True, slots=True, kw_only=True)
class Maintainer(Instruction):
    """MAINTAINER NAME (deprecated in favour of a label)."""

    name = "MAINTAINER"
    maintainer: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unknown(Instruction):
    """An instruction BuildKit does not know; the build rejects it, the linter explains it."""

    name = ""
    suggestion: str | None = None  # the corrected line, e.g. `COPY . /app` for `COPY. /app`


@dataclass(frozen=True, slots=True, kw_only=True)
class Invalid(Instruction):
    """A known instruction whose arguments BuildKit rejects (kept by non-strict parsing)."""

    name = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class Directive:
    """A parser directive at the top of the file: `# syntax=`, `# escape=` or `# check=`."""

    name: str
    value: str
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Stage:
    """A build stage: its FROM and the instructions after it, up to the next FROM."""

    index: int
    from_: From
    instructions: tuple[Instruction, ...]  # after FROM

    @property
    def name(self) -> str | None:
        return self.from_.stage_name.lower() if self.from_.stage_name else None


@dataclass(frozen=True, slots=True)
class Dockerfile:
    """A parsed Dockerfile. `str(df)` gives back the source text byte for byte."""

    path: str | None
    source: str
    escape: str
    directives: tuple[Directive, ...]
    items: tuple[Directive | Trivia | Instruction, ...]
    errors: tuple["DockerfileSyntaxError", ...] = field(default=())  # noqa: F821 (non-strict parse)
    bom: bool = False
    # Derived from `items` once: the linter and the builder ask for them many times per file.
    instructions: tuple[Instruction, ...] = field(init=False, repr=False, compare=False)
    _stages: tuple[Stage, ...] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "instructions", tuple([i for i in self.items if isinstance(i, Instruction)]))

    def __str__(self) -> str:
        return ("\ufeff" if self.bom else "") + "".join(i.text for i in self.items)

    def directive(self, name: str) -> str | None:
        for d in self.directives:
            if d.name == name:
                return d.value
        return None

    @property
    def meta_args(self) -> tuple[Arg, ...]:
        """ARG instructions before the first FROM (global build arguments)."""
        out = []
        for ins in self.instructions:
            if isinstance(ins, From):
                break
            if isinstance(ins, Arg):
                out.append(ins)
        return tuple(out)

    @property
    def stages(self) -> tuple[Stage, ...]:
        if self._stages is None:
            object.__setattr__(self, "_stages", self._split_stages())
        return self._stages  # type: ignore[return-value]

    def _split_stages(self) -> tuple[Stage, ...]:
        stages: list[Stage] = []
        current: From | None = None
        body: list[Instruction] = []
        for ins in self.instructions:
            if isinstance(ins, From):
                if current is not None:
                    stages.append(Stage(len(stages), current, tuple(body)))
                current, body = ins, []
            elif current is not None:
                body.append(ins)
        if current is not None:
            stages.append(Stage(len(stages), current, tuple(body)))
        return tuple(stages)


INSTRUCTION_CLASSES: dict[str, type[Instruction]] = {
    cls.name: cls
    for cls in (From, Run, Cmd, Entrypoint, Shell, Env, Label, Arg, Copy, Add, Workdir, User,
                Expose, Volume, StopSignal, Healthcheck, Onbuild, Maintainer)
}

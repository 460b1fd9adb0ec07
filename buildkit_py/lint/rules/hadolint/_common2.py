"""More helpers for hadolint's rules (DL3032–DL4006), beside those in `_common`.

- `plain_stream` / `onbuild_triggers`: the two passes hadolint makes for rules with state; the
  second sees only ONBUILD triggers, unwrapped, with a state of its own.
- `script` / `has_pipes`: the parsed RUN script as hadolint reads it.
- `installs_then_cleans`: the "first install before first clean" test of the *-clean rules.
- `run_flags_key`: what makes two RUNs' flags equal to hadolint (DL3059).
- `StageVars`, `rpm_version_pinned`: yum and dnf version pinning (DL3033, DL3041).
- `unquote`, `schema_labels`, `label_pairs`, `bad_label_values`: the label schema rules.
"""
from __future__ import annotations

from collections.abc import Iterator

from ....shell.lex import Lexer, ShellExpansionError
from ....syntax import ast as A
from ....syntax.mounts import MountError, parse_mount
from ...context import parse_script
from ...model import Finding
from ._common import file_programs, hadolint_script, parse_image, run_commands

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from ....shell.script_model import ParsedShell
    from ...context import LintContext
    from ._common import Cmd

TRUTHY = frozenset({"1", "true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES"})


def onbuild_triggers(ctx: LintContext) -> list[tuple[A.Instruction, A.Instruction]]:
    """hadolint's second pass for rules with state: only ONBUILD triggers, unwrapped, in order."""
    return [(ins, ins.trigger) for ins in ctx.instructions
            if isinstance(ins, A.Onbuild) and ins.trigger is not None]


def plain_stream(ctx: LintContext) -> list[tuple[A.Instruction, A.Instruction]]:
    """The instructions as hadolint's main pass sees them (ONBUILD stays ONBUILD)."""
    return [(ins, ins) for ins in ctx.instructions]


def script(ctx: LintContext, run: A.Instruction) -> ParsedShell | None:
    """The RUN's script parsed as hadolint reads it (exec form joined by spaces; see `hadolint_script`)."""
    if not isinstance(run, A.Run):
        return None
    text = hadolint_script(run)
    if text is None:
        return None
    if not run.json and not run.heredocs:
        return ctx.shell(run)  # the same text: share the parse with the other rules
    return parse_script(text)  # once per process for each text


def has_pipes(parsed: ParsedShell | None) -> bool:
    """A pipe anywhere in the script, as hadolint sees it: ShellCheck gives nothing for a script it
    cannot parse (a PowerShell RUN, say), so neither do we."""
    return parsed is not None and not parsed.problems and parsed.has_pipes


def command_names(ctx: LintContext, run: A.Run) -> frozenset[str]:
    """The names of a RUN's commands (cached): rules skip RUNs without their program cheaply."""
    key = ("hadolint:names", id(run))
    names = ctx.cache.get(key)
    if names is None:
        names = ctx.cache[key] = frozenset(c.name for c in run_commands(ctx, run))
    return names


def first_index(cmds: tuple[Cmd, ...], pred) -> int | None:
    return next((i for i, c in enumerate(cmds) if pred(c)), None)


def installs_then_cleans(cmds: tuple[Cmd, ...], install, clean) -> bool:
    """No install at all, or the first install comes before the first clean (hadolint's test)."""
    i = first_index(cmds, install)
    if i is None:
        return True
    j = first_index(cmds, clean)
    return j is not None and i < j


def run_flags_key(run: A.Run) -> tuple:
    """What hadolint compares when it asks whether two RUNs have the same flags."""
    mounts = set()
    for raw in run.mounts:
        try:
            mounts.add(parse_mount(raw, lambda s: s))  # field order and spelling do not matter
        except MountError:
            mounts.add(raw)
    return frozenset(mounts), run.network, run.security


def unquote(ctx: LintContext, text: str) -> str:
    """A key or value with quotes and escapes removed, variables left as written."""
    if not any(ch in text for ch in "\"'\\`"):
        return text
    try:
        return Lexer(escape=ctx.dockerfile.escape, skip_unset_env=True).process_word(text, {})
    except ShellExpansionError:
        return text


class StageVars:
    """ENV names per stage (a stage built on another stage starts with its names) and ARG names
    for the whole file: what DL3033 and DL3041 accept as a version given by a variable."""

    def __init__(self) -> None:
        self.started = False
        self.index = 0
        self.aliases: dict[int, str] = {}
        self.envs: dict[int, set[str]] = {}
        self.args: set[str] = set()

    def feed(self, ins: A.Instruction) -> None:
        if isinstance(ins, A.From):
            self._new_stage(ins)
        elif isinstance(ins, A.Env):
            self._start()
            self.envs.setdefault(self.index, set()).update(kv.key for kv in ins.pairs)
        elif isinstance(ins, A.Arg):
            self._start()
            self.args.update(d.key for d in ins.definitions)

    def _start(self) -> None:
        if not self.started:
            self.started, self.index, self.aliases, self.envs = True, 0, {0: ""}, {0: set()}

    def _new_stage(self, ins: A.From) -> None:
        alias = ins.stage_name or ""
        if not self.started:
            self.started, self.index, self.aliases, self.envs, self.args = True, 1, {1: alias}, {1: set()}, set()
            return
        name = parse_image(ins.image).name
        parent = next((i for i in sorted(self.aliases) if self.aliases[i] == name), None)
        self.index += 1
        self.aliases[self.index] = alias
        self.envs[self.index] = set(self.envs.get(parent, set())) if parent is not None else set()

    def defines(self, text: str) -> bool:
        """Some known variable appears as `${NAME}` in `text`."""
        if not self.started:
            return False
        names = self.envs.get(self.index, set()) | self.args
        return any("${" + n + "}" in text for n in names)


_VERSION_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.~^_:+")


def pinning_findings(ctx: LintContext, programs: frozenset[str], pinned, message: str) -> Iterator:
    """DL3033/DL3041: RUNs of `programs` where `pinned(commands, StageVars)` is false, in
    hadolint's two passes."""
    if programs.isdisjoint(file_programs(ctx)):
        return  # nothing to check in this file
    for stream in (plain_stream(ctx), onbuild_triggers(ctx)):
        scope = StageVars()
        for report, ins in stream:
            if isinstance(ins, A.Run):
                if not programs.isdisjoint(command_names(ctx, ins)) and not pinned(run_commands(ctx, ins), scope):
                    yield Finding(report.span, message)
            else:
                scope.feed(ins)


def repeated_in_stage(ctx: LintContext, kind: type[A.Instruction]) -> Iterator[A.Instruction]:
    """Every instruction of type `kind` after the first in its stage (DL4003, DL4004)."""
    seen = False
    for ins in ctx.instructions:
        if isinstance(ins, A.From):
            seen = False
        elif isinstance(ins, kind):
            if seen:
                yield ins
            seen = True


def rpm_version_pinned(package: str, scope: StageVars) -> bool:
    """`name-version` as yum and dnf take it, an .rpm file, or a version from a known variable."""
    parts = package.split("-")
    if len(parts) <= 1:
        return False
    if package.endswith(".rpm"):
        return True
    if "$" in package:
        return scope.defines(package)
    rest = parts[1:]
    return all(set(p) <= _VERSION_CHARS for p in rest) and any(p[:1].isdigit() for p in rest)


def schema_labels(ctx: LintContext, kind: str | None = None) -> list[str]:
    """Labels of the configured label schema (of one type when `kind` is given), sorted."""
    schema = ctx.config.label_schema
    return sorted(k for k, v in schema.items() if kind is None or (v or "text").strip().lower() == kind)


def label_pairs(ctx: LintContext, ins: A.Label) -> list[tuple[str, str]]:
    """(key, value) of a LABEL with quotes removed, as hadolint compares them."""
    return [(unquote(ctx, kv.key), unquote(ctx, kv.value)) for kv in ins.pairs]


def bad_label_values(ctx: LintContext, kind: str, is_bad, message: str) -> Iterator:
    """Findings for LABELs that give a label of type `kind` a value `is_bad` rejects.
    `message` is formatted with the label's name."""
    labels = schema_labels(ctx, kind)
    if not labels:
        return
    for ins in ctx.instructions:
        if not isinstance(ins, A.Label):
            continue
        pairs = label_pairs(ctx, ins)
        for label in labels:
            if any(k == label and is_bad(v) for k, v in pairs):
                yield Finding(ins.span, message.format(label))

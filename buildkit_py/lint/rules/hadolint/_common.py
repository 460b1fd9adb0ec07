"""Helpers shared by the hadolint rules (DL codes): how hadolint reads images, RUN scripts and flags.

hadolint parses a Dockerfile with `language-docker` and RUN scripts with ShellCheck; the DL rules
only agree with hadolint when they read text the same way, so the readings live here, once:

- `parse_image(text)`: a FROM image reference split into registry, name, tag and digest the way
  language-docker splits it (a registry only when the first part has a dot: `localhost:5000/x` is
  image `localhost` with tag `5000/x`); `image_from_string` is its looser reading of
  `COPY --from=` and `--mount from=` values.
- `run_commands(ctx, ins)`: the simple commands of a RUN as hadolint lists them (`Cmd`), for shell
  form, exec form (the list joined with spaces) and heredoc scripts, cached per instruction. As
  ShellCheck does for hadolint: a command is named only by a literal word, `command X`, `exec X`,
  `busybox X`… are named X, `time X` gives both, and a script that does not parse has none.
- `Cmd`: a command name and its arguments, with hadolint's flag reading (`has_flag`, `count_flag`,
  `args_no_flags(drop_values_of=…)`, `flag_args`) and `has_args` (hadolint's `cmdHasArgs`).
- `runs(ctx, onbuild=True)`: the RUN instructions a rule looks at, `ONBUILD RUN` triggers included
  for the rules hadolint also applies to ONBUILD; `file_programs(ctx)`: every command name in
  them, so a rule about `apt-get` skips a file without it at once; `commands_named(ctx, run,
  "apt-get")`: a RUN's commands of one name, so it skips the other commands too.
- `word_edit`, `add_flag_fix`: edits of a word of a RUN script in the file, for fixes.
- `drop_quotes`, `hadolint_arg`, `ARCHIVE_EXTENSIONS`, `is_archive`, `mounts`, `has_cache_or_tmpfs_mount`,
  `is_pip_install`.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import field, replace
from functools import cached_property

from ....records import dataclass
from ....syntax import ast as A
from ...context import parse_script, script_memo
from ...model import Edit, Fix

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from ....shell.script_model import Command, ParsedShell
    from ...context import LintContext

# File name endings hadolint treats as archives (ADD unpacks them; DL3010, DL3020).
ARCHIVE_EXTENSIONS = (".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz",
                      ".tlz", ".tpz", ".txz", ".xz")


def drop_quotes(text: str) -> str:
    """`text` without the single and double quotes around it (hadolint's `dropQuotes`)."""
    return text.strip("\"'")


def is_archive(path: str) -> bool:
    """Whether a path ends like an archive ADD would unpack (quotes ignored)."""
    return drop_quotes(path).endswith(ARCHIVE_EXTENSIONS)


# ---------------------------------------------------------------- images


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image reference split as language-docker splits it (no normalisation, no defaults)."""

    registry: str | None
    name: str
    tag: str | None = None
    digest: str | None = None


def _take(text: str, i: int, stop: str) -> int:
    """Index after a run of characters not in `stop`; a `${…}` counts as one opaque piece."""
    n = len(text)
    if "$" not in text:  # the common case: no expansion to step over
        return min((j for j in (text.find(c, i) for c in stop) if j >= 0), default=n)
    while i < n and text[i] not in stop:
        if text.startswith("${", i):
            depth, j = 0, i + 1
            while j < n:
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
        else:
            i += 1
    return min(i, n)


@functools.lru_cache(maxsize=1024)
def parse_image(text: str) -> ImageRef:
    """Split a FROM image reference (`[registry/]name[:tag][@digest]`) as hadolint does."""
    registry, rest = None, text
    dot = _take(text, 0, ".")
    if 0 < dot < len(text):
        slash = _take(text, dot + 1, "/")
        if slash > dot + 1 and slash < len(text):
            registry, rest = text[:slash], text[slash + 1:]
    end = _take(rest, 0, "@:")
    name, tail = rest[:end], rest[end:]
    tag = digest = None
    if tail.startswith(":"):
        end = _take(tail, 1, "@:")
        tag, tail = tail[1:end], tail[end:]
    if tail.startswith("@"):
        digest = tail[1:]
    return ImageRef(registry, name, tag, digest)


def image_from_string(text: str) -> ImageRef:
    """language-docker's reading of a bare image string (`COPY --from=`, `--mount from=`)."""
    if "/" in text:
        parts = text.split("/")
        if parts and parts[-1] == "":
            parts.pop()
        if parts and "." in parts[0]:
            return ImageRef(parts[0], "/".join(parts[1:]))
    return ImageRef(None, text)


# ---------------------------------------------------------------- RUN scripts


@dataclass(frozen=True)
class Cmd:
    """One simple command as hadolint sees it: its name and every word after the first one."""

    name: str
    args: tuple[str, ...]
    source: Command | None = field(default=None, compare=False, repr=False)  # the parsed command

    @cached_property
    def _flags(self) -> tuple[tuple[str, int], ...]:
        # `--name[=v]` is flag "name"; `-abc` is flags a, b, c; `-` and `--` are no flags.
        out: list[tuple[str, int]] = []
        for i, arg in enumerate(self.args):
            if arg in ("-", "--") or not arg.startswith("-"):
                continue
            if arg.startswith("--"):
                out.append((arg[2:].split("=", 1)[0], i))
            else:
                out.extend((ch, i) for ch in arg[1:])
        return tuple(out)

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f for f, _ in self._flags)

    def has_flag(self, *names: str) -> bool:
        """Any of these flags, named without dashes (`has_flag("y", "yes")`)."""
        return any(f in names for f, _ in self._flags)

    def count_flag(self, name: str) -> int:
        return sum(1 for f, _ in self._flags if f == name)

    def has_arg(self, value: str) -> bool:
        return value in self.args

    def has_args(self, *values: str) -> bool:
        """Any argument equal to one of `values` (hadolint's `cmdHasArgs` without the name)."""
        return any(a in values for a in self.args)

    def is_(self, name: str | Iterable[str], *any_args: str) -> bool:
        """Named `name` (or one of several) and, when `any_args` are given, having one of them."""
        if not (self.name == name if type(name) is str else self.name in name):
            return False
        return not any_args or any(a in any_args for a in self.args)

    def has_arg_prefix(self, prefix: str) -> bool:
        return any(a.startswith(prefix) for a in self.args)

    def args_no_flags(self, drop_values_of: Iterable[str] = ()) -> list[str]:
        """Arguments that are not flags, also without the word after each flag in `drop_values_of`
        (unless that flag carries an `=`): hadolint's `getArgsNoFlags . dropFlagArg`."""
        drop = set(drop_values_of)
        flag_at = {i for _, i in self._flags}
        value_at = {i + 1 for f, i in self._flags if f in drop and "=" not in self.args[i]}
        return [a for i, a in enumerate(self.args) if i not in flag_at and i not in value_at]

    def flag_args(self, name: str) -> list[str]:
        """The word after each use of flag `name` (hadolint's `getFlagArg`: `useradd -u 1000`)."""
        return [self.args[i + 1] for f, i in self._flags if f == name and i + 1 < len(self.args)]


def is_pip_install(cmd: Cmd) -> bool:
    """`pip… install …` (not pipenv) or `python… -m pip install …` (hadolint's `isPipInstall`)."""
    if cmd.name.startswith("pip") and not cmd.name.startswith("pipenv") and "install" in cmd.args:
        return True
    if cmd.name.startswith("python"):
        args = cmd.args
        return any(args[i:i + 3] == ("-m", "pip", "install") for i in range(len(args) - 2))
    return False


def hadolint_script(ins: A.Run) -> str | None:
    """The text hadolint hands ShellCheck for a RUN: exec form joined by spaces; for `RUN <<EOF`
    the heredoc body; for `RUN cmd <<EOF` only the command line (hadolint drops the body)."""
    if not ins.command:
        return None
    if ins.json:
        return " ".join(ins.command)
    script = ins.command[0]
    if ins.heredocs and script.lstrip().startswith("<<"):
        return ins.heredocs[0].body.strip()
    return script


def run_commands(ctx: LintContext, ins: A.Run) -> tuple[Cmd, ...]:
    """The simple commands of a RUN in source order, as hadolint lists them (parsed once)."""
    key = ("hadolint:cmds", id(ins))
    cmds = ctx.cache.get(key)
    if cmds is None:
        # a shell-form RUN without heredocs hands the shell its line, as hadolint does: one parse
        # serves both (see LintContext.shell)
        script = hadolint_script(ins)
        cmds = ctx.cache[key] = commands_of(script) if script else ()
    return cmds


def commands_of(script: str) -> tuple[Cmd, ...]:
    """hadolint's command list for a script: every named simple command, also nested ones
    (computed once per process for each script text)."""
    return script_memo("hadolint:cmds", script, _cmds_of_text)


def _cmds_of_text(script: str) -> tuple[Cmd, ...]:
    return _cmds(parse_script(script))


_NO_CMDS: tuple[Cmd, ...] = ()


def commands_named(ctx: LintContext, ins: A.Run, name: str) -> tuple[Cmd, ...]:
    """The commands of a RUN named `name`, in source order: `run_commands` filtered by name, for
    rules about one program (they skip the rest of the script without looking at it)."""
    key = ("hadolint:by-name", id(ins))
    index = ctx.cache.get(key)
    if index is None:
        script = hadolint_script(ins)
        if script:
            index = script_memo("hadolint:by-name", script, _by_name)
        else:
            index = {}
        ctx.cache[key] = index
    return index.get(name, _NO_CMDS)


def _by_name(script: str) -> dict[str, tuple[Cmd, ...]]:
    # shared by every RUN with this script, in every file: read-only
    out: dict[str, list[Cmd]] = {}
    for cmd in commands_of(script):
        out.setdefault(cmd.name, []).append(cmd)
    return {name: tuple(cmds) for name, cmds in out.items()}


def _cmds(parsed: ParsedShell) -> tuple[Cmd, ...]:
    if any(not _RECOVERABLE.search(p) for p in parsed.problems):
        return ()  # ShellCheck gives up on a script it cannot parse, and hadolint sees no command
    out: list[Cmd] = []
    for command in parsed.commands:
        while command is not None:
            cmd = _as_cmd(command)
            if cmd is not None:
                out.append(cmd)
            words = command.words
            command = _timed(command) if words and words[0].raw == "time" else None
    return tuple(out)


# Slips ShellCheck reads past with a warning (a stray keyword or separator); on anything else
# (unterminated quotes or constructs, a stray `)`) it stops and gives hadolint no commands.
_RECOVERABLE = re.compile(r"unexpected '(?:fi|done|esac|then|do|else|elif|\}|;|;;|&)'$")


def _timed(command: Command) -> Command | None:
    """The command `time [-p] cmd …` runs: ShellCheck lists it after `time` itself."""
    words = command.words
    if not words or words[0].raw != "time":
        return None
    k = 1
    while k < len(words) and words[k].raw.startswith("-"):
        k += 1
    return replace(command, words=words[k:], assignments=()) if k < len(words) else None


_GLOB = re.compile(r"[*?\[]")


def _literal(word) -> str | None:
    """The word's text if it is a plain literal (no expansion, no glob), as ShellCheck requires."""
    if not word.static or _GLOB.search(word.raw):
        return None
    return word.value


_BARE_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def hadolint_arg(value: str) -> str:
    """An argument as hadolint spells it: `$NAME` becomes `${NAME}` (ShellCheck's tokens, printed)."""
    return _BARE_VAR.sub(_braced, value) if "$" in value else value


def _braced(m: re.Match[str]) -> str:
    return "${" + m.group(1) + "}"  # a function, not the template r"${\1}": re parses no template per call


def _as_cmd(command: Command) -> Cmd | None:
    words = command.words
    if not words:
        return None
    name = _literal(words[0])
    if name is None:
        return None  # ShellCheck names no command whose first word is not literal
    rest = words[1:]
    values = [w.value for w in rest]
    args = tuple([hadolint_arg(v) for v in values]) if "$" in "".join(values) else tuple(values)
    # ShellCheck names the command `command`, `builtin`, `busybox`, `run` and `exec` run.
    target = None
    if name in ("busybox", "builtin", "command", "run"):
        if rest and not rest[0].value.startswith("-"):
            target = rest[0]
    elif name == "exec":
        target = _exec_target(rest)
    if target is not None:
        inner = _literal(target)
        if inner is None:
            return None
        name = inner
    return _new_cmd(name, args, command)


_new = object.__new__


def _new_cmd(name: str, args: tuple[str, ...], source: Command) -> Cmd:
    # The same value as Cmd(name, args, source), without the frozen dataclass's three
    # object.__setattr__ calls (as script_model builds its nodes): commands are many.
    cmd = _new(Cmd)
    d = cmd.__dict__
    d["name"] = name
    d["args"] = args
    d["source"] = source
    return cmd


def _exec_target(words) -> object | None:
    """The word `exec` runs, reading its options BSD-style (`-c`, `-l`, `-a NAME`), else None."""
    i = 0
    while i < len(words):
        text = words[i].value
        if text == "--":
            return words[i + 1] if i + 1 < len(words) else None
        if text.startswith("--"):
            return None  # no long options: ShellCheck gives up
        if text.startswith("-"):
            opts, i = text[1:], i + 1
            for k, ch in enumerate(opts):
                if ch == "a":
                    if k == len(opts) - 1:
                        i += 1
                    break
                if ch not in "cl":
                    return None
            continue
        return words[i]
    return None


def runs(ctx: LintContext, *, onbuild: bool = True) -> list[tuple[A.Instruction, A.Run]]:
    """(instruction to report, RUN) pairs; with `onbuild`, `ONBUILD RUN …` as well (listed once per file)."""
    key = ("hadolint:runs", onbuild)
    found = ctx.cache.get(key)
    if found is None:
        found = ctx.cache[key] = []
        for ins in ctx.instructions:
            if isinstance(ins, A.Run):
                found.append((ins, ins))
            elif onbuild and isinstance(ins, A.Onbuild) and isinstance(ins.trigger, A.Run):
                found.append((ins, ins.trigger))
    return found


def file_programs(ctx: LintContext) -> frozenset[str]:
    """The names of every command of every RUN in the file, `ONBUILD RUN` included (computed once).
    A rule that only reports RUNs running one of its programs has nothing to do in a file without
    them: `if programs.isdisjoint(file_programs(ctx)): return`."""
    key = "hadolint:file-programs"
    names = ctx.cache.get(key)
    if names is None:
        names = ctx.cache[key] = frozenset(c.name for _, run in runs(ctx) for c in run_commands(ctx, run))
    return names


def file_runs_program_prefixed(ctx: LintContext, prefixes: tuple[str, ...]) -> bool:
    """Some RUN in the file runs a command whose name starts with one of `prefixes` (`pip`, `python`)."""
    return any(name.startswith(prefixes) for name in file_programs(ctx))


def word_edit(ctx: LintContext, run: A.Run, cmd: Cmd, index: int, text: str, *, insert_after: bool = False):
    """An edit replacing word `index` of `cmd` (0 is the name) in the file, or inserting `text`
    after it; None where the script is not the RUN's own line (exec form, heredoc, ONBUILD)."""
    if cmd.source is None or run.json or run.heredocs or len(run.args) != 1 or index >= len(cmd.source.words):
        return None
    if not any(ins is run for ins in ctx.instructions):
        return None
    word = cmd.source.words[index]
    base = run.args[0].start
    start, end = ctx.span_offsets(run.raw.span_of(base + word.start, base + word.end))
    if ctx.source[start:end] != word.raw:
        return None  # the word spans a line continuation: leave it alone
    return Edit(end, end, text) if insert_after else Edit(start, end, text)


def add_flag_fix(ctx: LintContext, report: A.Instruction, run: A.Run, cmds: Iterable[Cmd], subcommand: str,
                 flag: str, *, safe: bool):
    """A fix putting ` flag` after `subcommand` (`install`, `add`) in each of `cmds`; None when
    one of them cannot be edited in place (see `word_edit`)."""
    if report is not run:
        return None
    edits = []
    for cmd in cmds:
        index = cmd.args.index(subcommand) + 1 if subcommand in cmd.args else None
        edit = word_edit(ctx, run, cmd, index, " " + flag, insert_after=True) if index is not None else None
        if edit is None:
            return None
        edits.append(edit)
    return Fix(f"Add `{flag}`", tuple(edits), safe=safe) if edits else None


# ---------------------------------------------------------------- RUN --mount


@dataclass(frozen=True, slots=True)
class MountSpec:
    """A RUN `--mount` as hadolint reads it: type, target and source stage."""

    type: str
    target: str
    from_: str | None


def mounts(run: A.Run) -> list[MountSpec]:
    """The `--mount` flags of a RUN as written (no expansion); unreadable ones are left out."""
    if not run.mounts:
        return []
    import csv  # here: only a RUN with --mount needs it, not every start

    out = []
    for value in run.mounts:
        try:
            fields = next(csv.reader([value]))
        except (csv.Error, StopIteration):
            continue
        kv = {}
        for f in fields:
            key, _, val = f.partition("=")
            kv[key.strip().lower()] = val
        target = kv.get("target", kv.get("dst", kv.get("destination", "")))
        out.append(MountSpec(kv.get("type", "bind").lower(), target, kv.get("from")))
    return out


def has_cache_or_tmpfs_mount(run: A.Run, fragment: str) -> bool:
    """A cache or tmpfs mount whose target contains `fragment` (e.g. `/var/lib/apt/lists`)."""
    return any(m.type in ("cache", "tmpfs") and fragment in m.target for m in mounts(run))

"""The parsed shell script: words, redirections, commands and how they are joined.

See `buildkit_py.shell.script` for the model as a whole; this module holds the node types and
the queries lint rules ask of them (flags the way hadolint reads them, wrappers like `sudo`).
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property

from ..records import dataclass

# A list of and-or chains: the body of a script, a subshell, a group, a loop, `$( … )`, …
Sequence = tuple["AndOr", ...]


@dataclass(frozen=True)
class Word:
    """One shell word. `value` has quotes and escapes removed; expansions stay as written."""

    raw: str
    value: str
    static: bool  # no `$…`, `${…}`, `$( … )` or backticks, so `value` is what the shell sees
    quoted: bool  # some part was quoted or escaped
    start: int
    end: int
    substitutions: tuple[Sequence, ...] = ()  # the scripts inside `$( … )`, backticks, `<( … )`

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Redirect:
    """`[fd]op target`, e.g. `2>&1`, `> /dev/null`, `<<EOF` (then `heredoc` holds the body)."""

    op: str
    target: Word | None
    fd: str | None = None
    heredoc: str | None = None  # the body, for `<<` and `<<-`
    heredoc_quoted: bool = False  # a quoted delimiter: the body is not expanded
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Command:
    """A simple command: leading assignments, the name and its arguments, redirections."""

    words: tuple[Word, ...]
    assignments: tuple[Word, ...] = ()
    redirects: tuple[Redirect, ...] = ()
    start: int = 0
    end: int = 0
    context: tuple[str, ...] = ()  # enclosing constructs, outermost first: "subshell", "if", "$(", …
    wrappers: tuple[str, ...] = ()  # set by unwrap(): the wrappers that were peeled off, e.g. ("sudo",)

    @property
    def name(self) -> str:
        return self.words[0].value if self.words else ""

    @property
    def args(self) -> tuple[str, ...]:
        return tuple(w.value for w in self.words[1:])

    @property
    def arg_words(self) -> tuple[Word, ...]:
        return self.words[1:]

    @cached_property
    def _flags(self) -> tuple[tuple[str, int], ...]:
        # hadolint's reading: `--name[=v]` is flag "name", `-abc` is flags a, b, c; `-` and `--` are
        # not flags. Every argument is looked at, also those after `--` or a subcommand.
        out: list[tuple[str, int]] = []
        for index, arg in enumerate(self.args):
            if arg == "-" or arg == "--" or not arg.startswith("-"):
                continue
            if arg.startswith("--"):
                out.append((arg[2:].split("=", 1)[0], index))
            else:
                out.extend((ch, index) for ch in arg[1:])
        return tuple(out)

    @property
    def flags(self) -> tuple[str, ...]:
        """Flag names in order, as hadolint lists them (`-xy` gives x and y)."""
        return tuple(name for name, _ in self._flags)

    def has_flag(self, *names: str) -> bool:
        """Any of these flags (names without dashes: `has_flag("y", "yes")`)."""
        wanted = {n.lstrip("-") for n in names}
        return any(name in wanted for name, _ in self._flags)

    def has_any_flag(self, names: Iterable[str]) -> bool:
        return self.has_flag(*names)

    def count_flag(self, name: str) -> int:
        name = name.lstrip("-")
        return sum(1 for f, _ in self._flags if f == name)

    def flag_values(self, flag: str) -> list[str]:
        """Values given to a flag: `--name=v` inline, else the next argument (`-u 1000`)."""
        name = flag.lstrip("-")
        args = self.args
        out = []
        for f, index in self._flags:
            if f != name:
                continue
            arg = args[index]
            if arg.startswith("--") and "=" in arg:
                out.append(arg.split("=", 1)[1])
            elif index + 1 < len(args):
                out.append(args[index + 1])
        return out

    def flag_value(self, flag: str) -> str | None:
        values = self.flag_values(flag)
        return values[0] if values else None

    def args_without_flags(self, drop_values_of: Iterable[str] = ()) -> list[str]:
        """Arguments that are not flags; also drops the value after each flag in `drop_values_of`."""
        drop = {d.lstrip("-") for d in drop_values_of}
        args = self.args
        flag_indexes = {index for _, index in self._flags}
        dropped = {
            index + 1
            for f, index in self._flags
            if f in drop and not (args[index].startswith("--") and "=" in args[index])
        }
        return [a for i, a in enumerate(args) if i not in flag_indexes and i not in dropped]

    def has_args(self, *values: str) -> bool:
        """Any argument equal to one of `values`."""
        return any(a in values for a in self.args)

    def has_arg_prefix(self, prefix: str) -> bool:
        return any(a.startswith(prefix) for a in self.args)

    def match(self, names: str | Iterable[str], *any_args: str) -> bool:
        """Named `names` (one or several) and, if `any_args` are given, having one of them:
        `cmd.match("apt-get", "install")` is hadolint's `cmdHasArgs "apt-get" ["install"]`."""
        ok = self.name == names if isinstance(names, str) else self.name in set(names)
        return ok and (not any_args or self.has_args(*any_args))

    def unwrap(self) -> Command:
        """The command a wrapper runs: `sudo -u x apt-get …` gives `apt-get …` (wrappers noted)."""
        from buildkit_py.shell.script_wrappers import unwrap

        return unwrap(self)


@dataclass(frozen=True)
class Compound:
    """`( … )`, `{ …; }`, if, for/select, while/until, case, a function definition, `(( … ))`."""

    kind: str  # "subshell" | "group" | "if" | "for" | "select" | "while" | "until" | "case" | "function" | "arith"
    bodies: tuple[Sequence, ...]  # if: cond, then, [elif cond, then]…, [else]; loops: cond/words, body
    words: tuple[Word, ...] = ()  # for: the variable and the list; case: the subject then patterns; function: name
    redirects: tuple[Redirect, ...] = ()
    start: int = 0
    end: int = 0


Node = Command | Compound


@dataclass(frozen=True)
class Pipeline:
    """Nodes joined by `|` (or `|&`); `!` in front negates the status."""

    nodes: tuple[Node, ...]
    negated: bool = False
    ops: tuple[str, ...] = ()

    def names(self) -> list[str]:
        """The names of the pipeline's simple commands, wrappers removed."""
        return [n.unwrap().name for n in self.nodes if isinstance(n, Command) and n.words]


@dataclass(frozen=True)
class AndOr:
    """Pipelines joined by `&&` / `||`, ended by `;`, `&`, a newline or nothing."""

    pipelines: tuple[Pipeline, ...]
    ops: tuple[str, ...] = ()
    terminator: str = ""


@dataclass(frozen=True)
class ParsedShell:
    """A parsed script. `problems` says what could not be parsed; the rest is best effort."""

    source: str
    body: Sequence
    problems: tuple[str, ...] = ()

    @cached_property
    def _flat(self) -> tuple[tuple[Command, ...], tuple[Pipeline, ...]]:
        cmds: list[Command] = []
        pipes: list[Pipeline] = []
        _walk_sequence(self.body, cmds, pipes)
        return tuple(cmds), tuple(pipes)

    @property
    def commands(self) -> tuple[Command, ...]:
        """Every simple command (not assignment-only), in source order, also inside compounds and `$( … )`."""
        return self._flat[0]

    @cached_property
    def effective_commands(self) -> tuple[Command, ...]:
        """`commands` with wrappers (sudo, env, xargs, …) peeled off."""
        return tuple(c.unwrap() for c in self.commands)

    @property
    def pipelines(self) -> tuple[Pipeline, ...]:
        """Every pipeline of two or more nodes, in source order."""
        return self._flat[1]

    @property
    def has_pipes(self) -> bool:
        return bool(self._flat[1])

    def command_names(self) -> list[str]:
        return [c.name for c in self.commands]

    def using_program(self, name: str, *, unwrap: bool = False) -> bool:
        """Whether any command is `name` (with `unwrap`, also `sudo name`, `env … name`, …)."""
        cmds = self.effective_commands if unwrap else self.commands
        return any(c.name == name for c in cmds)

    def is_pipeline_with(self, *names: str) -> bool:
        """A pipeline runs these commands in this order, e.g. `("curl", "sh")` for `curl … | sh`."""
        for pipe in self.pipelines:
            it = iter(pipe.names())
            if all(any(n == want for n in it) for want in names):
                return True
        return False

    def any_command(self, check: Callable[[Command], bool]) -> bool:
        return any(check(c) for c in self.commands)

    def no_commands(self, check: Callable[[Command], bool]) -> bool:
        return not self.any_command(check)

    def all_commands(self, check: Callable[[Command], bool]) -> bool:
        return all(check(c) for c in self.commands)

    def find_command_index(self, check: Callable[[Command], bool]) -> int | None:
        return next((i for i, c in enumerate(self.commands) if check(c)), None)


# Builders for the parser's hot path. A frozen dataclass's __init__ sets each field through
# object.__setattr__, several times slower than filling the instance dict, and a script has
# hundreds of nodes. The result is the same value as the dataclass constructor gives.
_new = object.__new__


def new_word(raw: str, value: str, static: bool, quoted: bool, start: int, end: int,
             substitutions: tuple[Sequence, ...] = ()) -> Word:
    w = _new(Word)
    d = w.__dict__
    d["raw"] = raw
    d["value"] = value
    d["static"] = static
    d["quoted"] = quoted
    d["start"] = start
    d["end"] = end
    d["substitutions"] = substitutions
    return w


def new_command(words: tuple[Word, ...], assignments: tuple[Word, ...], redirects: tuple[Redirect, ...],
                start: int, end: int, context: tuple[str, ...]) -> Command:
    c = _new(Command)
    d = c.__dict__
    d["words"] = words
    d["assignments"] = assignments
    d["redirects"] = redirects
    d["start"] = start
    d["end"] = end
    d["context"] = context
    d["wrappers"] = ()
    return c


def new_pipeline(nodes: tuple[Node, ...], negated: bool, ops: tuple[str, ...]) -> Pipeline:
    p = _new(Pipeline)
    d = p.__dict__
    d["nodes"] = nodes
    d["negated"] = negated
    d["ops"] = ops
    return p


def new_and_or(pipelines: tuple[Pipeline, ...], ops: tuple[str, ...], terminator: str) -> AndOr:
    a = _new(AndOr)
    d = a.__dict__
    d["pipelines"] = pipelines
    d["ops"] = ops
    d["terminator"] = terminator
    return a


_SUBSTITUTIONS = operator.attrgetter("substitutions")  # looked at in C: most words have none


def _walk_sequence(seq: Sequence, cmds: list[Command], pipes: list[Pipeline]) -> None:
    for and_or in seq:
        for pipe in and_or.pipelines:
            if len(pipe.nodes) > 1:
                pipes.append(pipe)
            for node in pipe.nodes:
                _walk_node(node, cmds, pipes)


def _walk_node(node: Node, cmds: list[Command], pipes: list[Pipeline]) -> None:
    # Pre-order, as hadolint/ShellCheck visit: a command, then what its words substitute
    # (assignments, words, redirection targets, in that order). Most words substitute nothing.
    is_command = isinstance(node, Command)
    if is_command:
        if node.words:
            cmds.append(node)
        if node.assignments and any(map(_SUBSTITUTIONS, node.assignments)):
            for word in node.assignments:
                for sub in word.substitutions:
                    _walk_sequence(sub, cmds, pipes)
    if any(map(_SUBSTITUTIONS, node.words)):
        for word in node.words:
            for sub in word.substitutions:
                _walk_sequence(sub, cmds, pipes)
    for r in node.redirects:
        if r.target is not None:
            for sub in r.target.substitutions:
                _walk_sequence(sub, cmds, pipes)
    if not is_command:
        for body in node.bodies:  # type: ignore[union-attr]
            _walk_sequence(body, cmds, pipes)


def iter_words(cmd: Command) -> Iterator[Word]:
    """All words of a command: assignments, name and arguments, redirection targets."""
    yield from cmd.assignments
    yield from cmd.words
    yield from (r.target for r in cmd.redirects if r.target is not None)


__all__ = ["AndOr", "Command", "Compound", "Node", "ParsedShell", "Pipeline", "Redirect", "Sequence",
           "Word", "iter_words"]

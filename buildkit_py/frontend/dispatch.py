"""What each instruction does to a stage's state, as pure functions (BuildKit's dispatch*).

A StageState is the image config being built (env, user, workdir, cmd, ...), the ARGs in
scope and the history. Filesystem work (RUN, COPY, WORKDIR's mkdir) is done by the solver;
this module only says what to run, with every variable expanded.
"""
from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from dataclasses import field, replace

from ..records import dataclass
from ..shell.lex import Lexer, ShellExpansionError
from ..syntax import ast as A
from .args import NON_ENV_ARGS, PROXY_ARGS
from .plan import BuildError

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEFAULT_SHELL = ("/bin/sh", "-c")


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    created_by: str
    empty_layer: bool
    comment: str = "buildkit.dockerfile.v0"


@dataclass(frozen=True, slots=True)
class StageState:
    env: tuple[tuple[str, str], ...] = ()  # the image's Env, in order
    args: tuple[tuple[str, str | None], ...] = ()  # ARGs declared in this stage, with values
    user: str = ""
    workdir: str = "/"
    cmd: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    shell: tuple[str, ...] = ()  # empty: the default /bin/sh -c
    labels: tuple[tuple[str, str], ...] = ()
    exposed: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    stop_signal: str | None = None
    healthcheck: dict | None = None
    onbuild: tuple[str, ...] = ()
    author: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    args_escaped: bool = False
    extra: dict = field(default_factory=dict, compare=False)  # base config fields we carry along

    # ---- variables -------------------------------------------------------------------

    def vars(self) -> dict[str, str]:
        """What `$VAR` expands to in this stage: ARG values, then ENV (ENV wins)."""
        out = {k: v for k, v in self.args if v is not None and k not in NON_ENV_ARGS}
        out.update(self.env)
        return out

    def run_env(self, proxies: Mapping[str, str]) -> tuple[str, ...]:
        """The environment of a RUN: ENV, ARG values, proxy args; PATH defaulted."""
        env = dict(self.env)
        for k, v in self.args:
            if v is not None and k not in env and k not in NON_ENV_ARGS:
                env[k] = v
        for k, v in proxies.items():
            env.setdefault(k, v)
        env.setdefault("PATH", DEFAULT_PATH)
        return tuple(f"{k}={v}" for k, v in env.items())

    def shell_args(self) -> tuple[str, ...]:
        return self.shell or DEFAULT_SHELL


def _commit(state: StageState, msg: str, empty: bool = True, buildkit: bool = False) -> StageState:
    if buildkit:
        msg += " # buildkit"
    return replace(state, history=state.history + (HistoryEntry(msg, empty),))


def from_image_config(config: Mapping | None) -> StageState:
    """The starting state of a stage based on an image with this `config` member."""
    c = dict(config or {})
    env = []
    for e in c.get("Env") or ():
        k, _, v = e.partition("=")
        env.append((k, v))
    hc = c.get("Healthcheck")
    return StageState(
        env=tuple(env), user=c.get("User") or "", workdir=c.get("WorkingDir") or "/",
        cmd=tuple(c["Cmd"]) if c.get("Cmd") is not None else None,
        entrypoint=tuple(c["Entrypoint"]) if c.get("Entrypoint") is not None else None,
        shell=tuple(c.get("Shell") or ()), labels=tuple(sorted((c.get("Labels") or {}).items())),
        exposed=tuple(sorted(c.get("ExposedPorts") or {})), volumes=tuple(sorted(c.get("Volumes") or {})),
        stop_signal=c.get("StopSignal"), healthcheck=hc, onbuild=(), args_escaped=bool(c.get("ArgsEscaped")),
    )


class Expander:
    """Expands words of one instruction with the stage's variables, errors at its place."""

    def __init__(self, df: A.Dockerfile, ins: A.Instruction, state: StageState) -> None:
        self.lexer = Lexer(escape=df.escape)
        self.df, self.ins = df, ins
        self.env = state.vars()

    def word(self, text: str) -> str:
        try:
            return self.lexer.process_word(text, self.env)
        except ShellExpansionError as err:
            raise BuildError(err.message, span=self.ins.span, path=self.df.path, source=self.df.source) from None

    def words(self, text: str) -> list[str]:
        try:
            return self.lexer.process_words(text, self.env)
        except ShellExpansionError as err:
            raise BuildError(err.message, span=self.ins.span, path=self.df.path, source=self.df.source) from None


def _set(pairs: tuple[tuple[str, str], ...], key: str, value: str) -> tuple[tuple[str, str], ...]:
    out = list(pairs)
    for i, (k, _) in enumerate(out):
        if k == key:
            out[i] = (key, value)
            return tuple(out)
    out.append((key, value))
    return tuple(out)


def _kv_string(key: str, value: str) -> str:
    return f"{key}={value}"


def apply_meta(
    df: A.Dockerfile, state: StageState, ins: A.Instruction, build_args: Mapping[str, str],
    global_args: Mapping[str, str],
) -> StageState:
    """The state after an instruction that changes only the image config (not the filesystem)."""
    x = Expander(df, ins, state)
    if isinstance(ins, A.Env):
        msg = "ENV"
        for kv in ins.pairs:
            key, value = x.word(kv.key), x.word(kv.value)
            # every pair is expanded with the variables from before this ENV (docker's rule)
            state = replace(state, env=_set(state.env, key, value))
            msg += " " + _kv_string(key, value)
        return _commit(state, msg)
    if isinstance(ins, A.Label):
        msg = "LABEL"
        labels = state.labels
        for kv in ins.pairs:
            key, value = x.word(kv.key), x.word(kv.value)
            labels = _set(labels, key, value)
            msg += " " + _kv_string(key, value)
        return _commit(replace(state, labels=labels), msg)
    if isinstance(ins, A.Arg):
        parts = []
        args = list(state.args)
        for d in ins.definitions:
            key = d.key
            value: str | None
            if key in build_args:
                value = build_args[key]
            elif d.default is not None:
                value = Expander(df, ins, replace(state, args=tuple(args))).word(d.default)
            elif key in global_args:
                value = global_args[key]
            else:
                value = None
            args = [(k, v) for k, v in args if k != key] + [(key, value)]
            parts.append(key if value is None else f"{key}={value}")
        return _commit(replace(state, args=tuple(args)), "ARG " + " ".join(parts))
    if isinstance(ins, A.User):
        user = x.word(ins.user)
        return _commit(replace(state, user=user), f"USER {user}")
    if isinstance(ins, A.Cmd):
        cmd = _command(ins, state)
        return _commit(replace(state, cmd=cmd), f"CMD {_go_list(cmd)}")
    if isinstance(ins, A.Entrypoint):
        ep = _command(ins, state)
        # An ENTRYPOINT resets the CMD inherited from the base image (docker's rule).
        cmd = state.cmd if _set_in_stage(state, "CMD") else None
        return _commit(replace(state, entrypoint=ep, cmd=cmd), f"ENTRYPOINT {_go_list(ep)}")
    if isinstance(ins, A.Shell):
        return _commit(replace(state, shell=ins.shell), f"SHELL [{' '.join(ins.shell)}]")
    if isinstance(ins, A.Expose):
        ports = list(state.exposed)
        new = []
        for p in ins.ports:
            for word in x.words(p):
                port = word if "/" in word else f"{word}/tcp"
                port = port.lower()
                new.append(port)
                if port not in ports:
                    ports.append(port)
        return _commit(replace(state, exposed=tuple(sorted(ports))), f"EXPOSE map[{' '.join(f'{p}:{{}}' for p in sorted(new))}]")
    if isinstance(ins, A.Volume):
        vols = list(state.volumes)
        new = []
        for v in ins.volumes:
            for word in (x.words(v) if not ins.json else [x.word(v)]):
                new.append(word)
                if word not in vols:
                    vols.append(word)
        return _commit(replace(state, volumes=tuple(sorted(vols))), f"VOLUME [{' '.join(new)}]")
    if isinstance(ins, A.StopSignal):
        sig = x.word(ins.signal)
        return _commit(replace(state, stop_signal=sig), f"STOPSIGNAL {sig}")
    if isinstance(ins, A.Healthcheck):
        hc: dict = {"Test": list(ins.test)}
        for key, value in (("Interval", ins.interval), ("Timeout", ins.timeout),
                           ("StartPeriod", ins.start_period), ("StartInterval", ins.start_interval)):
            if value:
                hc[key] = int(round(value * 1e9))
        if ins.retries:
            hc["Retries"] = ins.retries
        return _commit(replace(state, healthcheck=hc), f"HEALTHCHECK {json.dumps(hc, separators=(',', ':'))}")
    if isinstance(ins, A.Onbuild):
        return replace(state, onbuild=state.onbuild + (ins.expression,))
    if isinstance(ins, A.Maintainer):
        return _commit(replace(state, author=ins.maintainer), f"MAINTAINER {ins.maintainer}")
    raise AssertionError(f"{type(ins).__name__} is not a metadata instruction")


def _set_in_stage(state: StageState, what: str) -> bool:
    return any(h.created_by.startswith(what + " ") for h in state.history)


def _command(ins: A.Cmd | A.Entrypoint, state: StageState) -> tuple[str, ...]:
    if ins.json:
        return ins.command
    if not ins.command:
        return ()
    return state.shell_args() + ins.command


def _go_list(items: tuple[str, ...]) -> str:
    # Go's %q of a []string: ["a" "b"]
    return "[" + " ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"


def workdir(df: A.Dockerfile, state: StageState, ins: A.Workdir) -> tuple[StageState, str]:
    """The new working directory (absolute, normalised) and the state after WORKDIR."""
    path = Expander(df, ins, state).word(ins.path)
    wd = posixpath.normpath(posixpath.join(state.workdir or "/", path))
    if wd.startswith("//"):
        wd = "/" + wd.lstrip("/")
    return replace(state, workdir=wd), wd


def commit_workdir(state: StageState, wd: str, with_layer: bool) -> StageState:
    return _commit(state, f"WORKDIR {wd}", empty=not with_layer)


def run_args(state: StageState, ins: A.Run) -> tuple[str, ...]:
    """argv of a RUN: exec form as is; shell form through SHELL (heredoc bodies handled by the caller)."""
    if ins.json:
        return ins.command
    return state.shell_args() + ins.command


def run_history(state: StageState, argv: tuple[str, ...], used_args: Mapping[str, str]) -> str:
    """`RUN |2 A=1 B=2 /bin/sh -c cmd`, as BuildKit writes created_by (proxy args left out)."""
    parts = [f"{k}={v}" for k, v in used_args.items() if k not in PROXY_ARGS]
    prefix = [f"|{len(parts)}"] + parts if parts else []
    return "RUN " + " ".join(prefix + list(argv))


def commit_layer(state: StageState, msg: str, buildkit: bool = True) -> StageState:
    return _commit(state, msg, empty=False, buildkit=buildkit)


def image_config(state: StageState) -> dict:
    """The image config's `config` member for this state."""
    c: dict = {}
    if state.user:
        c["User"] = state.user
    if state.exposed:
        c["ExposedPorts"] = {p: {} for p in state.exposed}
    env = list(dict(state.env).items()) if state.env else []
    if not any(k == "PATH" for k, _ in env):
        env.insert(0, ("PATH", DEFAULT_PATH))
    c["Env"] = [f"{k}={v}" for k, v in env]
    if state.entrypoint is not None:
        c["Entrypoint"] = list(state.entrypoint)
    if state.cmd is not None:
        c["Cmd"] = list(state.cmd)
    if state.volumes:
        c["Volumes"] = {v: {} for v in state.volumes}
    if state.workdir and state.workdir != "/":
        c["WorkingDir"] = state.workdir
    if state.labels:
        c["Labels"] = dict(state.labels)
    if state.stop_signal:
        c["StopSignal"] = state.stop_signal
    if state.healthcheck:
        c["Healthcheck"] = state.healthcheck
    if state.onbuild:
        c["OnBuild"] = list(state.onbuild)
    if state.shell:
        c["Shell"] = list(state.shell)
    if state.args_escaped:
        c["ArgsEscaped"] = True
    return c

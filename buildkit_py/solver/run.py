"""RUN steps: the command, its mounts (cache, secret, bind, tmpfs) and the sandbox that runs it."""
from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import stat
from collections import deque
from pathlib import Path

from ..frontend import dispatch as D
from ..frontend.dispatch import Expander
from ..snapshot.copy import Writer
from ..snapshot.layeredfs import LayeredFS
from ..syntax import ast as A
from ..syntax.mounts import Mount, MountError, parse_mount
from .keys import cache_key
from .state import StageResult

_TAIL_LINES = 20


def _argv(state: D.StageState, ins: A.Run) -> tuple[tuple[str, ...], dict[str, str]]:
    """argv, and heredoc files to provide (name -> content) for `RUN <<EOF` scripts with a shebang."""
    if ins.json:
        return ins.command, {}
    script = ins.command[0] if ins.command else ""
    if not ins.heredocs:
        return state.shell_args() + (script,), {}
    stripped = script.strip()
    first = ins.heredocs[0]
    if len(stripped.split()) == 1 and stripped.lstrip("0123456789").startswith("<<") and len(ins.heredocs) == 1:
        body = first.body
        if body.startswith("#!"):
            return (f"/dev/pipes/{first.name}",), {first.name: body}
        return state.shell_args() + (body,), {}
    # The shell reads the heredocs itself: hand it the line followed by the bodies.
    full = script + "".join("\n" + h.content + h.end_text.rstrip("\r\n") for h in ins.heredocs)
    return state.shell_args() + (full,), {}


def run_step(steps, res: StageResult, ins: A.Run, label: str) -> StageResult:
    s = steps.s
    state = res.state
    x = Expander(steps.df, ins, state)
    argv, files = _argv(state, ins)
    mounts: list[Mount] = []
    for value in ins.mounts:
        try:
            mounts.append(parse_mount(value, x.word))
        except MountError as err:
            raise s.error(ins, str(err), err.hint) from None
    network = ins.network or s.opts.network or "default"
    env = state.run_env(s.proxies())
    key_env = tuple(e for e in env if e.split("=", 1)[0] not in s.proxies())
    mount_keys = [_mount_key(steps, res, ins, m) for m in mounts]
    key = cache_key(res.key, "run", argv=argv, env=key_env, cwd=state.workdir, user=state.user or "root",
                    network=network, security=ins.security or "sandbox", mounts=mount_keys, files=files)
    used_args = {k: v for k, v in state.args if v is not None}
    message = D.run_history(state, argv, used_args)

    def make(base: Path, upper: Path, v) -> None:
        from ..executor import ExecError, run as exec_run
        from ..executor.spec import MountSpec, ProcessSpec

        lower = LayeredFS(res.lowers())
        w = Writer(upper, lower, owner=None, chmod=None)
        if state.workdir and state.workdir != "/" and not lower.is_dir(state.workdir):
            w.ensure_dir(state.workdir)
        specs: list[MountSpec] = []
        secret_env: list[str] = []
        for m in mounts:
            spec = _prepare_mount(steps, res, ins, m, base, secret_env)
            if spec is not None:
                specs.append(spec)
        for name, body in files.items():
            d = base / "pipes"
            d.mkdir(exist_ok=True)
            (d / name).write_text(body)
            os.chmod(d / name, 0o755)
        if files:
            specs.append(MountSpec(target="/dev/pipes", type="bind", source=str(base / "pipes"), readonly=True))
        tail: deque[str] = deque(maxlen=_TAIL_LINES)

        def output(data: bytes) -> None:
            for line in data.decode("utf-8", "replace").splitlines():
                tail.append(line)
            s.progress.output(v, data)

        pspec = ProcessSpec(args=tuple(argv), env=tuple(env), cwd=state.workdir or "/", user=state.user or "root",
                            network="none" if network == "none" else "default", mounts=tuple(specs),
                            secret_env=tuple(secret_env))
        work = base / "work"
        try:
            result = exec_run([Path(p) for p in res.lowers()], upper, work, pspec, output=output,
                              executor=s.opts.executor)
        except ExecError as err:
            raise s.error(ins, f"cannot run the step: {err.message}", err.hint) from None
        if result.exit_code != 0:
            shown = " ".join(argv)
            out = "\n".join(tail)
            raise s.error(
                ins, f'process "{shown}" did not complete successfully: exit code: {result.exit_code}',
                ("last output lines:\n" + out) if out else None,
            )

    return steps.execute(res, key, label, make, message)


def _mount_key(steps, res: StageResult, ins: A.Run, m: Mount) -> list:
    s = steps.s
    base = [m.type, m.target, m.readonly]
    if m.type == "cache":
        return base + [m.cache_id or m.target, m.sharing or "shared", m.mode, m.uid, m.gid]
    if m.type == "tmpfs":
        return base + [m.size_limit]
    if m.type == "secret":
        return base + [m.cache_id or posixpath.basename(m.target or ""), m.env, m.required]
    if m.type == "bind":
        if m.from_:
            result = s.stage_result(m.from_, steps.sp.index, ins) or s.image_result(m.from_, ins)
            return base + [m.from_, result.key, m.source]
        if s.context is None:
            raise s.error(ins, "no build context to bind-mount", "pass a context directory")
        return base + ["context", s.context.digest([m.source or ""]), m.source]
    raise s.error(ins, f"mount type {m.type} is not supported", "use cache, secret, bind or tmpfs mounts")


def _target(m: Mount, default: str) -> str:
    t = m.target or default
    return t if t.startswith("/") else "/" + t


def _prepare_mount(steps, res: StageResult, ins: A.Run, m: Mount, base: Path, secret_env: list[str]):
    from ..executor.spec import MountSpec

    s = steps.s
    if m.type == "tmpfs":
        opts = (f"size={m.size_limit}",) if m.size_limit else ()
        return MountSpec(target=_target(m, "/tmp"), type="tmpfs", options=opts)
    if m.type == "cache":
        ident = m.cache_id or m.target
        name = hashlib.sha256(ident.encode()).hexdigest()[:32]
        s.used_cache_mounts.add(name)
        host = Path(s.store.root) / "cache-mounts" / name
        if not host.exists():
            host.mkdir(parents=True)
            os.chmod(host, m.mode if m.mode is not None else 0o755)
            os.chown(host, m.uid or 0, m.gid or 0)
        return MountSpec(target=_target(m, ""), type="bind", source=str(host), readonly=m.readonly)
    if m.type == "secret":
        sid = m.cache_id or posixpath.basename(m.target or "")
        value = s.opts.secrets.get(sid)
        if value is None:
            if m.required:
                raise s.error(ins, f"secret {sid} not found", f"pass it with --secret id={sid},src=FILE")
            return None
        if m.env:
            secret_env.append(f"{m.env}={value.decode('utf-8', 'replace')}")
            if not m.target:
                return None
        d = base / "secrets"
        d.mkdir(exist_ok=True)
        f = d / hashlib.sha256(sid.encode()).hexdigest()[:16]
        f.write_bytes(value)
        os.chmod(f, m.mode if m.mode is not None else 0o400)
        os.chown(f, m.uid or 0, m.gid or 0)
        return MountSpec(target=_target(m, f"/run/secrets/{sid}"), type="bind", source=str(f), readonly=True)
    if m.type == "bind":
        src_dir = base / ("bind-" + hashlib.sha256((m.target + m.source).encode()).hexdigest()[:12])
        if m.from_:
            result, fs = s.stage_fs(m.from_, steps.sp.index, ins)
            if result is None:
                result, fs = s.image_fs(m.from_, ins)
            src = _materialize_layered(fs, "/" + (m.source or "").lstrip("/"), src_dir, copy=not m.readonly)
        else:
            src = _materialize_context(s.context, m.source or "", src_dir, copy=not m.readonly)
        return MountSpec(target=_target(m, ""), type="bind", source=str(src), readonly=m.readonly)
    raise s.error(ins, f"mount type {m.type} is not supported", "use cache, secret, bind or tmpfs mounts")


def _link_or_copy(src: str, dst: str, st: os.stat_result, copy: bool) -> None:
    if stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(src), dst)
    elif stat.S_ISDIR(st.st_mode):
        os.makedirs(dst, exist_ok=True)
        os.chmod(dst, stat.S_IMODE(st.st_mode))
    elif stat.S_ISREG(st.st_mode):
        if not copy:
            try:
                os.link(src, dst)
                return
            except OSError:
                pass
        shutil.copy2(src, dst)
        os.chown(dst, st.st_uid, st.st_gid)


def _materialize_context(ctx, source: str, dest: Path, copy: bool) -> Path:
    """The included files of a context subtree as a directory (hard links when read-only),
    or the single file; returns what to mount."""
    from ..contenthash.context import normalize

    rel = normalize(source)
    top = ctx.lookup(rel)
    if top is None:
        raise FileNotFoundError(source)
    dest.mkdir(parents=True)
    if not top.is_dir:
        target = dest / (posixpath.basename(rel) or "file")
        _link_or_copy(ctx.host_path(rel), str(target), os.stat(ctx.host_path(rel)), copy)
        return target
    prefix = rel + "/" if rel else ""
    for e in ctx.children(rel):
        host = ctx.host_path(e.path)
        _link_or_copy(host, str(dest / e.path[len(prefix):]), os.lstat(host), copy)
    return dest


def _materialize_layered(fs: LayeredFS, path: str, dest: Path, copy: bool) -> Path:
    canon = fs.resolve(path)
    dest.mkdir(parents=True)
    entry = fs.entry(canon)
    if entry is not None and not stat.S_ISDIR(entry[1].st_mode):
        target = dest / (posixpath.basename(canon) or "file")
        _link_or_copy(entry[0], str(target), entry[1], copy)
        return target
    for child, st, host in fs.walk(canon):
        rel = child[len(canon.rstrip("/")) + 1:] if child != canon else ""
        if rel:
            _link_or_copy(host, str(dest / rel), st, copy)
    return dest

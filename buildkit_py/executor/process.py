"""The process's environment and executable, as docker and runc settle them (pure functions)."""
from __future__ import annotations

import os
import stat

from buildkit_py.executor import ExecError
from buildkit_py.executor.spec import DEFAULT_PATH, ProcessSpec


def build_env(spec: ProcessSpec, home: str) -> list[str]:
    """spec.env then the secrets, later values replacing earlier ones; PATH and HOME filled in when absent."""
    merged: dict[str, str] = {}
    for item in (*spec.env, *spec.secret_env):
        key, sep, value = item.partition("=")
        if key:
            merged[key] = value if sep else ""
    merged.setdefault("PATH", DEFAULT_PATH)
    merged.setdefault("HOME", home)
    return [f"{k}={v}" for k, v in merged.items()]


def env_value(env: list[str], key: str) -> str | None:
    for item in env:
        k, _, v = item.partition("=")
        if k == key:
            return v
    return None


def _executable(path: str) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and os.access(path, os.X_OK)


def lookup_executable(name: str, path_env: str | None) -> str:
    """argv[0] as exec will find it: through $PATH when it has no slash (as Go's exec.LookPath)."""
    if not name:
        raise ExecError('exec: "": executable file not found in $PATH')
    if "/" in name:
        try:
            os.stat(name)
        except OSError as e:
            raise ExecError(f'exec: "{name}": stat {name}: {e.strerror.lower()}') from None
        return name
    for d in (path_env if path_env is not None else DEFAULT_PATH).split(":"):
        candidate = os.path.join(d or ".", name)
        if _executable(candidate):
            return candidate
    raise ExecError(f'exec: "{name}": executable file not found in $PATH')

"""`--change 'CMD ["sh"]'`: the Dockerfile instructions `docker import` applies to a config. Pure."""
from __future__ import annotations

import json
import shlex
from typing import Any

from ..store.errors import InvalidInput

SUPPORTED = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "STOPSIGNAL", "USER",
             "VOLUME", "WORKDIR")


def _bad(change: str, why: str) -> InvalidInput:
    return InvalidInput(f"--change {change!r}: {why}",
                        hint="supported instructions: " + ", ".join(SUPPORTED))


def _exec_or_shell(change: str, rest: str) -> list[str]:
    if rest.startswith("["):
        try:
            value = json.loads(rest)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    return ["/bin/sh", "-c", rest]


def _pairs(change: str, rest: str) -> list[tuple[str, str]]:
    try:
        words = shlex.split(rest)
    except ValueError as err:
        raise _bad(change, str(err)) from None
    if words and "=" not in words[0]:  # legacy form: `ENV KEY value with spaces`
        key, _, value = rest.strip().partition(" ")
        if not value.strip():
            raise _bad(change, f"expected KEY=VALUE or KEY VALUE, got {rest!r}")
        return [(key, value.strip())]
    out = []
    for w in words:
        key, eq, value = w.partition("=")
        if not eq or not key:
            raise _bad(change, f"expected KEY=VALUE, got {w!r}")
        out.append((key, value))
    return out


def apply_changes(changes: list[str], config: dict[str, Any]) -> dict[str, Any]:
    """A copy of a container config (docker's JSON keys) with the instructions applied in order."""
    cfg = json.loads(json.dumps(config))
    for change in changes:
        word, _, rest = change.strip().partition(" ")
        instr, rest = word.upper(), rest.strip()
        if instr not in SUPPORTED:
            raise _bad(change, f"unknown or unsupported instruction {word!r}")
        if not rest:
            raise _bad(change, f"{instr} needs an argument")
        if instr in ("CMD", "ENTRYPOINT"):
            cfg["Cmd" if instr == "CMD" else "Entrypoint"] = _exec_or_shell(change, rest)
        elif instr == "ENV":
            env = [e for e in cfg.get("Env") or []]
            for key, value in _pairs(change, rest):
                env = [e for e in env if e.partition("=")[0] != key] + [f"{key}={value}"]
            cfg["Env"] = env
        elif instr == "LABEL":
            labels = dict(cfg.get("Labels") or {})
            labels.update(_pairs(change, rest))
            cfg["Labels"] = labels
        elif instr == "EXPOSE":
            ports = dict(cfg.get("ExposedPorts") or {})
            for p in rest.split():
                ports[p if "/" in p else f"{p}/tcp"] = {}
            cfg["ExposedPorts"] = ports
        elif instr == "VOLUME":
            vols = dict(cfg.get("Volumes") or {})
            paths = _exec_or_shell(change, rest) if rest.startswith("[") else rest.split()
            if paths[:2] == ["/bin/sh", "-c"]:
                raise _bad(change, "VOLUME takes a JSON list of strings or paths separated by spaces")
            vols.update({p: {} for p in paths})
            cfg["Volumes"] = vols
        elif instr == "ONBUILD":
            cfg["OnBuild"] = [*(cfg.get("OnBuild") or []), rest]
        else:
            cfg[{"USER": "User", "WORKDIR": "WorkingDir", "STOPSIGNAL": "StopSignal"}[instr]] = rest
    return cfg

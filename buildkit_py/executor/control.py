"""The control pipe from the sandbox's children to the parent: one JSON object per line.

Two children write to it (A the pid of the sandbox, B the mount points it created or its
error), so every message is kept under PIPE_BUF, where the kernel writes it in one piece.
"""
from __future__ import annotations

import json
import os
from typing import Any, NoReturn

from buildkit_py.executor import ExecError

PIPE_BUF = 4096
SETUP_FAILED = 125  # a child's exit status when it reported an error instead of exec'ing


class Channel:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, **msg: Any) -> None:
        data = (json.dumps(msg) + "\n").encode()
        if len(data) > PIPE_BUF:
            raise ExecError("sandbox message too long (a mount point path over 4000 bytes?)")
        os.write(self.fd, data)

    def close(self) -> None:
        os.close(self.fd)


def fail(chan: Channel, exc: BaseException, step: str) -> NoReturn:
    """Report why the sandbox could not start, then exit (from a forked child: no cleanup handlers)."""
    try:
        if isinstance(exc, ExecError):
            message, hint = exc.message, exc.hint
        elif isinstance(exc, OSError):
            message = f"{step}: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
            hint = "the builtin sandbox needs root" if isinstance(exc, PermissionError) else None
        else:
            message, hint = f"{step}: {type(exc).__name__}: {exc}", None
        chan.send(error=message[:3000], hint=hint)
    finally:
        os._exit(SETUP_FAILED)


def parse(data: bytes) -> list[dict[str, Any]]:
    out = []
    for line in data.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if isinstance(msg, dict):
            out.append(msg)
    return out

"""What to run in the sandbox: the process and its extra mounts (plain data, no I/O)."""
from __future__ import annotations

from ..records import dataclass

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEFAULT_HOSTNAME = "buildkitsandbox"


@dataclass(frozen=True)
class MountSpec:
    """An extra mount inside the container: a host path bound in, or a fresh tmpfs.

    options: for tmpfs, its data options ("size=64m", "mode=1777") and flags ("nosuid", "noexec");
    for bind, the flags "nosuid", "nodev", "noexec"; other bind options (e.g. "mode=0400") are
    hints for the caller and are ignored here: a bind mount shows the source's own mode and owner.
    """

    target: str
    type: str  # "bind" | "tmpfs"
    source: str | None = None
    readonly: bool = False
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcessSpec:
    """The process of one RUN step.

    user: "" (the default: root, never an error), "name", "uid", "name:group", "uid:gid", resolved
    through the root filesystem's /etc/passwd and /etc/group as docker does.
    network: "default" and "host" share the host's network; "none" gets a new one with only lo.
    """

    args: tuple[str, ...]
    env: tuple[str, ...]
    cwd: str = "/"
    user: str = "root"
    hostname: str = DEFAULT_HOSTNAME
    network: str = "default"
    mounts: tuple[MountSpec, ...] = ()
    secret_env: tuple[str, ...] = ()  # added to the env, never logged or written to disk

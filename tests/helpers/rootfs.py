"""Root filesystem tarballs for tests: a busybox base image built from Debian's busybox-static.

    from tests.helpers.rootfs import busybox_rootfs_tar
    tar = busybox_rootfs_tar(tmp_path / "busybox.tar")     # then `pybuild import tar busybox`
"""
from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

BUSYBOX = "/bin/busybox"
# A fixed time for every entry, so the tarball (and every image made from it) is reproducible.
MTIME = 1_700_000_000

PASSWD = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
GROUP = b"root:x:0:\nnogroup:x:65534:\n"


def busybox_path() -> str | None:
    """The static busybox binary, or None when the busybox-static package is missing."""
    path = shutil.which("busybox") or (BUSYBOX if os.path.exists(BUSYBOX) else None)
    if path is None:
        return None
    out = subprocess.run([path], capture_output=True, text=True)
    return path if "BusyBox" in (out.stdout + out.stderr) else None


def applets(busybox: str) -> list[str]:
    out = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout
    return sorted({a.strip() for a in out.split() if a.strip() and "/" not in a and a != "busybox"})


def _entry(name: str, kind: bytes, mode: int, size: int = 0, link: str = "") -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.size, ti.mtime, ti.linkname = kind, mode, size, MTIME, link
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    return ti


def busybox_rootfs_tar(dest: Path, *, compress: str | None = None, extra: dict[str, bytes] | None = None) -> Path:
    """Write a busybox root filesystem tarball to `dest` (plain, or compress="gzip"); returns dest.

    Contents: /bin/busybox, a symlink /bin/<applet> -> busybox per applet, /etc/passwd,
    /etc/group, /tmp (1777), /root, and any `extra` files (path -> bytes).
    """
    busybox = busybox_path()
    if busybox is None:
        raise RuntimeError("busybox-static is not installed (scripts/setup.sh installs it)")
    data = Path(busybox).read_bytes()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d, mode in (("bin", 0o755), ("etc", 0o755), ("root", 0o700), ("tmp", 0o1777)):
            tar.addfile(_entry(d + "/", tarfile.DIRTYPE, mode))
        tar.addfile(_entry("bin/busybox", tarfile.REGTYPE, 0o755, len(data)), io.BytesIO(data))
        for a in applets(busybox):
            tar.addfile(_entry(f"bin/{a}", tarfile.SYMTYPE, 0o777, link="busybox"))
        for name, content in (("etc/passwd", PASSWD), ("etc/group", GROUP), *sorted((extra or {}).items())):
            tar.addfile(_entry(name, tarfile.REGTYPE, 0o644, len(content)), io.BytesIO(content))
    raw = buf.getvalue()
    dest.write_bytes(gzip.compress(raw, mtime=0) if compress == "gzip" else raw)
    return dest

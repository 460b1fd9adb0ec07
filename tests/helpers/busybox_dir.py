"""A busybox root filesystem as a plain directory (a ready overlay lower dir), from Debian's busybox-static.

    from tests.helpers.busybox_dir import make_busybox_rootfs
    root = make_busybox_rootfs(tmp_path / "rootfs")
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.helpers.rootfs import applets, busybox_path

PASSWD = (
    "root:x:0:0:root:/root:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
    "app:x:1000:1000:app:/home/app:/bin/sh\n"
)
GROUP = "root:x:0:\nwheel:x:10:app\nstaff:x:50:other,app\nnogroup:x:65534:\napp:x:1000:\n"


def make_busybox_rootfs(dest: Path) -> Path:
    """Fill `dest` with /bin/busybox, a /bin symlink per applet, /etc/passwd and /etc/group
    (root, nobody, app uid 1000 in groups wheel and staff), /root, /home/app and /tmp (1777)."""
    busybox = busybox_path()
    if busybox is None:
        raise RuntimeError("busybox-static is not installed (scripts/setup.sh installs it)")
    for d, mode in (("bin", 0o755), ("etc", 0o755), ("root", 0o700), ("tmp", 0o1777), ("home", 0o755)):
        (dest / d).mkdir(parents=True, exist_ok=True)
        os.chmod(dest / d, mode)
    shutil.copy2(busybox, dest / "bin" / "busybox")
    for a in applets(busybox):
        (dest / "bin" / a).symlink_to("busybox")
    (dest / "etc" / "passwd").write_text(PASSWD)
    (dest / "etc" / "group").write_text(GROUP)
    (dest / "home" / "app").mkdir()
    os.chown(dest / "home" / "app", 1000, 1000)
    return dest

"""Sample trees with every kind of entry, and a manifest of a tree to compare two of them."""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

# A capability set (cap_net_bind_service+ep) in the on-disk vfs_cap_data v2 form.
CAPABILITY = bytes.fromhex("0100000200040000000000000000000000000000")
LONG = "long-" + "n" * 120  # over the 100 bytes a ustar name field holds
T_OLD, T_NEW = 1_000_000_000, 1_900_000_000  # 2001 and 2030: either side of any test epoch


def _touch(path: Path, t: int) -> None:
    os.utime(path, (t, t), follow_symlinks=False)


def make_sample_tree(root: Path) -> Path:
    """Files (setuid, setgid, empty, multi-MiB, long and non-ASCII names), directories (sticky,
    private), symlinks (relative, absolute, dangling, long target), three hardlinked names, a
    fifo, char and block devices, xattrs including security.capability, numeric owners."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "bin").mkdir(mode=0o755)
    (root / "bin" / "ping").write_bytes(b"\x7fELF ping")
    os.chmod(root / "bin" / "ping", 0o4755)
    os.setxattr(root / "bin" / "ping", "security.capability", CAPABILITY)
    (root / "bin" / "wall").write_bytes(b"wall")
    os.chmod(root / "bin" / "wall", 0o2755)
    os.chown(root / "bin" / "wall", 0, 5)
    (root / "tmp").mkdir()
    os.chmod(root / "tmp", 0o1777)
    (root / "home" / "user" / LONG).mkdir(parents=True)
    os.chown(root / "home" / "user", 1234, 5678)
    os.chmod(root / "home" / "user", 0o700)
    deep = root / "home" / "user" / LONG / ("file-" + "f" * 110 + ".txt")
    deep.write_text("deep\n")
    (root / "data").mkdir()
    (root / "data" / "empty").write_bytes(b"")
    big = os.urandom(1 << 16) * 40 + os.urandom(12345)  # ~2.6 MiB: crosses chunk boundaries
    (root / "data" / "big.bin").write_bytes(big)
    (root / "data" / "héllo wörld ☃.txt").write_text("unicode\n")
    (root / "data" / os.fsdecode(b"raw-\xff\xfe")).write_bytes(b"not utf-8 name")
    (root / "data" / "attrs").write_text("x")
    os.setxattr(root / "data" / "attrs", "user.note", b"hello")
    os.setxattr(root / "data" / "attrs", "trusted.bin", bytes(range(256)))
    (root / "data" / "link-a").write_text("shared inode\n")
    os.link(root / "data" / "link-a", root / "data" / "link-b")
    os.link(root / "data" / "link-a", root / "bin" / "link-c")
    os.symlink("../bin/ping", root / "data" / "rel-link")
    os.symlink("/etc/hostname", root / "data" / "abs-link")
    os.symlink("nowhere/at/all", root / "data" / "dangling")
    os.symlink("t" * 150, root / "data" / "long-target")
    (root / "dev").mkdir()
    os.mkfifo(root / "dev" / "fifo", 0o620)
    os.mknod(root / "dev" / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(root / "dev" / "loop9", 0o660 | stat.S_IFBLK, os.makedev(7, 9))
    os.chown(root / "dev" / "loop9", 0, 6)
    os.chown(root / "data" / "rel-link", 42, 43, follow_symlinks=False)
    # Times: some before and some after any epoch a test clamps to; directories last.
    for i, p in enumerate(sorted(root.rglob("*"), key=lambda p: -len(p.parts))):
        _touch(p, T_NEW if i % 2 else T_OLD + i)
    return root


def tree_manifest(root: Path, *, clamp: int | None = None) -> dict[str, tuple]:
    """Every path under `root` (not `root` itself) with what a layer must keep: type, mode,
    owner, mtime (clamped like a layer with SOURCE_DATE_EPOCH `clamp`), size and content hash,
    link target, device numbers, kept xattrs, and which names share an inode."""
    out: dict[str, tuple] = {}
    inodes: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            mtime = int(st.st_mtime)
            if clamp is not None:
                mtime = min(mtime, clamp)
            content: object = None
            if stat.S_ISREG(st.st_mode):
                content = hashlib.sha256(Path(p).read_bytes()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(p)
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                content = (os.major(st.st_rdev), os.minor(st.st_rdev))
            xattrs = {}
            if not stat.S_ISLNK(st.st_mode):
                xattrs = {k: os.getxattr(p, k) for k in sorted(os.listxattr(p))
                          if not k.startswith("security.selinux")}
            if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:
                inodes[rel] = (st.st_dev, st.st_ino)
            out[rel] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid,
                        mtime, content, tuple(xattrs.items()), None)
    # Names of one inode, as a set both trees can agree on: the smallest name stands for it.
    leaders: dict[tuple[int, int], str] = {}
    for rel, ino in inodes.items():
        leaders[ino] = min(leaders.get(ino, rel), rel)
    for rel, ino in inodes.items():
        out[rel] = out[rel][:-1] + (leaders[ino],)
    return dict(sorted(out.items()))


def diff_manifests(a: dict[str, tuple], b: dict[str, tuple]) -> list[str]:
    """Readable differences, empty when the trees match."""
    lines = [f"only in first: {k}" for k in sorted(a.keys() - b.keys())]
    lines += [f"only in second: {k}" for k in sorted(b.keys() - a.keys())]
    fields = ("type", "mode", "uid", "gid", "mtime", "content", "xattrs", "hardlink")
    for k in sorted(a.keys() & b.keys()):
        for f, x, y in zip(fields, a[k], b[k]):
            if x != y:
                lines.append(f"{k}: {f} {x!r} != {y!r}")
    return lines

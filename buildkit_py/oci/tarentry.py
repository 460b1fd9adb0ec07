"""Tar entries as layers want them: clean relative names, a fixed order, normalized metadata.

Headers are built by stdlib `tarfile` in PAX format; this module decides what goes into them so
that the same tree always gives the same bytes.
"""
from __future__ import annotations

import os
import stat
import tarfile
from collections.abc import Mapping

from buildkit_py.oci.layerbase import LayerError, block_sum

END_OF_ARCHIVE = b"\0" * 1024  # two zero blocks, as Go's archive/tar ends an archive
WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
_XATTR = "SCHILY.xattr."
_LIBARCHIVE_XATTR = "LIBARCHIVE.xattr."
_FILE_TYPES = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE)


def clean_name(name: str, what: str = "entry") -> str:
    """A layer path relative to the root ("" for the root itself); LayerError if it could leave it."""
    if name and "/." not in name and "//" not in name and name[0] not in "./" and name[-1] != "/":
        return name  # already clean: no empty, "." or ".." component (the usual case)
    if name.startswith("/"):
        raise LayerError(f"{what} {name!r}: absolute path in a layer",
                         hint="layer entries are relative to the root filesystem")
    parts = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            raise LayerError(f"{what} {name!r}: path contains '..'",
                             hint="an entry must not point outside the root filesystem")
        parts.append(part)
    return "/".join(parts)


def sort_key(name: str) -> list[bytes]:
    """Depth-first order with names compared as bytes, as Go's filepath.Walk visits a tree."""
    return name.encode("utf-8", "surrogateescape").split(b"/")


def is_regular(ti: tarfile.TarInfo) -> bool:
    return ti.type in _FILE_TYPES


def keep_xattr(name: str) -> bool:
    """Xattrs that belong in a layer: file capabilities, user.* and trusted.*, minus overlayfs'
    own bookkeeping. security.selinux and friends describe the host, not the image."""
    if name.startswith(("trusted.overlay.", "user.overlay.")):
        return False
    return name == "security.capability" or name.startswith(("user.", "trusted."))


def xattrs_of(ti: tarfile.TarInfo) -> dict[str, bytes]:
    """The xattrs an entry carries (SCHILY.xattr.* records, or libarchive's base64 form)."""
    out: dict[str, bytes] = {}
    for key, value in ti.pax_headers.items():
        if key.startswith(_XATTR):
            out[key[len(_XATTR):]] = value.encode("utf-8", "surrogateescape")
        elif key.startswith(_LIBARCHIVE_XATTR):
            import base64
            from urllib.parse import unquote

            out[unquote(key[len(_LIBARCHIVE_XATTR):])] = base64.b64decode(value + "==")
    return out


def xattr_records(xattrs: Mapping[str, bytes]) -> dict[str, str]:
    return {_XATTR + k: xattrs[k].decode("utf-8", "surrogateescape") for k in sorted(xattrs)}


def clamp(mtime: float, source_date_epoch: int | None) -> int:
    t = int(mtime // 1)
    return t if source_date_epoch is None or t <= source_date_epoch else source_date_epoch


def normalize(ti: tarfile.TarInfo, source_date_epoch: int | None, what: str = "entry") -> tarfile.TarInfo:
    """A copy of `ti` with only what a layer records: numeric owners, whole-second mtimes
    (clamped), permission bits, xattrs; no user/group names, atimes or other PAX records."""
    out = tarfile.TarInfo(clean_name(ti.name, what))
    out.type = tarfile.REGTYPE if ti.type in _FILE_TYPES else ti.type
    out.mode = ti.mode & 0o7777
    out.uid, out.gid = int(ti.uid), int(ti.gid)
    out.mtime = clamp(ti.mtime, source_date_epoch)
    out.size = ti.size if out.type == tarfile.REGTYPE else 0
    if ti.type in (tarfile.SYMTYPE, tarfile.LNKTYPE):
        out.linkname = ti.linkname if ti.type == tarfile.SYMTYPE else clean_name(ti.linkname, "link")
    if ti.type in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        out.devmajor, out.devminor = ti.devmajor, ti.devminor
    out.pax_headers = xattr_records({k: v for k, v in xattrs_of(ti).items() if keep_xattr(k)})
    return out


def from_stat(name: str, st: os.stat_result, xattrs: Mapping[str, bytes],
              source_date_epoch: int | None) -> tarfile.TarInfo:
    """A normalized entry for a file as lstat sees it (content size included for files)."""
    ti = tarfile.TarInfo(name)
    mode = st.st_mode
    ti.mode = mode & 0o7777
    ti.uid, ti.gid = st.st_uid, st.st_gid
    ti.mtime = clamp(st.st_mtime_ns // 1_000_000_000, source_date_epoch)
    if stat.S_ISREG(mode):
        ti.size = st.st_size
    elif stat.S_ISDIR(mode):
        ti.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(mode):
        ti.type = tarfile.SYMTYPE
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        ti.type = tarfile.CHRTYPE if stat.S_ISCHR(mode) else tarfile.BLKTYPE
        ti.devmajor, ti.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    elif stat.S_ISFIFO(mode):
        ti.type = tarfile.FIFOTYPE
    else:
        raise LayerError(f"entry {name!r}: a socket or unknown file type cannot go in a layer")
    if xattrs:
        ti.pax_headers = xattr_records(xattrs)
    return ti


def link_entry(ti: tarfile.TarInfo, name: str, target: str) -> tarfile.TarInfo:
    """A hardlink entry `name` -> `target` with the inode's metadata (no xattrs: they are the inode's)."""
    out = tarfile.TarInfo(name)
    out.type = tarfile.LNKTYPE
    out.mode, out.uid, out.gid, out.mtime = ti.mode, ti.uid, ti.gid, ti.mtime
    out.linkname = target
    return out


def marker_entry(name: str, mtime: int) -> tarfile.TarInfo:
    """An empty regular file used as a whiteout or opaque marker."""
    out = tarfile.TarInfo(name)
    out.mode = 0
    out.mtime = mtime
    return out


_NUL16 = b"\0" * 16
_OWNER_NAMES_AND_PREFIX = b"\0" * (32 + 32)
_PREFIX = b"\0" * 155
_MAX7, _MAX11 = 8**7, 8**11


def header(ti: tarfile.TarInfo) -> bytes:
    """The header block(s) of an entry: PAX records first when a name, link or xattr needs them.

    Entries that need no PAX record (most of them) take a direct path that builds the very
    bytes `tarfile` would, ten times faster; everything else goes through `tarfile`.
    """
    name = ti.name + "/" if ti.type == tarfile.DIRTYPE and not ti.name.endswith("/") else ti.name
    link = ti.linkname
    dev = ti.type in (tarfile.CHRTYPE, tarfile.BLKTYPE)
    if (ti.pax_headers or len(name) > 100 or len(link) > 100 or not name.isascii()
            or not link.isascii() or ti.uname or ti.gname
            or not (0 <= ti.uid < _MAX7 and 0 <= ti.gid < _MAX7 and 0 <= ti.size < _MAX11
                    and type(ti.mtime) is int and 0 <= ti.mtime < _MAX11)
            or (dev and not (0 <= ti.devmajor < _MAX7 and 0 <= ti.devminor < _MAX7))):
        return ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
    block = b"".join((
        name.encode("ascii").ljust(100, b"\0"),
        b"%07o\0%07o\0%07o\0%011o\0%011o\0        " % (ti.mode & 0o7777, ti.uid, ti.gid,
                                                          ti.size, ti.mtime),
        ti.type,
        link.encode("ascii").ljust(100, b"\0"),
        tarfile.POSIX_MAGIC,
        _OWNER_NAMES_AND_PREFIX,
        b"%07o\0%07o\0" % (ti.devmajor, ti.devminor) if dev else _NUL16,
        _PREFIX,
    )).ljust(512, b"\0")
    return block[:148] + b"%06o\0" % block_sum(block) + block[155:]


def padding(size: int) -> bytes:
    return b"\0" * (-size % 512)

"""Hostile layers: each fails with a LayerError naming the entry and leaves nothing outside the root."""
from __future__ import annotations

import gzip
import io
import os
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from buildkit_py.oci.layer import LayerError, apply_layer


def entry(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", **kw) -> tuple:
    return (name, kind, data, kw)


def make_tar(*entries: tuple, compress: Callable[[bytes], bytes] = lambda b: b) -> bytes:
    """A raw tar with exactly these entries, names untouched (tarfile normalizes nothing)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, data, kw in entries:
            ti = tarfile.TarInfo(name)
            ti.type = kind
            ti.size = len(data) if kind == tarfile.REGTYPE else 0
            ti.mode = 0o644
            for k, v in kw.items():
                setattr(ti, k, v)
            tar.addfile(ti, io.BytesIO(data) if ti.size else None)
    return compress(buf.getvalue())


class Scene:
    """A root to apply into and, beside it, a sentinel directory that must never change."""

    def __init__(self, base: Path) -> None:
        self.root = base / "root"
        self.root.mkdir()
        self.outside = base / "outside"
        self.outside.mkdir()
        (self.outside / "victim").write_text("precious\n")
        self.before = self.snapshot()

    def snapshot(self) -> list[tuple[str, int, int, bytes | None]]:
        out = []
        for p in sorted(self.outside.parent.glob("outside/**/*")) + [self.outside]:
            st = os.lstat(p)
            out.append((str(p), st.st_mode, st.st_nlink,
                        p.read_bytes() if stat.S_ISREG(st.st_mode) else None))
        return out

    def apply_fails(self, blob: bytes, *words: str, **kw) -> LayerError:
        with pytest.raises(LayerError) as err:
            apply_layer(io.BytesIO(blob), self.root, **kw)
        message = str(err.value)
        for w in words:
            assert w in message, message
        assert self.snapshot() == self.before, "something outside the root changed"
        return err.value


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    return Scene(tmp_path)


def test_dotdot_in_a_name(scene: Scene) -> None:
    scene.apply_fails(make_tar(entry("../outside/victim", data=b"pwned")), "'../outside/victim'", "..")


def test_dotdot_in_the_middle_of_a_name(scene: Scene) -> None:
    scene.apply_fails(make_tar(entry("a/../../outside/x", data=b"x")), "a/../../outside/x")


def test_absolute_name(scene: Scene) -> None:
    target = str(scene.outside / "new")
    scene.apply_fails(make_tar(entry(target, data=b"x")), repr(target), "absolute")


def test_write_through_a_symlink_to_an_absolute_host_path(scene: Scene) -> None:
    blob = make_tar(entry("a", tarfile.SYMTYPE, linkname=str(scene.outside)),
                    entry("a/file", data=b"pwned"))
    scene.apply_fails(blob, "'a/file'", "symlink")
    assert os.readlink(scene.root / "a") == str(scene.outside)  # the link itself is harmless


def test_absolute_symlinks_resolve_inside_the_root(scene: Scene) -> None:
    # Same layer, but the link target exists inside the root: the write lands there, as in a chroot.
    inner = scene.root / scene.outside.relative_to("/")
    inner.mkdir(parents=True)
    blob = make_tar(entry("a", tarfile.SYMTYPE, linkname=str(scene.outside)),
                    entry("a/file", data=b"contained"))
    apply_layer(io.BytesIO(blob), scene.root)
    assert (inner / "file").read_bytes() == b"contained"
    assert scene.snapshot() == scene.before


def test_symlink_already_in_the_root_pointing_outside(scene: Scene) -> None:
    os.symlink(scene.outside, scene.root / "lower-link")  # left by a lower layer
    scene.apply_fails(make_tar(entry("lower-link/victim", data=b"pwned")), "'lower-link/victim'")


def test_symlink_to_dotdot(scene: Scene) -> None:
    blob = make_tar(entry("up", tarfile.SYMTYPE, linkname=".."), entry("up/outside/victim", data=b"x"))
    scene.apply_fails(blob, "'up/outside/victim'", "above the root")


def test_nested_symlink_climbing_out(scene: Scene) -> None:
    blob = make_tar(entry("d", tarfile.DIRTYPE, mode=0o755),
                    entry("d/up", tarfile.SYMTYPE, linkname="../../outside"),
                    entry("d/up/victim", data=b"x"))
    scene.apply_fails(blob, "'d/up/victim'", "above the root")


def test_symlink_loop(scene: Scene) -> None:
    blob = make_tar(entry("a", tarfile.SYMTYPE, linkname="b"), entry("b", tarfile.SYMTYPE, linkname="a"),
                    entry("a/x", data=b"x"))
    scene.apply_fails(blob, "'a/x'", "symlinks")


def test_replacing_a_symlink_does_not_touch_its_target(scene: Scene) -> None:
    blob = make_tar(entry("a", tarfile.SYMTYPE, linkname=str(scene.outside / "victim")),
                    entry("a", data=b"file now"))
    apply_layer(io.BytesIO(blob), scene.root)
    assert (scene.root / "a").read_bytes() == b"file now"
    assert scene.snapshot() == scene.before


def test_hardlink_to_outside(scene: Scene) -> None:
    blob = make_tar(entry("h", tarfile.LNKTYPE, linkname="../outside/victim"))
    scene.apply_fails(blob, "'h'", "..")


def test_hardlink_to_etc_passwd(scene: Scene) -> None:
    links = os.stat("/etc/passwd").st_nlink
    scene.apply_fails(make_tar(entry("h", tarfile.LNKTYPE, linkname="/etc/passwd")), "'h'", "absolute")
    blob = make_tar(entry("etc", tarfile.SYMTYPE, linkname="/etc"),
                    entry("h", tarfile.LNKTYPE, linkname="etc/passwd"))
    scene.apply_fails(blob, "'h'")
    assert os.stat("/etc/passwd").st_nlink == links


def test_hardlink_through_a_symlink_to_outside(scene: Scene) -> None:
    os.symlink(scene.outside, scene.root / "out")
    scene.apply_fails(make_tar(entry("h", tarfile.LNKTYPE, linkname="out/victim")), "'h'")


@pytest.mark.parametrize("overlay", [False, True])
@pytest.mark.parametrize("name", [".wh...", "d/.wh...", ".wh..", ".wh."])
def test_whiteout_of_dotdot_or_nothing(scene: Scene, name: str, overlay: bool) -> None:
    (scene.root / "d").mkdir()
    scene.apply_fails(make_tar(entry(name)), repr(name), "whiteout", overlay_whiteouts=overlay)
    assert (scene.root / "d").is_dir()


@pytest.mark.parametrize("overlay", [False, True])
def test_whiteout_through_a_symlink_to_outside(scene: Scene, overlay: bool) -> None:
    os.symlink(scene.outside, scene.root / "out")
    scene.apply_fails(make_tar(entry("out/.wh.victim")), "'out/.wh.victim'",
                      overlay_whiteouts=overlay)


@pytest.mark.parametrize("overlay", [False, True])
def test_opaque_marker_through_a_symlink_to_outside(scene: Scene, overlay: bool) -> None:
    os.symlink(scene.outside, scene.root / "out")
    scene.apply_fails(make_tar(entry("out/.wh..wh..opq")), "'out/.wh..wh..opq'",
                      overlay_whiteouts=overlay)
    assert "trusted.overlay.opaque" not in os.listxattr(scene.outside)


def test_gzip_bomb_stops_at_the_size_limit(scene: Scene) -> None:
    zeros = io.BytesIO()
    with gzip.GzipFile(fileobj=zeros, mode="wb", mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            ti = tarfile.TarInfo("bomb")
            ti.size = 200 << 20
            tar.addfile(ti, io.BytesIO(bytes(200 << 20)))
    blob = zeros.getvalue()
    assert len(blob) < 1 << 20  # 200 MiB of zeros in a few hundred KiB
    scene.apply_fails(blob, "more than 10485760 bytes", "decompression bomb", max_size=10 << 20)


def test_zstd_bomb_stops_at_the_size_limit(scene: Scene) -> None:
    import zstandard

    blob = zstandard.ZstdCompressor().compress(make_tar(entry("bomb", data=bytes(64 << 20))))
    scene.apply_fails(blob, "more than 1048576 bytes", max_size=1 << 20)


def test_truncated_and_corrupt_streams(scene: Scene) -> None:
    good = make_tar(entry("f", data=b"x" * 10000), compress=gzip.compress)
    scene.apply_fails(good[: len(good) // 2], "truncated")
    scene.apply_fails(good[:20] + b"\0garbage" * 10 + good[100:], "gzip")
    scene.apply_fails(b"\x01" * 1024, "not a valid tar stream")


def test_hardlink_to_a_directory(scene: Scene) -> None:
    blob = make_tar(entry("d", tarfile.DIRTYPE), entry("h", tarfile.LNKTYPE, linkname="d"))
    scene.apply_fails(blob, "'h'", "directory")


@pytest.fixture
def open_scene() -> Iterator[Scene]:
    """A Scene that an unprivileged user can reach (pytest's own tmp dirs are private to root)."""
    base = Path(tempfile.mkdtemp(prefix="pybuild-oci-"))
    os.chmod(base, 0o755)
    try:
        yield Scene(base)
    finally:
        shutil.rmtree(base)


def test_device_nodes_need_root(open_scene: Scene) -> None:
    """In a child that drops to uid 65534, a device entry fails clearly; a fifo still works."""
    scene = open_scene
    blob = make_tar(entry("fifo", tarfile.FIFOTYPE), entry("null", tarfile.CHRTYPE, devmajor=1, devminor=3))
    os.chown(scene.root, 65534, 65534)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report the outcome through the pipe, never return into pytest
        code = 1
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            try:
                apply_layer(io.BytesIO(blob), scene.root)
                msg = "no error"
            except LayerError as exc:
                msg = "LayerError: " + str(exc)
            os.write(write, msg.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        msg = f.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert msg.startswith("LayerError:") and "'null'" in msg and "root" in msg, msg
    assert stat.S_ISFIFO(os.lstat(scene.root / "fifo").st_mode)
    assert not (scene.root / "null").exists()
    assert scene.snapshot() == scene.before


def test_unprivileged_apply_keeps_caller_as_owner(scene: Scene) -> None:
    blob = make_tar(entry("f", data=b"x", uid=1234, gid=99, mode=0o4750))
    apply_layer(io.BytesIO(blob), scene.root, same_owner=False)
    st = os.lstat(scene.root / "f")
    assert (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid())
    assert stat.S_IMODE(st.st_mode) == 0o4750
    apply_layer(io.BytesIO(blob), scene.root, same_owner=True)
    st = os.lstat(scene.root / "f")
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1234, 99, 0o4750)


def test_wrong_diff_id_is_reported(scene: Scene) -> None:
    blob = make_tar(entry("f", data=b"x"))
    scene.apply_fails(blob, "diff_id", expected_diff_id="sha256:" + "0" * 64)


def test_root_must_exist(tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="cannot open the root"):
        apply_layer(io.BytesIO(make_tar(entry("f"))), tmp_path / "missing")


def test_directory_replaced_by_a_symlink_is_not_written_through(scene: Scene) -> None:
    # "a" is resolved (and remembered) as a directory, then becomes a link to the outside.
    blob = make_tar(entry("a", tarfile.DIRTYPE, mode=0o755), entry("a/f", data=b"ok"),
                    entry("a", tarfile.SYMTYPE, linkname=str(scene.outside)),
                    entry("a/victim", data=b"pwned"))
    scene.apply_fails(blob, "'a/victim'", "symlink")


def test_whiteout_of_a_directory_forgets_it(scene: Scene) -> None:
    blob = make_tar(entry("d", tarfile.DIRTYPE, mode=0o755), entry("d/f", data=b"x"),
                    entry(".wh.d"), entry("d", tarfile.SYMTYPE, linkname=str(scene.outside)),
                    entry("d/g", data=b"pwned"))
    scene.apply_fails(blob, "'d/g'")

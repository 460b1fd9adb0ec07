"""Writing layers: every entry type survives a round trip, and the bytes are deterministic."""
from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from buildkit_py.oci import mediatypes as mt
from buildkit_py.oci.layer import (
    LayerError, apply_layer, rewrite_tar_as_layer, write_layer_from_dir, write_layer_from_entries,
)
from tests.oci.conftest import require_tool
from tests.oci.treeutil import T_NEW, T_OLD, diff_manifests, make_sample_tree, tree_manifest

EPOCH = 1_500_000_000  # between T_OLD and T_NEW


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_tree(tmp_path_factory.mktemp("sample") / "tree")


def write(tree: Path, compression: str = "gzip", **kw) -> tuple[bytes, object]:
    buf = io.BytesIO()
    info = write_layer_from_dir(tree, buf, compression=compression, **kw)
    return buf.getvalue(), info


@pytest.mark.parametrize("compression", ["gzip", "zstd", "none"])
def test_round_trip_keeps_every_entry_type(sample: Path, tmp_path: Path, compression: str) -> None:
    blob, info = write(sample, compression)
    root = tmp_path / "root"
    root.mkdir()
    apply_layer(io.BytesIO(blob), root, expected_diff_id=info.diff_id)
    assert diff_manifests(tree_manifest(sample), tree_manifest(root)) == []


@pytest.mark.parametrize("compression", ["gzip", "zstd", "none"])
def test_layer_info_describes_the_bytes(sample: Path, compression: str) -> None:
    blob, info = write(sample, compression)
    assert info.digest == "sha256:" + hashlib.sha256(blob).hexdigest()
    assert info.size == len(blob)
    assert info.media_type == mt.layer_media_type(compression)
    raw = {"gzip": gzip.decompress, "none": lambda b: b,
           "zstd": lambda b: __import__("zstandard").ZstdDecompressor().decompressobj().decompress(b)}
    tar = raw[compression](blob)
    assert info.diff_id == "sha256:" + hashlib.sha256(tar).hexdigest()
    assert info.uncompressed_size == len(tar)
    if compression == "none":
        assert info.digest == info.diff_id


def test_same_tree_same_digests_whatever_the_inode_order(sample: Path, tmp_path: Path) -> None:
    # A copy made by another tool has other inode numbers and directory order.
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(sample), str(copy)], check=True)
    for compression in ("gzip", "zstd", "none"):
        a = write(sample, compression, source_date_epoch=EPOCH)[1]
        b = write(sample, compression, source_date_epoch=EPOCH)[1]
        c = write(copy, compression, source_date_epoch=EPOCH)[1]
        assert a == b == c
    gz, zs = write(sample, "gzip")[1], write(sample, "zstd")[1]
    assert gz.diff_id == zs.diff_id and gz.digest != zs.digest


def test_source_date_epoch_clamps_only_newer_mtimes(sample: Path) -> None:
    blob, _ = write(sample, "none", source_date_epoch=EPOCH)
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        mtimes = {m.name.rstrip("/"): m.mtime for m in tar}
    assert max(mtimes.values()) == EPOCH
    assert any(T_OLD <= t < EPOCH for t in mtimes.values())
    unclamped = write(sample, "none")[0]
    with tarfile.open(fileobj=io.BytesIO(unclamped)) as tar:
        assert max(m.mtime for m in tar) == T_NEW
    assert write(sample, source_date_epoch=EPOCH)[1] != write(sample)[1]


def test_headers_are_normalized_pax(sample: Path) -> None:
    blob, _ = write(sample, "none")
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names, key=lambda n: n.encode("utf-8", "surrogateescape").split(b"/"))
    assert all(m.uname == "" and m.gname == "" for m in members)
    by = {m.name: m for m in members}
    assert by["bin/ping"].mode == 0o4755
    assert by["bin/ping"].pax_headers["SCHILY.xattr.security.capability"].encode(
        "utf-8", "surrogateescape") == bytes.fromhex("0100000200040000000000000000000000000000")
    assert by["home/user"].uid == 1234 and by["home/user"].gid == 5678
    # Of the three hardlinked names the first in layer order carries the data.
    assert by["bin/link-c"].isreg() and by["bin/link-c"].size > 0
    assert by["data/link-a"].islnk() and by["data/link-a"].linkname == "bin/link-c"
    assert by["dev/null"].ischr() and (by["dev/null"].devmajor, by["dev/null"].devminor) == (1, 3)
    assert by["dev/fifo"].isfifo()
    assert not any("atime" in m.pax_headers or "ctime" in m.pax_headers for m in members)


def test_gzip_header_is_fixed_and_tools_read_the_streams(sample: Path, tmp_path: Path) -> None:
    blob, _ = write(sample, "gzip")
    assert blob[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # mtime 0, no name
    (tmp_path / "l.tgz").write_bytes(blob)
    (tmp_path / "l.zst").write_bytes(write(sample, "zstd")[0])
    subprocess.run(["gzip", "-t", str(tmp_path / "l.tgz")], check=True)
    subprocess.run([require_tool("zstd"), "-q", "-t", str(tmp_path / "l.zst")], check=True)


def test_gnu_tar_extracts_our_layer_to_the_same_tree(sample: Path, tmp_path: Path) -> None:
    (tmp_path / "l.tar").write_bytes(write(sample, "none")[0])
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run(["tar", "-x", "--xattrs", "--xattrs-include=*", "--same-owner", "-p",
                    "--numeric-owner", "-f", str(tmp_path / "l.tar"), "-C", str(out)], check=True)
    assert diff_manifests(tree_manifest(sample), tree_manifest(out)) == []


def test_tar_of_the_tree_imports_to_the_same_layer(sample: Path, tmp_path: Path) -> None:
    # GNU tar writes its own order, names, atimes and owners' names; the rewrite normalizes all.
    for flags, suffix in ((["-z"], "tgz"), (["--xz"], "txz"), (["--zstd"], "tzst"), (["-j"], "tbz")):
        tarball = tmp_path / f"rootfs.{suffix}"
        subprocess.run(["tar", "-c", *flags, "--format=posix", "--xattrs", "--xattrs-include=*",
                        "-f", str(tarball), "-C", str(sample), "."], check=True)
        with tarball.open("rb") as src:
            info = rewrite_tar_as_layer(src, io.BytesIO(), compression="zstd",
                                        source_date_epoch=EPOCH)
        assert info == write(sample, "zstd", source_date_epoch=EPOCH)[1], suffix


def test_rewrite_sorts_keeps_last_duplicate_and_relinks(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        def add(name: str, data: bytes | None = None, **kw) -> None:
            ti = tarfile.TarInfo(name)
            for k, v in kw.items():
                setattr(ti, k, v)
            ti.size = len(data) if data is not None else 0
            tar.addfile(ti, io.BytesIO(data) if data is not None else None)
        add("./z/", type=tarfile.DIRTYPE, mode=0o755)
        add("./z/file", b"first", uname="alice", mtime=5)
        add("./a-link", type=tarfile.LNKTYPE, linkname="./z/file")  # sorts before its target
        add("./z/file", b"second", mtime=6)                           # replaces the file
    out = io.BytesIO()
    rewrite_tar_as_layer(io.BytesIO(raw.getvalue()), out, compression="none")
    with tarfile.open(fileobj=io.BytesIO(out.getvalue())) as tar:
        got = [(m.name, m.type, m.linkname, tar.extractfile(m).read() if m.isreg() else None)
               for m in tar]
    # The link still names the first content; it now carries it, being first in order.
    assert got == [("a-link", tarfile.REGTYPE, "", b"first"), ("z", tarfile.DIRTYPE, "", None),
                   ("z/file", tarfile.REGTYPE, "", b"second")]


def test_entries_are_sorted_normalized_and_linked_in_order() -> None:
    def ti(name: str, **kw) -> tarfile.TarInfo:
        t = tarfile.TarInfo(name)
        for k, v in kw.items():
            setattr(t, k, v)
        return t

    entries = [
        (ti("app/z.txt", size=3, uname="root", mtime=T_NEW), b"zzz"),
        (ti("app/a-link", type=tarfile.LNKTYPE, linkname="app/z.txt"), None),
        (ti("./app", type=tarfile.DIRTYPE, mode=0o755), None),
        (ti("app/big", size=5_000_000), lambda: io.BytesIO(b"x" * 5_000_000)),
    ]
    out = io.BytesIO()
    info = write_layer_from_entries(entries, out, compression="none", source_date_epoch=EPOCH)
    with tarfile.open(fileobj=io.BytesIO(out.getvalue())) as tar:
        members = tar.getmembers()
        assert [(m.name, m.type) for m in members] == [
            ("app", tarfile.DIRTYPE), ("app/a-link", tarfile.REGTYPE),
            ("app/big", tarfile.REGTYPE), ("app/z.txt", tarfile.LNKTYPE)]
        assert tar.extractfile("app/a-link").read() == b"zzz"
    assert members[3].linkname == "app/a-link"
    assert members[1].mtime == EPOCH and members[1].uname == ""
    again = write_layer_from_entries(list(reversed(entries)), io.BytesIO(), compression="none",
                                     source_date_epoch=EPOCH)
    assert again == info


@pytest.mark.parametrize("entries, words", [
    ([(tarfile.TarInfo("../x"), b"")], "'..'"),
    ([(tarfile.TarInfo("/etc/x"), b"")], "absolute"),
    ([(tarfile.TarInfo("a"), b""), (tarfile.TarInfo("./a"), b"")], "given twice"),
])
def test_entries_refuse_bad_names(entries, words) -> None:
    with pytest.raises(LayerError) as err:
        write_layer_from_entries(entries, io.BytesIO())
    assert words in str(err.value)


def test_content_shorter_than_its_size_is_an_error() -> None:
    t = tarfile.TarInfo("f")
    t.size = 10
    with pytest.raises(LayerError, match="'f'.*shorter"):
        write_layer_from_entries([(t, lambda: io.BytesIO(b"abc"))], io.BytesIO())


def test_a_real_wh_file_cannot_be_written_as_a_whiteout_free_layer(tmp_path: Path) -> None:
    (tmp_path / ".wh.oops").write_text("")
    with pytest.raises(LayerError, match=r"\.wh\.oops"):
        write_layer_from_dir(tmp_path, io.BytesIO())
    info = write_layer_from_dir(tmp_path, io.BytesIO(), whiteouts=False)
    assert info.uncompressed_size > 0


def test_unknown_compression_is_refused(sample: Path) -> None:
    with pytest.raises(LayerError, match="brotli"):
        write_layer_from_dir(sample, io.BytesIO(), compression="brotli")


def test_copying_a_tree_elsewhere_then_applying_twice_is_idempotent(sample: Path, tmp_path: Path) -> None:
    blob, _ = write(sample, "zstd")
    root = tmp_path / "r"
    root.mkdir()
    apply_layer(io.BytesIO(blob), root)
    apply_layer(io.BytesIO(blob), root)  # every entry replaces what is there
    assert diff_manifests(tree_manifest(sample), tree_manifest(root)) == []
    shutil.rmtree(root)


def test_fast_headers_are_the_bytes_tarfile_writes(sample: Path) -> None:
    from buildkit_py.oci import tarentry as te

    blob, _ = write(sample, "none")
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        members = tar.getmembers()
    extra = []
    for kind in (tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE, tarfile.SYMTYPE,
                 tarfile.LNKTYPE, tarfile.DIRTYPE, tarfile.REGTYPE):
        for name in ("x", "d" * 99 + "/", "n" * 100, "n" * 101, "é"):
            ti = tarfile.TarInfo(name)
            ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = kind, 0o7777, 8**7 - 1, 0, 8**11 - 1
            ti.linkname = "l" * 100 if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
            ti.devmajor, ti.devminor = 259, 8**7 - 1
            extra.append(ti)
        big = tarfile.TarInfo("big-uid")
        big.uid, big.size, big.mtime = 8**7, 8**11, 8**11
        extra.append(big)
    assert len(members) > 20
    for ti in members + extra:
        ti.uname = ti.gname = ""
        assert te.header(ti) == ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"), ti.name


def test_a_missing_tree_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="directory .*nope.*No such file"):
        write_layer_from_dir(tmp_path / "nope", io.BytesIO())


def test_sockets_are_left_out(tmp_path: Path) -> None:
    import socket

    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock"))
        (tmp_path / "f").write_text("x")
        buf = io.BytesIO()
        write_layer_from_dir(tmp_path, buf, compression="none")
    with tarfile.open(fileobj=io.BytesIO(buf.getvalue())) as tar:
        assert tar.getnames() == ["f"]



class _DiskFull(io.RawIOBase):
    """An output that fills up after `room` bytes, as a full disk does."""

    def __init__(self, room: int) -> None:
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        if len(b) > self.room:
            raise OSError(28, "No space left on device")
        self.room -= len(b)
        return len(b)


@pytest.mark.parametrize("compression", ["gzip", "zstd", "none"])
def test_a_failing_output_stops_the_writer_and_its_thread(sample: Path, compression: str) -> None:
    import threading

    before = threading.active_count()
    with pytest.raises(OSError, match="No space left"):
        write_layer_from_dir(sample, _DiskFull(10_000), compression=compression)
    assert threading.active_count() == before


def test_a_failing_apply_leaves_no_thread_behind(tmp_path: Path) -> None:
    import threading

    big = io.BytesIO()
    write_layer_from_entries([(_sized("a", 50_000_000), lambda: io.BytesIO(bytes(50_000_000)))],
                             big, compression="zstd")
    before = threading.active_count()
    with pytest.raises(LayerError, match="more than"):
        apply_layer(io.BytesIO(big.getvalue()), tmp_path, max_size=5_000_000)
    assert threading.active_count() == before


def _sized(name: str, size: int) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.size = size
    return ti

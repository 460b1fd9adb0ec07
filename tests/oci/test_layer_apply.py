"""Applying layers over lower ones: whiteouts, opaque directories, replacement, links."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from buildkit_py.oci.layer import apply_layer, write_layer_from_dir
from tests.oci.test_layer_hostile import entry, make_tar
from tests.oci.treeutil import diff_manifests, tree_manifest


def lower(root: Path) -> Path:
    for d in ("etc", "keep", "gone/sub", "opq/sub"):
        (root / d).mkdir(parents=True, exist_ok=True)
    for f in ("etc/passwd", "keep/a", "gone/sub/f", "opq/old", "opq/sub/old2", "file-then-dir"):
        (root / f).write_text(f)
    (root / "dir-then-file").mkdir()
    (root / "dir-then-file" / "child").write_text("x")
    (root / "nest" / "dtf").mkdir(parents=True)
    (root / "nest" / "dtf" / "child").write_text("x")
    (root / "usr" / "lib").mkdir(parents=True)
    os.symlink("usr/lib", root / "lib")
    return root


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_whiteouts_opaque_dirs_and_replacements(tmp_path: Path) -> None:
    root = lower(tmp_path / "root")
    blob = make_tar(
        entry("gone/.wh.sub"),
        entry("etc/.wh.passwd"),
        entry("etc/passwd", data=b"new"),            # whiteout, then the same name again
        entry("opq", tarfile.DIRTYPE, mode=0o750),
        entry("opq/!early", data=b"kept"),           # sorts before the marker
        entry("opq/.wh..wh..opq"),
        entry("opq/new", data=b"n"),
        entry("file-then-dir", tarfile.DIRTYPE, mode=0o755),
        entry("dir-then-file", data=b"now a file"),
        entry("nest/dtf", data=b"nested file"),      # replaces a directory below the root
        entry("nest/later", data=b"same parent"),    # uses that parent again afterwards
        entry("implicit/parents/f", data=b"p"),
        entry("lib/libx.so", data=b"so"),            # through a symlink inside the root
        entry("keep/b", tarfile.LNKTYPE, linkname="keep/a"),
        entry("keep/.wh..wh.plnk"),                   # aufs metadata: ignored
    )
    apply_layer(io.BytesIO(blob), root)
    assert files(root) == sorted([
        "dir-then-file", "etc", "etc/passwd", "file-then-dir", "gone", "implicit",
        "implicit/parents", "implicit/parents/f", "keep", "keep/a", "keep/b", "lib",
        "nest", "nest/dtf", "nest/later",
        "opq", "opq/!early", "opq/new", "usr", "usr/lib", "usr/lib/libx.so"])
    assert (root / "etc/passwd").read_bytes() == b"new"
    assert (root / "dir-then-file").read_bytes() == b"now a file"
    assert (root / "opq").stat().st_mode & 0o777 == 0o750
    assert (root / "implicit").stat().st_mode & 0o777 == 0o755
    assert os.path.samefile(root / "keep/a", root / "keep/b")


def test_a_directory_entry_keeps_lower_children(tmp_path: Path) -> None:
    root = lower(tmp_path / "root")
    apply_layer(io.BytesIO(make_tar(entry("keep", tarfile.DIRTYPE, mode=0o700, mtime=12345))), root)
    assert (root / "keep/a").read_text() == "keep/a"
    st = (root / "keep").stat()
    assert (st.st_mode & 0o777, int(st.st_mtime)) == (0o700, 12345)


def _mount_overlay(lower_dir: Path, upper: Path, work: Path, merged: Path) -> None:
    opts = f"lowerdir={lower_dir},upperdir={upper},workdir={work}"
    res = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", opts, str(merged)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"overlayfs cannot be mounted here ({res.stderr.strip()}); the whiteout "
                    "encoding is still covered by test_whiteouts_opaque_dirs_and_replacements")


def test_overlay_upper_dir_becomes_a_layer_that_recreates_the_merged_view(tmp_path: Path) -> None:
    low = lower(tmp_path / "lower")
    upper, work, merged = tmp_path / "upper", tmp_path / "work", tmp_path / "merged"
    for d in (upper, work, merged):
        d.mkdir()
    _mount_overlay(low, upper, work, merged)
    try:
        os.unlink(merged / "keep/a")                      # a whiteout device in upper
        shutil.rmtree(merged / "opq")                     # then recreated: opaque directory
        (merged / "opq").mkdir()
        (merged / "opq/fresh").write_text("fresh")
        (merged / "etc/passwd").write_text("changed")
        (merged / "added").write_text("added")
        os.chmod(merged / "etc", 0o700)
    finally:
        expected = tree_manifest(merged)
        subprocess.run(["umount", str(merged)], check=True)
    whiteout = upper / "keep" / "a"
    assert whiteout.is_char_device() and os.lstat(whiteout).st_rdev == 0
    buf = io.BytesIO()
    write_layer_from_dir(upper, buf, compression="zstd")
    import zstandard

    tar_bytes = zstandard.ZstdDecompressor().decompressobj().decompress(buf.getvalue())
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert "keep/.wh.a" in names and "opq/.wh..wh..opq" in names
    assert names.index("opq/.wh..wh..opq") == names.index("opq") + 1  # marker right after its dir
    assert not any("overlay" in k for m in members for k in m.pax_headers)
    result = tmp_path / "result"
    shutil.copytree(low, result, symlinks=True)
    apply_layer(io.BytesIO(buf.getvalue()), result)
    assert diff_manifests(expected, tree_manifest(result)) == []


def test_overlay_redirects_are_refused_not_written_wrong(tmp_path: Path) -> None:
    from buildkit_py.oci.layer import LayerError

    (tmp_path / "moved").mkdir()
    os.setxattr(tmp_path / "moved", "trusted.overlay.redirect", b"/old")
    with pytest.raises(LayerError, match="(?s)'moved'.*redirect_dir=off"):
        write_layer_from_dir(tmp_path, io.BytesIO())


def test_overlay_whiteouts_unpack_layers_that_overlayfs_stacks(tmp_path: Path) -> None:
    """Each layer unpacked into its own directory, whiteouts kept in overlayfs form; overlayfs
    stacking those directories shows the same tree as applying the layers one on another."""
    base = lower(tmp_path / "base")
    change = tmp_path / "change"
    (change / "keep").mkdir(parents=True)
    os.mknod(change / "keep" / "a", 0o600 | 0o020000, 0)        # whiteout of a file
    os.mknod(change / "gone", 0o600 | 0o020000, 0)               # whiteout of a directory
    (change / "opq").mkdir()
    os.setxattr(change / "opq", "trusted.overlay.opaque", b"y")
    (change / "opq" / "fresh").write_text("fresh")
    blobs = []
    for tree in (base, change):
        buf = io.BytesIO()
        write_layer_from_dir(tree, buf, compression="gzip")
        blobs.append(buf.getvalue())

    flat = tmp_path / "flat"
    flat.mkdir()
    for blob in blobs:
        apply_layer(io.BytesIO(blob), flat)
    dirs = []
    for i, blob in enumerate(blobs):
        d = tmp_path / f"layer{i}"
        d.mkdir()
        apply_layer(io.BytesIO(blob), d, overlay_whiteouts=True)
        dirs.append(d)
    assert (dirs[1] / "keep" / "a").is_char_device() and os.lstat(dirs[1] / "keep" / "a").st_rdev == 0
    assert os.getxattr(dirs[1] / "opq", "trusted.overlay.opaque") == b"y"

    merged = tmp_path / "merged"
    merged.mkdir()
    opts = f"lowerdir={dirs[1]}:{dirs[0]}"
    res = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", opts, str(merged)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"overlayfs cannot be mounted here ({res.stderr.strip()})")
    try:
        stacked = tree_manifest(merged)
    finally:
        subprocess.run(["umount", str(merged)], check=True)
    assert "keep/a" not in stacked and "gone" not in stacked and "opq/old" not in stacked
    assert diff_manifests(tree_manifest(flat), stacked) == []

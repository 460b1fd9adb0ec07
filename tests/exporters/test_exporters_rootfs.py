"""`pybuild export` flattens an image's layers; `pybuild import` refuses bad input cleanly."""
from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

from buildkit_py.store import Store
from tests.helpers.rootfs import busybox_path
from tests.store.storeutil import Pybuild, put_layers


def _tar(entries: list[tuple[str, bytes | None]]) -> bytes:
    """A layer: (name, content) files, (name/, None) directories."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in entries:
            ti = tarfile.TarInfo(name.rstrip("/"))
            if data is None:
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(ti)
            else:
                ti.size, ti.mode = len(data), 0o644
                tar.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def _listing(path: Path) -> dict[str, bytes | None]:
    with tarfile.open(path) as tar:
        return {ti.name: (tar.extractfile(ti).read() if ti.isreg() else None)  # type: ignore[union-attr]
                for ti in tar}


def test_export_applies_layers_in_order_with_whiteouts(pybuild: Pybuild, tmp_path: Path) -> None:
    with Store(pybuild.root) as store:
        put_layers(store, [
            _tar([("etc/", None), ("etc/a", b"one"), ("etc/gone", b"x"), ("opq/", None), ("opq/old", b"o")]),
            _tar([("etc/", None), ("etc/a", b"two"), ("etc/.wh.gone", b""), ("opq/", None),
                  ("opq/.wh..wh..opq", b""), ("opq/new", b"n")]),
        ], ["layered"])
    pybuild("export", "layered", "-o", str(tmp_path / "fs.tar"))
    files = _listing(tmp_path / "fs.tar")
    assert files["etc/a"] == b"two"
    assert "etc/gone" not in files and "opq/old" not in files and files["opq/new"] == b"n"
    assert not any(".wh." in name for name in files)


def test_export_of_busybox_is_the_rootfs(pybuild: Pybuild, busybox: str, busybox_tar: Path, tmp_path: Path) -> None:
    data = pybuild.raw("export", "busybox")  # stdout
    (tmp_path / "out.tar").write_bytes(data)
    exported = _listing(tmp_path / "out.tar")
    original = {k.rstrip("/"): v for k, v in _listing(busybox_tar).items()}
    assert set(exported) == set(original)
    bb = busybox_path()
    assert bb is not None and exported["bin/busybox"] == Path(bb).read_bytes()
    with tarfile.open(tmp_path / "out.tar") as tar:
        assert tar.getmember("bin/sh").linkname == "busybox"
        assert tar.getmember("tmp").mode == 0o1777


def test_bad_imports_fail_cleanly_and_leave_nothing(pybuild: Pybuild, busybox_tar: Path, tmp_path: Path) -> None:
    (tmp_path / "garbage.tar").write_bytes(b"garbage that is not a tarball")
    cases = [
        (["import", "/nonexistent.tar", "x"], 1, "cannot read /nonexistent.tar"),
        (["import", str(tmp_path / "garbage.tar"), "x"], 2, "tar"),
        (["import", str(busybox_tar), "x", "--platform", "a/b/c/d"], 2, "invalid platform"),
        (["import", str(busybox_tar), "x", "-c", "RUN make"], 2, "unsupported instruction 'RUN'"),
        (["import", str(busybox_tar), "x@sha256:" + "0" * 64], 2, "digest"),
    ]
    for args, code, text in cases:
        r = pybuild(*args, ok=False)
        assert (r.code, text in r.err, "Traceback" in r.err) == (code, True, False), (args, r.err)
    assert pybuild("images", "-q").out == ""
    assert os.listdir(pybuild.root / "blobs" / "sha256") == []
    assert os.listdir(pybuild.root / "ingest") == []

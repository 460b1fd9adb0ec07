"""The streaming tar reader sees exactly what tarfile sees, whoever wrote the archive."""
from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from buildkit_py.oci.compress import LayerReader
from buildkit_py.oci.layer import write_layer_from_dir
from buildkit_py.oci.tarstream import TarStream, parse_plain_header
from tests.oci.treeutil import make_sample_tree


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_sample_tree(tmp_path_factory.mktemp("ts") / "tree")
    # 150 bytes: ustar splits such a name into prefix and name fields.
    (root / ("p" * 60) / ("q" * 60)).mkdir(parents=True)
    (root / ("p" * 60) / ("q" * 60) / ("r" * 25)).write_text("split name\n")
    return root


def seen_by_tarfile(data: bytes) -> list[tuple]:
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), encoding="utf-8", errors="surrogateescape") as tar:
        for m in tar:
            body = tar.extractfile(m).read() if m.isreg() else b""
            out.append((m.get_info(), m.offset, m.offset_data, dict(m.pax_headers),
                        hashlib.sha256(body).hexdigest()))
    return out


def seen_by_stream(data: bytes) -> list[tuple]:
    out = []
    reader = LayerReader(io.BytesIO(data))
    try:
        stream = TarStream(reader)
        for m in stream:
            h = hashlib.sha256()
            stream.copy_to(h.update, m.name)
            out.append((m.get_info(), m.offset, m.offset_data, dict(m.pax_headers), h.hexdigest()))
    finally:
        reader.close()
    return out


@pytest.mark.parametrize("fmt", ["ustar", "gnu", "posix", "oldgnu"])
def test_gnu_tar_archives_read_the_same(tree: Path, fmt: str) -> None:
    # ustar cannot hold the longest names or the non-UTF-8 one portably; leave those out there.
    excludes = ["--exclude=long-*", "--exclude=raw-*", "--exclude=long-target"] if fmt == "ustar" else []
    data = subprocess.run(["tar", "-c", f"--format={fmt}", *excludes, "-C", str(tree), "."],
                          check=True, capture_output=True).stdout
    expected = seen_by_tarfile(data)
    assert len(expected) > 20
    assert seen_by_stream(data) == expected


def test_our_layers_and_global_pax_headers_read_the_same(tree: Path) -> None:
    buf = io.BytesIO()
    write_layer_from_dir(tree, buf, compression="none")
    assert seen_by_stream(buf.getvalue()) == seen_by_tarfile(buf.getvalue())
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT,
                      pax_headers={"comment": "global"}) as tar:
        for name in ("a", "b"):
            ti = tarfile.TarInfo(name)
            ti.size = 1
            tar.addfile(ti, io.BytesIO(b"x"))
    got = seen_by_stream(raw.getvalue())
    assert got == seen_by_tarfile(raw.getvalue())
    assert [g[3] for g in got] == [{"comment": "global"}] * 2


def test_contents_left_unread_are_skipped(tree: Path) -> None:
    data = subprocess.run(["tar", "-c", "--format=posix", "-C", str(tree), "."],
                          check=True, capture_output=True).stdout
    expected = [(info, offset, offset_data) for info, offset, offset_data, _, _ in
                seen_by_tarfile(data)]
    reader = LayerReader(io.BytesIO(data))
    try:
        stream = TarStream(reader)
        got = [(m.get_info(), m.offset, m.offset_data) for m in stream]
    finally:
        reader.close()
    assert any(info["size"] > 0 for info, _, _ in expected)
    assert got == expected


def test_plain_parser_declines_what_it_does_not_know() -> None:
    ti = tarfile.TarInfo("x")
    block = ti.tobuf(tarfile.USTAR_FORMAT)
    assert parse_plain_header(block) is not None
    assert parse_plain_header(block[:148] + b"0000000\0" + block[156:]) is None  # bad checksum
    assert parse_plain_header(ti.tobuf(tarfile.GNU_FORMAT)) is None               # GNU magic
    ti.uid = 8**8  # base-256 in GNU format only
    assert parse_plain_header(ti.tobuf(tarfile.GNU_FORMAT)) is None


def test_block_sum_is_the_plain_byte_sum() -> None:
    import random

    from buildkit_py.oci.layerbase import block_sum

    rng = random.Random(4)
    blocks = [b"\0" * 512, b"\xff" * 512, b"\xff" * 256 + b"\0" * 256,
              tarfile.TarInfo("x").tobuf(tarfile.USTAR_FORMAT)]
    blocks += [bytes(rng.randrange(256) for _ in range(512)) for _ in range(50)]
    for block in blocks:
        assert block_sum(block) == sum(block)

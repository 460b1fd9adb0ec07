"""Same input, same digests: imports on two stores agree, and save then load gives the image back."""
from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import zstandard

from tests.exporters.archives import members
from tests.store.storeutil import Pybuild


def _ids(p: Pybuild, name: str) -> tuple[str, str, list[str]]:
    img = json.loads(p("inspect", name).out)[0]
    return img["Id"], img["Descriptor"]["digest"], [d["digest"] for d in img["Manifest"]["layers"]]


def test_importing_the_same_rootfs_on_two_stores_gives_identical_digests(busybox_tar: Path, tmp_path: Path) -> None:
    a, b = Pybuild(tmp_path / "a"), Pybuild(tmp_path / "b")
    a("import", str(busybox_tar), "busybox")
    b("import", str(busybox_tar), "busybox")
    assert _ids(a, "busybox") == _ids(b, "busybox")
    # and importing again into the same store changes nothing
    before = sorted(p.name for p in (a.root / "blobs" / "sha256").iterdir())
    a("import", str(busybox_tar), "busybox")
    assert sorted(p.name for p in (a.root / "blobs" / "sha256").iterdir()) == before


def test_source_date_epoch_sets_created(busybox_tar: Path, tmp_path: Path) -> None:
    p = Pybuild(tmp_path / "s")
    p("import", str(busybox_tar), "x", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert json.loads(p("inspect", "x").out)[0]["Created"] == "2023-11-14T22:13:20Z"


def test_compressed_and_stdin_rootfs_give_the_same_layer(busybox_tar: Path, tmp_path: Path) -> None:
    raw = busybox_tar.read_bytes()
    (tmp_path / "r.tar.gz").write_bytes(gzip.compress(raw))
    (tmp_path / "r.tar.zst").write_bytes(zstandard.ZstdCompressor().compress(raw))
    p = Pybuild(tmp_path / "s")
    p("import", str(busybox_tar), "plain")
    p("import", str(tmp_path / "r.tar.gz"), "gz")
    p("import", str(tmp_path / "r.tar.zst"), "zst")
    p("import", "-", "stdin", input=raw)
    layers = {n: _ids(p, n)[2] for n in ("plain", "gz", "zst", "stdin")}
    assert len({tuple(v) for v in layers.values()}) == 1, layers


def test_oci_save_and_load_round_trip_exactly(pybuild: Pybuild, busybox: str, tmp_path: Path) -> None:
    pybuild("save", "--format=oci", "busybox", "-o", str(tmp_path / "1.tar"))
    other = Pybuild(tmp_path / "other")
    assert other("load", "-i", str(tmp_path / "1.tar")).out.strip() == "Loaded image: busybox:latest"
    assert _ids(other, "busybox") == _ids(pybuild, "busybox")
    other("save", "--format=oci", "busybox", "-o", str(tmp_path / "2.tar"))
    assert (tmp_path / "1.tar").read_bytes() == (tmp_path / "2.tar").read_bytes()


def test_docker_save_and_load_keep_the_image_id(pybuild: Pybuild, busybox: str, tmp_path: Path) -> None:
    pybuild("save", "busybox", "-o", str(tmp_path / "1.tar"))
    files = members(tmp_path / "1.tar")
    manifest = json.loads(files["manifest.json"])
    assert manifest[0]["Config"] == f"{busybox[7:]}.json" and manifest[0]["RepoTags"] == ["busybox:latest"]
    assert json.loads(files["repositories"])["busybox"]["latest"] == manifest[0]["Layers"][-1].split("/")[0]
    a, b = Pybuild(tmp_path / "a"), Pybuild(tmp_path / "b")
    a("load", "-i", str(tmp_path / "1.tar"))
    b("load", input=(tmp_path / "1.tar").read_bytes())
    assert _ids(a, "busybox") == _ids(b, "busybox")
    assert _ids(a, "busybox")[0] == busybox
    a("save", "busybox", "-o", str(tmp_path / "2.tar"))
    assert (tmp_path / "1.tar").read_bytes() == (tmp_path / "2.tar").read_bytes()


def test_compressed_archives_and_stdout(pybuild: Pybuild, busybox: str, tmp_path: Path) -> None:
    data = pybuild.raw("save", "--format=oci", "busybox")  # no -o: stdout
    assert data[257:262] == b"ustar"
    (tmp_path / "a.tar.gz").write_bytes(gzip.compress(data))
    (tmp_path / "a.tar.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    for name in ("a.tar.gz", "a.tar.zst"):
        other = Pybuild(tmp_path / name.replace(".", "_"))
        assert other("load", "-i", str(tmp_path / name)).out.strip() == "Loaded image: busybox:latest"
        assert _ids(other, "busybox") == _ids(pybuild, "busybox")


def test_several_images_in_one_archive(pybuild: Pybuild, busybox: str, busybox_tar: Path, tmp_path: Path) -> None:
    pybuild("import", str(busybox_tar), "second:1", "-c", "CMD [\"true\"]")
    for fmt in ("oci", "docker"):
        out = tmp_path / f"{fmt}.tar"
        pybuild("save", f"--format={fmt}", "busybox", "second:1", "-o", str(out))
        other = Pybuild(tmp_path / f"s-{fmt}")
        lines = other("load", "-i", str(out)).out.splitlines()
        assert sorted(lines) == ["Loaded image: busybox:latest", "Loaded image: second:1"]
        assert _ids(other, "second:1")[0] == _ids(pybuild, "second:1")[0]


def test_not_an_archive_is_bad_input_and_loads_nothing(pybuild: Pybuild, tmp_path: Path) -> None:
    (tmp_path / "junk").write_bytes(b"hello, this is not a tar" * 100)
    r = pybuild("load", "-i", str(tmp_path / "junk"), ok=False)
    assert r.code == 2 and "not a readable tar" in r.err and "Traceback" not in r.err
    empty = tmp_path / "empty.tar"
    subprocess.run(["tar", "-cf", str(empty), "-T", "/dev/null"], check=True)
    r = pybuild("load", "-i", str(empty), ok=False)
    assert r.code == 2 and "neither an OCI image layout nor a docker archive" in r.err


def test_a_tampered_blob_is_refused_and_the_store_stays_clean(pybuild: Pybuild, busybox: str, tmp_path: Path) -> None:
    pybuild("save", "--format=oci", "busybox", "-o", str(tmp_path / "x.tar"))
    layout = tmp_path / "layout"
    layout.mkdir()
    subprocess.run(["tar", "-xf", str(tmp_path / "x.tar"), "-C", str(layout)], check=True)
    config = layout / "blobs" / "sha256" / busybox[7:]
    config.chmod(0o644)
    config.write_bytes(config.read_bytes().replace(b"amd64", b"arm64"))
    other = Pybuild(tmp_path / "other")
    r = other("load", "-i", str(layout), ok=False)
    assert r.code == 1 and busybox in r.err
    assert other("images", "-q").out == ""
    assert "clean" in other("fsck").out

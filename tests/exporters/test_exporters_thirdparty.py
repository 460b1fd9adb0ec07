"""Third-party tools read our OCI layouts (umoci, skopeo), and we load what skopeo writes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.helpers.rootfs import busybox_path
from tests.store.storeutil import Pybuild


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (scripts/setup.sh installs it)")
    return path


def run(*args: str) -> str:
    p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"{' '.join(args)} failed:\n{p.stderr}"
    return p.stdout


def _assert_busybox_tree(rootfs: Path) -> None:
    bb = busybox_path()
    assert bb is not None
    assert (rootfs / "bin" / "busybox").read_bytes() == Path(bb).read_bytes()
    assert os.stat(rootfs / "bin" / "busybox").st_mode & 0o777 == 0o755
    assert os.readlink(rootfs / "bin" / "sh") == "busybox"
    assert (rootfs / "etc" / "passwd").read_bytes().startswith(b"root:x:0:0:")
    assert os.stat(rootfs / "tmp").st_mode & 0o7777 == 0o1777


def test_umoci_unpacks_our_oci_tar(pybuild: Pybuild, busybox: str, tmp_path: Path) -> None:
    umoci = tool("umoci")
    pybuild("save", "--format=oci", "busybox", "-o", str(tmp_path / "bb.tar"))
    layout = tmp_path / "layout"
    layout.mkdir()
    with tarfile.open(tmp_path / "bb.tar") as tar:
        tar.extractall(layout, filter="data")
    run(umoci, "unpack", "--image", f"{layout}:latest", str(tmp_path / "bundle"))
    _assert_busybox_tree(tmp_path / "bundle" / "rootfs")
    bundle_config = json.loads((tmp_path / "bundle" / "config.json").read_text())
    assert bundle_config["process"]["args"] == ["sh"]


def test_umoci_unpacks_our_oci_directory(pybuild: Pybuild, busybox: str, tmp_path: Path) -> None:
    umoci = tool("umoci")
    pybuild("save", "--format=oci", "busybox", "-o", str(tmp_path / "layout") + "/")
    run(umoci, "unpack", "--image", f"{tmp_path / 'layout'}:latest", str(tmp_path / "bundle"))
    _assert_busybox_tree(tmp_path / "bundle" / "rootfs")


def test_skopeo_inspects_all_our_formats(pybuild: Pybuild, busybox: str, tmp_path: Path) -> None:
    skopeo = tool("skopeo")
    image = json.loads(pybuild("inspect", "busybox").out)[0]
    pybuild("save", "--format=oci", "busybox", "-o", str(tmp_path / "oci.tar"))
    pybuild("save", "--format=oci", "busybox", "-o", str(tmp_path / "dir") + "/")
    pybuild("save", "--format=docker", "busybox", "-o", str(tmp_path / "docker.tar"))
    for ref in (f"oci-archive:{tmp_path / 'oci.tar'}:latest", f"oci:{tmp_path / 'dir'}:latest"):
        seen = json.loads(run(skopeo, "inspect", ref))
        assert seen["Digest"] == image["Descriptor"]["digest"]
        assert seen["Layers"] == [d["digest"] for d in image["Manifest"]["layers"]]
    seen = json.loads(run(skopeo, "inspect", "--config", f"docker-archive:{tmp_path / 'docker.tar'}"))
    assert seen["rootfs"]["diff_ids"] == image["RootFS"]["Layers"]


def test_skopeo_copies_our_layouts_and_we_load_its_output(pybuild: Pybuild, busybox: str, tmp_path: Path) -> None:
    skopeo = tool("skopeo")
    image = json.loads(pybuild("inspect", "busybox").out)[0]
    pybuild("save", "--format=oci", "busybox", "-o", str(tmp_path / "oci.tar"))
    pybuild("save", "--format=docker", "busybox", "-o", str(tmp_path / "docker.tar"))
    run(skopeo, "copy", f"oci-archive:{tmp_path / 'oci.tar'}:latest", f"oci:{tmp_path / 'sk-oci'}:copied")
    run(skopeo, "copy", f"docker-archive:{tmp_path / 'docker.tar'}",
        f"docker-archive:{tmp_path / 'sk-docker.tar'}:example.com/copied:v1")

    fresh = Pybuild(tmp_path / "fresh")
    r = fresh("load", "-i", str(tmp_path / "sk-oci"))
    # skopeo names the entry "copied", a bare tag; there is no repository to name the image after
    assert r.out.strip() == f"Loaded image ID: {busybox}"
    # the exact manifest came through: same digest as in the store it was saved from
    assert json.loads(fresh("inspect", busybox).out)[0]["Descriptor"] == image["Descriptor"]
    r = fresh("load", "-i", str(tmp_path / "sk-docker.tar"))
    assert r.out.strip() == "Loaded image: example.com/copied:v1"
    loaded = json.loads(fresh("inspect", "example.com/copied:v1").out)[0]
    assert loaded["Id"] == busybox and loaded["RootFS"] == image["RootFS"]
    assert "clean" in fresh("fsck").out

    # and in a store that has never seen the image, the docker-archive gives an uncompressed-layer image
    third = Pybuild(tmp_path / "third")
    third("load", "-i", str(tmp_path / "sk-docker.tar"))
    img = json.loads(third("inspect", "example.com/copied:v1").out)[0]
    assert img["Id"] == busybox
    assert [d["digest"] for d in img["Manifest"]["layers"]] == image["RootFS"]["Layers"]
    work = tmp_path / "export.tar"
    third("export", "example.com/copied:v1", "-o", str(work))
    with tarfile.open(work) as tar:
        tar.extractall(tmp_path / "exported", filter="fully_trusted")  # keep the sticky bit
    _assert_busybox_tree(tmp_path / "exported")

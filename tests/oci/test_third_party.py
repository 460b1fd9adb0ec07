"""Third-party readers accept what we write: umoci unpacks our layers to the expected tree,
skopeo inspects and copies our layout, and every JSON document validates against the schemas."""
from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from buildkit_py.oci import mediatypes as mt
from buildkit_py.oci.image import (
    ContainerConfig, Descriptor, History, ImageConfig, Index, Manifest, Platform, canonical_json,
    digest_bytes, oci_layout_json,
)
from buildkit_py.oci.layer import LayerInfo, apply_layer, write_layer_from_dir
from tests.oci.conftest import require_tool
from tests.oci.treeutil import diff_manifests, make_sample_tree, tree_manifest

TAG = "v1"
EPOCH = 1_700_000_000


def put_blob(layout: Path, data: bytes) -> str:
    digest = digest_bytes(data)
    path = layout / "blobs" / "sha256" / digest.split(":")[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return digest


def write_layout(layout: Path, layers: list[tuple[bytes, LayerInfo]], oci_schema) -> str:
    """An OCI image layout holding one image tagged TAG; returns the manifest digest."""
    for blob, info in layers:
        assert put_blob(layout, blob) == info.digest
    config = ImageConfig(
        architecture="amd64", os="linux", created="2023-11-14T22:13:20Z",
        config=ContainerConfig(env=("PATH=/usr/bin:/bin",), cmd=("/bin/sh",), working_dir="/",
                               labels={"org.example": "yes"}),
        diff_ids=tuple(info.diff_id for _, info in layers),
        history=tuple(History(created="2023-11-14T22:13:20Z", created_by=f"layer {i}")
                      for i in range(len(layers))))
    config_bytes = canonical_json(config)
    manifest = Manifest(
        config=Descriptor(mt.OCI_CONFIG, put_blob(layout, config_bytes), len(config_bytes)),
        layers=tuple(Descriptor(info.media_type, info.digest, info.size) for _, info in layers))
    manifest_bytes = canonical_json(manifest)
    index = Index(manifests=(Descriptor(
        mt.OCI_MANIFEST, put_blob(layout, manifest_bytes), len(manifest_bytes),
        platform=Platform("linux", "amd64"),
        annotations={"org.opencontainers.image.ref.name": TAG}),))
    (layout / "index.json").write_bytes(canonical_json(index))
    (layout / "oci-layout").write_bytes(oci_layout_json())
    # Every document we wrote, checked against the image-spec schemas.
    oci_schema("config-schema.json", json.loads(config_bytes))
    oci_schema("image-manifest-schema.json", json.loads(manifest_bytes))
    oci_schema("image-index-schema.json", json.loads((layout / "index.json").read_bytes()))
    oci_schema("image-layout-schema.json", json.loads((layout / "oci-layout").read_bytes()))
    return digest_bytes(manifest_bytes)


def layer(tree: Path, compression: str) -> tuple[bytes, LayerInfo]:
    buf = io.BytesIO()
    info = write_layer_from_dir(tree, buf, compression=compression, source_date_epoch=EPOCH)
    return buf.getvalue(), info


def upper_dir(base: Path) -> Path:
    """An overlayfs-style upper dir: one whiteout device, one opaque directory, one new file."""
    up = base / "upper"
    (up / "data").mkdir(parents=True)
    os.mknod(up / "data" / "big.bin", 0o600 | 0o020000, 0)   # whiteout of a file
    (up / "dev").mkdir()
    os.setxattr(up / "dev", "trusted.overlay.opaque", b"y")  # hides fifo, null, loop9
    (up / "dev" / "console").write_text("new in layer 2\n")
    (up / "added").write_text("added\n")
    return up


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory, oci_schema) -> dict:
    base = tmp_path_factory.mktemp("img")
    tree = make_sample_tree(base / "tree")
    layers = [layer(tree, "gzip"), layer(upper_dir(base), "gzip")]
    layout = base / "layout"
    digest = write_layout(layout, layers, oci_schema)
    expected = base / "expected"
    expected.mkdir()
    for blob, info in layers:
        apply_layer(io.BytesIO(blob), expected, expected_diff_id=info.diff_id)
    return {"base": base, "tree": tree, "layout": layout, "digest": digest, "layers": layers,
            "expected": expected}


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, f"{' '.join(cmd)} failed:\n{res.stderr}"
    return res


def test_our_applier_gives_the_layered_tree(image: dict) -> None:
    got = tree_manifest(image["expected"])
    assert "data/big.bin" not in got and "added" in got
    assert sorted(k for k in got if k.startswith("dev/")) == ["dev/console"]
    assert got["bin/ping"] == tree_manifest(image["tree"], clamp=EPOCH)["bin/ping"]


def test_umoci_unpacks_our_image_to_the_expected_tree(image: dict) -> None:
    require_tool("umoci")
    bundle = image["base"] / "bundle"
    run("umoci", "unpack", "--image", f"{image['layout']}:{TAG}", str(bundle))
    ours = tree_manifest(image["expected"])
    theirs = tree_manifest(bundle / "rootfs")
    assert diff_manifests(ours, theirs) == []
    spec = json.loads((bundle / "config.json").read_text())
    assert spec["process"]["args"] == ["/bin/sh"]


def test_skopeo_inspects_our_layout(image: dict) -> None:
    require_tool("skopeo")
    raw = json.loads(run("skopeo", "inspect", f"oci:{image['layout']}:{TAG}").stdout)
    assert raw["Digest"] == image["digest"]
    assert raw["Layers"] == [info.digest for _, info in image["layers"]]
    assert raw["Env"] == ["PATH=/usr/bin:/bin"] and raw["Labels"] == {"org.example": "yes"}
    config = json.loads(run("skopeo", "inspect", "--config", f"oci:{image['layout']}:{TAG}").stdout)
    assert config["rootfs"]["diff_ids"] == [info.diff_id for _, info in image["layers"]]


def test_skopeo_copies_our_layout_blob_for_blob(image: dict) -> None:
    require_tool("skopeo")
    dest = image["base"] / "copy"
    run("skopeo", "copy", "--preserve-digests", f"oci:{image['layout']}:{TAG}", f"oci:{dest}:{TAG}")
    for _, info in image["layers"]:
        assert (dest / "blobs" / "sha256" / info.digest.split(":")[1]).is_file()
    index = json.loads((dest / "index.json").read_text())
    assert index["manifests"][0]["digest"] == image["digest"]


def test_umoci_reads_uncompressed_layers(tmp_path: Path, oci_schema) -> None:
    require_tool("umoci")
    tree = make_sample_tree(tmp_path / "tree")
    layout = tmp_path / "layout"
    write_layout(layout, [layer(tree, "none")], oci_schema)
    run("umoci", "unpack", "--image", f"{layout}:{TAG}", str(tmp_path / "bundle"))
    theirs = tree_manifest(tmp_path / "bundle" / "rootfs")
    assert diff_manifests(tree_manifest(tree, clamp=EPOCH), theirs) == []


def test_skopeo_decompresses_our_zstd_layers(tmp_path: Path, oci_schema) -> None:
    # umoci 0.4 predates zstd layers, so skopeo reads ours and recompresses them as gzip; the
    # tree umoci then unpacks shows that skopeo's zstd reader saw exactly our tar stream.
    require_tool("umoci")
    require_tool("skopeo")
    tree = make_sample_tree(tmp_path / "tree")
    layout = tmp_path / "layout"
    blob, info = layer(tree, "zstd")
    write_layout(layout, [(blob, info)], oci_schema)
    run("skopeo", "copy", "--dest-compress-format", "gzip", "--dest-compress",
        f"oci:{layout}:{TAG}", f"oci:{tmp_path / 'gz'}:{TAG}")
    config = json.loads(run("skopeo", "inspect", "--config", f"oci:{tmp_path / 'gz'}:{TAG}").stdout)
    assert config["rootfs"]["diff_ids"] == [info.diff_id]  # same uncompressed bytes
    run("umoci", "unpack", "--image", f"{tmp_path / 'gz'}:{TAG}", str(tmp_path / "bundle"))
    theirs = tree_manifest(tmp_path / "bundle" / "rootfs")
    assert diff_manifests(tree_manifest(tree, clamp=EPOCH), theirs) == []

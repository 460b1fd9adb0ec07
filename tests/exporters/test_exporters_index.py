"""Multi-platform images (an index in the store) list, inspect, save and load as one image."""
from __future__ import annotations

import json
from pathlib import Path

from buildkit_py.store import Store
from buildkit_py.store.platforms import host_platform
from tests.store.storeutil import Pybuild, put_image


def _make_index(root: Path) -> tuple[str, dict[str, str]]:
    """An index of an amd64 and an arm64 image named multi:1; returns (index digest, {arch: config})."""
    with Store(root) as store:
        configs, descs = {}, []
        for arch in ("amd64", "arm64"):
            m, cfg, _ = put_image(store, {"arch": arch.encode()}, [], arch=arch)
            configs[arch] = cfg
            descs.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": m,
                          "size": store.blobs.size(m), "platform": {"architecture": arch, "os": "linux"}})
            store.delete_image(m)
        index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                            "manifests": descs}).encode()
        with store.writing():
            digest = store.blobs.put_bytes(index)
            store.add_image(digest, ["multi:1"])
    return digest, configs


def test_an_index_is_one_image_and_inspect_picks_the_host_platform(pybuild: Pybuild) -> None:
    digest, configs = _make_index(pybuild.root)
    assert pybuild("images", "-q", "--no-trunc").out.split() == [digest]  # the ID of an index is its digest
    img = json.loads(pybuild("inspect", "multi:1").out)[0]
    host = host_platform().architecture
    assert img["Index"]["manifests"][0]["platform"]["architecture"] == "amd64"
    if host in configs:
        assert img["ImageConfig"]["architecture"] == host
        assert img["Manifest"]["config"]["digest"] == configs[host]


def test_an_index_saves_and_loads_whole(pybuild: Pybuild, tmp_path: Path) -> None:
    digest, configs = _make_index(pybuild.root)
    pybuild("save", "--format=oci", "multi:1", "-o", str(tmp_path / "m.tar"))
    other = Pybuild(tmp_path / "other")
    assert other("load", "-i", str(tmp_path / "m.tar")).out.strip() == "Loaded image: multi:1"
    assert other("images", "-q", "--no-trunc").out.split() == [digest]
    assert other("fsck").code == 0
    # both platforms' blobs came along
    blobs = {p.name for p in (other.root / "blobs" / "sha256").iterdir()}
    assert {c[7:] for c in configs.values()} <= blobs
    # a platform that is not there is a clear error
    with Store(other.root) as store:
        store.blobs.delete(json.loads(store.blobs.read_bytes(digest))["manifests"][0]["digest"])
        store.blobs.delete(json.loads(store.blobs.read_bytes(digest))["manifests"][1]["digest"])
    r = other("history", "multi:1", ok=False)
    assert r.code == 1 and "has no manifest for linux/" in r.err

"""Every manifest, index, config and oci-layout file pybuild writes validates against the OCI schemas."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.exporters.archives import check, members, validator
from tests.store.storeutil import Pybuild


@pytest.fixture
def schemas(shared: Path) -> Path:
    return shared / "schemas" / "oci-image-spec"


def test_the_checker_rejects_invalid_documents(schemas: Path) -> None:
    # Proof that the validation can fail: wrong types and bad digests are caught.
    with pytest.raises(AssertionError):
        check(schemas, "manifest", json.dumps({"schemaVersion": 2, "config": {"mediaType": "x", "digest": "nope",
                                                                             "size": 1}, "layers": []}).encode())
    with pytest.raises(AssertionError):
        check(schemas, "layout", b'{"imageLayoutVersion": 1}')
    assert validator(schemas, "config").is_valid(
        {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}})
    assert not validator(schemas, "config").is_valid({"architecture": "amd64", "os": "linux"})


def _store_blob(pybuild: Pybuild, digest: str) -> bytes:
    return (pybuild.root / "blobs" / "sha256" / digest[7:]).read_bytes()


def test_imported_config_and_manifest_validate(pybuild: Pybuild, busybox_tar: Path, schemas: Path) -> None:
    pybuild("import", str(busybox_tar), "full:1", "--platform", "linux/arm/v7", "-m", "msg",
            "-c", 'CMD ["sh"]', "-c", "ENV A=1 B=2", "-c", "EXPOSE 80", "-c", "VOLUME /data",
            "-c", "LABEL a=b", "-c", "WORKDIR /tmp", "-c", "USER nobody")
    img = json.loads(pybuild("inspect", "full:1").out)[0]
    check(schemas, "manifest", _store_blob(pybuild, img["Descriptor"]["digest"]))
    check(schemas, "config", _store_blob(pybuild, img["Id"]))
    assert img["Architecture"] == "arm" and img["Variant"] == "v7"
    cfg = img["Config"]
    assert cfg["Cmd"] == ["sh"] and cfg["Env"] == ["A=1", "B=2"] and cfg["ExposedPorts"] == {"80/tcp": {}}
    assert cfg["Volumes"] == {"/data": {}} and cfg["Labels"] == {"a": "b"}
    assert cfg["WorkingDir"] == "/tmp" and cfg["User"] == "nobody"


def test_saved_oci_layouts_validate(pybuild: Pybuild, busybox: str, tmp_path: Path, schemas: Path) -> None:
    pybuild("tag", "busybox", "example.com/team/box:2")
    out = tmp_path / "oci.tar"
    pybuild("save", "--format=oci", "busybox", "example.com/team/box:2", "-o", str(out))
    files = members(out)
    check(schemas, "layout", files["oci-layout"])
    check(schemas, "index", files["index.json"])
    index = json.loads(files["index.json"])
    assert len(index["manifests"]) == 2
    for desc in index["manifests"]:
        manifest = files[f"blobs/sha256/{desc['digest'][7:]}"]
        check(schemas, "manifest", manifest)
        config = json.loads(manifest)["config"]["digest"]
        check(schemas, "config", files[f"blobs/sha256/{config[7:]}"])
    pybuild("save", "--format=oci", "busybox", "-o", str(tmp_path / "dir") + "/")
    check(schemas, "layout", (tmp_path / "dir" / "oci-layout").read_bytes())
    check(schemas, "index", (tmp_path / "dir" / "index.json").read_bytes())


def test_manifest_made_when_loading_a_docker_archive_validates(pybuild: Pybuild, busybox: str,
                                                                tmp_path: Path, schemas: Path) -> None:
    pybuild("save", "busybox", "-o", str(tmp_path / "d.tar"))
    other = Pybuild(tmp_path / "other")
    other("load", "-i", str(tmp_path / "d.tar"))
    img = json.loads(other("inspect", "busybox").out)[0]
    check(schemas, "manifest", _store_blob(other, img["Descriptor"]["digest"]))
    check(schemas, "config", _store_blob(other, img["Id"]))

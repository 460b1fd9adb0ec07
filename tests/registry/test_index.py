"""Multi-platform images: pull picks the platform's manifest from an index; push sends what the store holds."""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from buildkit_py.store.platforms import host_platform
from tests.registry.conftest import Cli, store_digests
from tests.registry.servers import RegistryProcess

OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def _put(layout: Path, data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest[7:]).write_bytes(data)
    return digest


@pytest.fixture
def multi(cli: Cli, registry: RegistryProcess, busybox: str, tmp_path: Path) -> dict[str, str]:
    """A two-platform index (the host's arch and another) in the registry, pushed by skopeo."""
    layout = tmp_path / "layout"
    cli("save", "--format=oci", "-o", f"{layout}/", "busybox")
    entry = json.loads((layout / "index.json").read_text())["manifests"][0]
    manifest = json.loads((layout / "blobs" / "sha256" / entry["digest"][7:]).read_bytes())
    config = json.loads((layout / "blobs" / "sha256" / manifest["config"]["digest"][7:]).read_bytes())
    host = host_platform().architecture
    other = "arm64" if host != "arm64" else "amd64"
    out = {"host_arch": host, "other_arch": other, "host": entry["digest"]}
    config["architecture"] = other
    config_bytes = json.dumps(config).encode()
    other_manifest = dict(manifest, config=dict(manifest["config"], digest=_put(layout, config_bytes),
                                                size=len(config_bytes)))
    other_bytes = json.dumps(other_manifest).encode()
    out["other"] = _put(layout, other_bytes)
    out["other_config"] = other_manifest["config"]["digest"]
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": entry["mediaType"], "digest": entry["digest"], "size": entry["size"],
         "platform": {"os": "linux", "architecture": host}},
        {"mediaType": entry["mediaType"], "digest": out["other"], "size": len(other_bytes),
         "platform": {"os": "linux", "architecture": other}},
    ]}
    index_bytes = json.dumps(index).encode()
    out["index"] = _put(layout, index_bytes)
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": OCI_INDEX, "digest": out["index"], "size": len(index_bytes),
         "annotations": {"org.opencontainers.image.ref.name": "multi"}}]}))
    out["name"] = f"{registry.address}/multi/app:1"
    subprocess.run(["skopeo", "copy", "--all", "--dest-tls-verify=false", f"oci:{layout}:multi",
                    f"docker://{out['name']}"], check=True, capture_output=True, timeout=120)
    return out


def test_pull_takes_the_hosts_manifest_from_an_index(cli: Cli, multi: dict[str, str], tmp_path: Path) -> None:
    other = cli.on(tmp_path / "other")
    pulled = other.json("pull", multi["name"])
    assert (pulled["digest"], pulled["manifest"]) == (multi["index"], multi["host"])
    blobs = store_digests(other.root)
    assert multi["index"] in blobs and multi["host"] in blobs
    assert multi["other"] not in blobs and multi["other_config"] not in blobs
    assert json.loads(other("inspect", multi["name"]).out)[0]["Architecture"] == multi["host_arch"]
    assert "clean" in other("fsck").out


def test_pull_platform_picks_another_and_unknown_platforms_are_named(cli: Cli, multi: dict[str, str],
                                                                    tmp_path: Path) -> None:
    other = cli.on(tmp_path / "other")
    pulled = other.json("pull", "--platform", f"linux/{multi['other_arch']}", multi["name"])
    assert pulled["manifest"] == multi["other"]
    res = other("pull", "--platform", "linux/s390x", multi["name"], check=False)
    assert res.code == 1 and "no manifest for platform linux/s390x" in res.err
    assert f"linux/{multi['host_arch']}" in res.err and f"linux/{multi['other_arch']}" in res.err


def test_push_of_a_partly_pulled_index_sends_the_platform_image_we_have(cli: Cli, registry: RegistryProcess,
                                                                        multi: dict[str, str], tmp_path: Path) -> None:
    other = cli.on(tmp_path / "other")
    other("pull", multi["name"])
    pushed = other.json("push", multi["name"], f"{registry.address}/multi/copy:1")
    assert pushed["digest"] == multi["host"]


def test_push_of_a_whole_index_keeps_its_digest(cli: Cli, registry: RegistryProcess, multi: dict[str, str],
                                                tmp_path: Path) -> None:
    other = cli.on(tmp_path / "other")
    other("pull", multi["name"])
    other("pull", "--platform", f"linux/{multi['other_arch']}", multi["name"])
    dest = f"{registry.address}/multi/whole:1"
    assert other.json("push", multi["name"], dest)["digest"] == multi["index"]
    raw = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{dest}"],
                         capture_output=True, timeout=60, check=True).stdout
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == multi["index"]

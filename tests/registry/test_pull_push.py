"""Push to and pull from a real registry (Debian's docker-registry), and agree with skopeo."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.registry.conftest import Cli, manifest_digest, store_digests
from tests.registry.servers import RegistryProcess


def skopeo(*args: str) -> str:
    proc = subprocess.run(["skopeo", *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"skopeo {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def image_blobs(cli: Cli, name: str) -> set[str]:
    doc = json.loads(cli("inspect", name).out)[0]
    m = doc["Manifest"]
    return {doc["Descriptor"]["digest"], m["config"]["digest"], *(l["digest"] for l in m["layers"])}


def test_push_then_pull_into_an_empty_store_gives_the_same_digests(cli: Cli, registry: RegistryProcess,
                                                                     busybox: str, tmp_path: Path) -> None:
    name = f"{registry.address}/lib/busybox:1"
    cli("tag", "busybox", name)
    pushed = cli.json("push", name)
    assert pushed["digest"] == busybox
    assert pushed["uploaded"] == 2 and pushed["exists"] == 0

    other = cli.on(tmp_path / "empty")
    pulled = other.json("pull", name)
    assert pulled["digest"] == busybox
    assert pulled["downloaded"] == 2
    assert store_digests(other.root) == image_blobs(cli, "busybox")
    a, b = json.loads(cli("inspect", "busybox").out)[0], json.loads(other("inspect", name).out)[0]
    assert (a["Id"], a["RootFS"]) == (b["Id"], b["RootFS"])
    fsck = other("fsck")
    assert "clean" in fsck.out


def test_a_second_pull_of_an_unchanged_tag_downloads_nothing(cli: Cli, registry: RegistryProcess,
                                                              busybox: str, tmp_path: Path) -> None:
    name = f"{registry.address}/lib/busybox:1"
    cli("push", "busybox", name)
    other = cli.on(tmp_path / "other")
    other("pull", name)
    before = len(registry.requests())
    again = other.json("pull", name)
    assert again["downloaded"] == 0 and again["present"] == 2
    methods = [(m, p) for m, p, _ in registry.requests()[before:] if p.startswith("/v2/lib/")]
    assert methods and all(m == "HEAD" for m, _ in methods), methods
    text = other("pull", name).out
    assert "Image is up to date" in text


def test_skopeo_reads_what_pybuild_pushed(cli: Cli, registry: RegistryProcess, busybox: str,
                                         tmp_path: Path) -> None:
    name = f"{registry.address}/lib/busybox:2"
    cli("push", "busybox", name)
    info = json.loads(skopeo("inspect", "--tls-verify=false", f"docker://{name}"))
    assert info["Digest"] == busybox
    local = json.loads(cli("inspect", "busybox").out)[0]
    assert info["Layers"] == [l["digest"] for l in local["Manifest"]["layers"]]
    assert info["Architecture"] == local["Architecture"]
    layout = tmp_path / "copied"
    skopeo("copy", "--src-tls-verify=false", f"docker://{name}", f"oci:{layout}:t")
    index = json.loads((layout / "index.json").read_text())
    assert index["manifests"][0]["digest"] == busybox
    for digest in image_blobs(cli, "busybox"):
        hex_ = digest.split(":")[1]
        assert (layout / "blobs" / "sha256" / hex_).read_bytes() == (cli.root / "blobs" / "sha256" / hex_).read_bytes()


def test_pybuild_pulls_what_skopeo_pushed_oci_and_docker_schema2(cli: Cli, registry: RegistryProcess,
                                                                  busybox: str, tmp_path: Path) -> None:
    layout = tmp_path / "layout"
    cli("save", "--format=oci", "-o", f"{layout}/", "busybox")
    oci_name = f"{registry.address}/sk/oci:1"
    skopeo("copy", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{oci_name}")
    docker_name = f"{registry.address}/sk/docker:1"
    skopeo("copy", "--dest-tls-verify=false", "--format", "v2s2", f"oci:{layout}:latest", f"docker://{docker_name}")

    other = cli.on(tmp_path / "other")
    for name in (oci_name, docker_name):
        want = json.loads(skopeo("inspect", "--tls-verify=false", f"docker://{name}"))["Digest"]
        pulled = other.json("pull", name)
        assert pulled["digest"] == want
    assert other.json("pull", oci_name)["digest"] == busybox
    doc = json.loads(other("inspect", docker_name).out)[0]
    assert doc["Descriptor"]["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    out = subprocess.run(["tar", "-t"], input=_export(other, docker_name), capture_output=True).stdout.decode()
    assert "bin/busybox" in out.split()
    assert "clean" in other("fsck").out


def _export(cli: Cli, name: str) -> bytes:
    import sys

    env = dict(cli.env, PYBUILD_ROOT=str(cli.root))
    proc = subprocess.run([sys.executable, "-m", "buildkit_py.cli", "export", name, "-o", "-"],
                          capture_output=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_pushing_to_another_repository_mounts_instead_of_uploading(cli: Cli, registry: RegistryProcess,
                                                                   busybox: str) -> None:
    cli("push", "busybox", f"{registry.address}/team/a:1")
    second = cli.json("push", "busybox", f"{registry.address}/team/b:1")
    assert second["mounted"] == 2 and second["uploaded"] == 0
    mounts = [(p, s) for m, p, s in registry.requests() if m == "POST" and "mount=" in p]
    assert mounts and all(s == 201 for _, s in mounts)
    again = cli.json("push", "busybox", f"{registry.address}/team/b:1")
    assert again["exists"] == 2 and again["mounted"] == 0 and again["uploaded"] == 0


def test_large_blobs_go_up_in_chunks(cli: Cli, registry: RegistryProcess, busybox: str, tmp_path: Path) -> None:
    name = f"{registry.address}/chunked/bb:1"
    size = json.loads(cli("inspect", "busybox").out)[0]["Manifest"]["layers"][0]["size"]
    cli("push", "busybox", name, env={"PYBUILD_REGISTRY_CHUNK_SIZE": "65536"})
    patches = [s for m, p, s in registry.requests() if m == "PATCH"]
    assert len(patches) == -(-size // 65536) and set(patches) == {202}
    assert cli.on(tmp_path / "other").json("pull", name)["digest"] == busybox


def test_pull_errors_are_one_clear_line(cli: Cli, registry: RegistryProcess) -> None:
    missing = cli("pull", f"{registry.address}/nope/missing:1", check=False)
    assert missing.code == 1
    assert "not found" in missing.err and "Traceback" not in missing.err
    bad = cli("pull", "UPPER/Case:tag", check=False)
    assert bad.code == 2 and "lowercase" in bad.err
    refused = cli("pull", "127.0.0.1:1/x/y:1", check=False)
    assert refused.code == 1 and "127.0.0.1:1" in refused.err and "Traceback" not in refused.err


def test_build_pulls_a_missing_base_and_pull_flag_re_resolves_the_tag(cli: Cli, registry: RegistryProcess,
                                                                       busybox: str, busybox_tar: Path,
                                                                       tmp_path: Path) -> None:
    base = f"{registry.address}/lib/base:1"
    cli("push", "busybox", base)
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(f"FROM {base}\nCOPY hello /hello\n")
    (ctx / "hello").write_text("hi\n")
    builder = cli.on(tmp_path / "builder")
    builder("build", "-t", "app:1", str(ctx))
    assert manifest_digest(builder, base) == busybox

    # A new image under the same tag: a plain build keeps the stored base, --pull takes the new one.
    cli("import", str(busybox_tar), "busybox:new", "-m", "another base")
    cli("push", "busybox:new", base)
    newer = manifest_digest(cli, "busybox:new")
    assert newer != busybox
    builder("build", "-t", "app:2", str(ctx))
    assert manifest_digest(builder, base) == busybox
    builder("build", "--pull", "-t", "app:3", str(ctx))
    assert manifest_digest(builder, base) == newer


def test_build_push_puts_the_built_image_in_the_registry(cli: Cli, registry: RegistryProcess, busybox: str,
                                                         tmp_path: Path) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM busybox\nCOPY f /f\n")
    (ctx / "f").write_text("pushed\n")
    name = f"{registry.address}/built/app:1"
    cli("build", "-t", name, "--push", str(ctx))
    raw = skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{name}")
    remote = json.loads(raw)
    # The store keeps layers uncompressed; the registry gets them gzipped, with the same image ID.
    assert remote["config"]["digest"] == json.loads(cli("inspect", name).out)[0]["Id"]
    assert all(l["mediaType"].endswith("+gzip") for l in remote["layers"])
    via_output = f"{registry.address}/built/app:2"
    cli("build", "--output", f"type=image,name={via_output},push=true", str(ctx))
    assert skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{via_output}") == raw


def test_push_command_compresses_uncompressed_layers(cli: Cli, registry: RegistryProcess, busybox: str,
                                                     tmp_path: Path) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM busybox\nCOPY f /f\n")
    (ctx / "f").write_text("local\n")
    cli("build", "-t", "app:1", str(ctx))
    local = json.loads(cli("inspect", "app:1").out)[0]
    assert local["Manifest"]["layers"][-1]["mediaType"].endswith(".tar")
    name = f"{registry.address}/cli/app:1"
    cli("push", "app:1", name)
    remote = json.loads(skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{name}"))
    assert remote["config"]["digest"] == local["Id"]
    assert all(l["mediaType"].endswith("+gzip") for l in remote["layers"])
    pulled = cli.on(tmp_path / "other")
    pulled("pull", name)
    assert json.loads(pulled("inspect", name).out)[0]["Id"] == local["Id"]

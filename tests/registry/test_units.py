"""The pure parts: cache specs and artifacts, auth challenges and scopes, config files, references."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from buildkit_py.registry.auth import merge_scopes, parse_challenges
from buildkit_py.registry.cache import CONFIG_TYPE, build_artifact, parse_config, select_records
from buildkit_py.registry.cachespec import CacheSpec, parse_spec
from buildkit_py.registry.config import is_loopback, parse_config as parse_registries
from buildkit_py.registry.credentials import normalize_server, server_key
from buildkit_py.registry.errors import BadInput
from buildkit_py.registry.references import parse_remote, target
from buildkit_py.registry.transport import Transport

K1, K2, K3 = ("sha256:" + c * 64 for c in "123")
L1, L2 = ("sha256:" + c * 64 for c in "ab")


def rec(layer: str | None, created: float = 1.0) -> dict:
    return {"layer": None if layer is None else {"digest": layer, "diff_id": layer, "size": 10,
                                                  "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip"},
            "created": created, "pins": [] if layer is None else [layer]}


# ---- cache specs ---------------------------------------------------------------------------------

def test_cache_specs_read_like_dockers() -> None:
    assert parse_spec("type=registry,ref=r.io/app:cache,mode=max", export=True) == \
        CacheSpec("registry", ref="r.io/app:cache", mode="max")
    assert parse_spec("r.io/app:cache", export=False) == CacheSpec("registry", ref="r.io/app:cache")
    assert parse_spec("type=local,src=/tmp/c,cache-mounts=true", export=False) == \
        CacheSpec("local", path="/tmp/c", cache_mounts=True)
    assert parse_spec("type=local,dest=/tmp/c,tag=v2", export=True).tag == "v2"
    assert parse_spec("type=registry,ref=r/a:1,ignore-error=true", export=True).ignore_error


@pytest.mark.parametrize("spec, export, message", [
    ("", True, "empty"),
    ("r.io/app:cache", True, "needs type="),
    ("type=s3,bucket=x", True, "unknown field"),
    ("type=inline", True, "not supported"),
    ("type=ftp", False, "unknown cache type"),
    ("type=local,dest=/x", False, "needs src="),
    ("type=registry,ref=a/b:1,mode=max", False, "--cache-to only"),
    ("type=registry,ref=a/b:1,cache-mounts=maybe", True, "cache-mounts=true"),
    ("type=registry,noequals", True, "KEY=VALUE"),
])
def test_bad_cache_specs_name_the_problem(spec: str, export: bool, message: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_spec(spec, export=export)
    assert message in str(err.value) and err.value.exit_code == 2


# ---- cache artifacts -----------------------------------------------------------------------------

def test_mode_min_keeps_records_of_final_layers_and_layerless_steps() -> None:
    records = {K1: rec(L1), K2: rec(L2), K3: rec(None)}
    assert set(select_records(records, "min", [L1])) == {K1, K3}
    assert set(select_records(records, "max", [L1])) == {K1, K2, K3}


def test_cache_artifact_is_deterministic_and_lists_each_layer_once() -> None:
    records = {K1: rec(L1), K2: rec(L1), K3: rec(L2)}
    config1, manifest1, layers = build_artifact(records, [])
    config2, manifest2, _ = build_artifact(dict(reversed(list(records.items()))), [])
    assert (config1, manifest1) == (config2, manifest2)
    doc = json.loads(manifest1)
    assert doc["config"]["mediaType"] == CONFIG_TYPE
    assert [l["digest"] for l in doc["layers"]] == [L1, L2] == [l["digest"] for l in layers]
    parsed, mounts, packed = parse_config(config1, "test")
    assert parsed == records and mounts == [] and packed == {}


def test_packed_layers_travel_as_their_compressed_carriers() -> None:
    carrier = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + "c" * 64, "size": 3}
    records = {K1: rec(L1), K2: rec(L2)}
    config, manifest, layers = build_artifact(records, [], {L1: carrier})
    assert [l["digest"] for l in layers] == sorted([carrier["digest"], L2])
    parsed, _, packed = parse_config(config, "test")
    assert parsed == records and packed == {L1: carrier}


def test_malformed_cache_records_are_dropped_not_trusted() -> None:
    good = rec(L1)
    doc = {"version": 1, "records": {K1: good, "not-a-key": good, K2: {"layer": {"digest": "x"}},
                                     K3: {"layer": None, "pins": "nope"}}}
    records, _, _ = parse_config(json.dumps(doc).encode(), "test")
    assert records == {K1: good}


def test_unknown_cache_format_versions_are_refused() -> None:
    from buildkit_py.registry.errors import RegistryError

    with pytest.raises(RegistryError, match="format version"):
        parse_config(b'{"version": 99, "records": {}}', "test")


# ---- auth ----------------------------------------------------------------------------------------

def test_challenges_parse_like_docker_hubs() -> None:
    [ch] = parse_challenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
                            'scope="repository:library/busybox:pull"')
    assert ch.scheme == "bearer"
    assert ch.params == {"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                         "scope": "repository:library/busybox:pull"}
    basic, bearer = parse_challenges('Basic realm="Registry Realm", Bearer realm="https://x/t",error="invalid_token"')
    assert (basic.scheme, basic.params) == ("basic", {"realm": "Registry Realm"})
    assert bearer.params["error"] == "invalid_token"
    assert parse_challenges("") == []


def test_scopes_merge_per_repository() -> None:
    assert merge_scopes(["repository:a:push", "repository:a:pull", "repository:b:pull", ""]) == \
        ["repository:a:pull,push", "repository:b:pull"]
    assert merge_scopes(["registry:catalog:*"]) == ["registry:catalog:*"]


# ---- config, references, credentials keys -----------------------------------------------------------

def test_registries_file_reads_buildkits_shape(tmp_path: Path) -> None:
    cfg = parse_registries('[registry."docker.io"]\nmirrors = ["m.example:5000"]\n'
                           '[registry."reg.internal:5000"]\nhttp = true\n'
                           '[registry."self.example"]\ninsecure = true\nca = ["/ca.pem"]\n', tmp_path / "r.toml")
    assert cfg.host("docker.io").mirrors == ("m.example:5000",)
    assert cfg.host("reg.internal:5000").http and cfg.host("self.example").ca == ("/ca.pem",)
    assert cfg.host("other.example").mirrors == ()


@pytest.mark.parametrize("text, message", [
    ("registry = 1", "table of hosts"),
    ('[registry."a"]\nmirror = ["x"]', "unknown key 'mirror'"),
    ('[registry."a"]\nhttp = "yes"', "true or false"),
    ('[mirrors]\n', "unknown key 'mirrors'"),
    ("[registry\n", "invalid TOML"),
])
def test_registries_file_errors_point_at_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_registries(text, tmp_path / "r.toml")
    assert message in str(err.value) and str(tmp_path / "r.toml") in str(err.value)


def test_loopback_hosts() -> None:
    assert all(is_loopback(h) for h in ("localhost", "localhost:5000", "127.0.0.1", "127.1.2.3:80", "[::1]:5000"))
    assert not any(is_loopback(h) for h in ("docker.io", "10.0.0.1:5000", "localhost.example"))


def test_references_target_digest_before_tag() -> None:
    r = parse_remote("busybox")
    assert (r.domain, r.path, target(r)) == ("docker.io", "library/busybox", "latest")
    d = "sha256:" + "a" * 64
    r = parse_remote(f"127.0.0.1:5000/team/app:1@{d}")
    assert (r.domain, r.path, target(r)) == ("127.0.0.1:5000", "team/app", d)


def test_docker_hub_credentials_live_under_its_old_index_url() -> None:
    assert server_key("docker.io") == "https://index.docker.io/v1/"
    assert normalize_server("https://index.docker.io/v1/") == "docker.io"
    assert normalize_server("https://ghcr.io") == "ghcr.io"
    assert normalize_server("registry-1.docker.io") == "docker.io"
    assert normalize_server("http://127.0.0.1:5000/v2/") == "127.0.0.1:5000"


def test_proxies_come_from_the_environment_but_never_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("http_proxy", "HTTP_PROXY", "https_proxy", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example,.corp")
    t = Transport()
    assert t.proxy_for("https", "ghcr.io") == "http://proxy.example:3128"
    assert t.proxy_for("https", "internal.example") is None
    assert t.proxy_for("https", "reg.corp:5000") is None
    assert t.proxy_for("https", "127.0.0.1:5000") is None
    assert t.proxy_for("http", "ghcr.io") is None  # only HTTPS_PROXY is set

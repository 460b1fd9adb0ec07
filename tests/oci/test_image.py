"""Image objects: JSON round trips, the canonical encoding, and the OCI schemas."""
from __future__ import annotations

import json

import jsonschema
import pytest

from buildkit_py.oci import mediatypes as mt
from buildkit_py.oci.image import (
    ContainerConfig, Descriptor, Healthcheck, History, ImageConfig, ImageSpecError, Index,
    Manifest, Platform, canonical_json, digest_bytes, oci_layout_json, parse_manifest_or_index,
)

D1 = "sha256:" + "a" * 64
D2 = "sha256:" + "b" * 64


def full_config() -> ImageConfig:
    return ImageConfig(
        architecture="arm64", os="linux", variant="v8",
        created="2024-01-02T03:04:05Z", author="me <me@example.com>",
        config=ContainerConfig(
            user="1000:1000", exposed_ports=("80/tcp", "53/udp"), env=("PATH=/usr/bin", "A=<&>"),
            entrypoint=("/bin/sh", "-c"), cmd=("echo hi",), volumes=("/data",),
            working_dir="/app", labels={"z": "1", "a": "é"}, stop_signal="SIGTERM",
            args_escaped=True, healthcheck=Healthcheck(("CMD", "true"), interval=30_000_000_000,
                                                       retries=3),
            on_build=("RUN true",), shell=("/bin/bash", "-c")),
        diff_ids=(D1, D2),
        history=(History(created="2024-01-02T03:04:05Z", created_by="RUN x"),
                 History(created_by="ENV a=b", empty_layer=True, comment="c")),
    )


def test_config_round_trip_keeps_every_field(oci_schema) -> None:
    cfg = full_config()
    data = canonical_json(cfg)
    back = ImageConfig.from_json(json.loads(data))
    assert back == cfg
    assert canonical_json(back) == data
    oci_schema("config-schema.json", json.loads(data))


def test_unknown_fields_survive_a_round_trip() -> None:
    raw = {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
           "docker_version": "24.0", "container_config": {"Hostname": "x"},
           "config": {"Hostname": "abc", "Env": ["A=1"], "Cmd": None}}
    back = ImageConfig.from_json(raw).to_json()
    assert back["docker_version"] == "24.0"
    assert back["container_config"] == {"Hostname": "x"}
    assert back["config"] == {"Env": ["A=1"], "Hostname": "abc"}


def test_canonical_json_is_compact_ordered_and_go_escaped() -> None:
    data = canonical_json({"b": "<é>", "a": [1, 2]})
    assert data == b'{"b":"\\u003c\xc3\xa9\\u003e","a":[1,2]}'
    assert canonical_json(full_config()) == canonical_json(full_config())
    cfg = json.loads(canonical_json(full_config()))
    assert list(cfg) == ["created", "author", "architecture", "os", "variant", "config",
                         "rootfs", "history"]
    assert list(cfg["config"]["Labels"]) == ["a", "z"]
    assert list(cfg["config"]["ExposedPorts"]) == ["53/udp", "80/tcp"]


def test_digest_bytes_is_sha256_of_the_bytes() -> None:
    assert digest_bytes(b"") == ("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                                 "7852b855")


def manifest() -> Manifest:
    cfg = canonical_json(full_config())
    return Manifest(
        config=Descriptor(mt.OCI_CONFIG, digest_bytes(cfg), len(cfg)),
        layers=(Descriptor(mt.OCI_LAYER_GZIP, D1, 10, annotations={"k": "v"}),
                Descriptor(mt.OCI_LAYER_ZSTD, D2, 20, urls=("https://example.com/x",))),
        annotations={"org.opencontainers.image.created": "2024-01-02T03:04:05Z"},
    )


def test_manifest_and_index_round_trip_and_validate(oci_schema) -> None:
    m = manifest()
    data = canonical_json(m)
    oci_schema("image-manifest-schema.json", json.loads(data))
    assert parse_manifest_or_index(data) == m
    idx = Index(manifests=(Descriptor(mt.OCI_MANIFEST, digest_bytes(data), len(data),
                                      platform=Platform("linux", "arm64", variant="v8"),
                                      annotations={"org.opencontainers.image.ref.name": "v1"}),))
    idata = canonical_json(idx)
    oci_schema("image-index-schema.json", json.loads(idata))
    assert parse_manifest_or_index(idata) == idx
    oci_schema("image-layout-schema.json", json.loads(oci_layout_json()))


def test_docker_media_types_round_trip() -> None:
    m = manifest()
    docker = Manifest(
        config=Descriptor(mt.to_docker(m.config.media_type), m.config.digest, m.config.size),
        layers=tuple(Descriptor(mt.to_docker(x.media_type), x.digest, x.size) for x in m.layers),
        media_type=mt.DOCKER_MANIFEST)
    back = parse_manifest_or_index(canonical_json(docker))
    assert back == docker
    assert back.config.media_type == mt.DOCKER_CONFIG
    assert [mt.to_oci(x.media_type) for x in back.layers] == [mt.OCI_LAYER_GZIP, mt.OCI_LAYER_ZSTD]
    lst = parse_manifest_or_index(json.dumps(
        {"schemaVersion": 2, "mediaType": mt.DOCKER_MANIFEST_LIST, "manifests": []}).encode())
    assert isinstance(lst, Index) and lst.media_type == mt.DOCKER_MANIFEST_LIST


def test_media_type_helpers() -> None:
    assert mt.is_manifest(mt.DOCKER_MANIFEST) and not mt.is_manifest(mt.OCI_INDEX)
    assert mt.is_index(mt.DOCKER_MANIFEST_LIST) and mt.is_index(mt.OCI_INDEX)
    assert mt.is_layer(mt.DOCKER_LAYER_GZIP) and not mt.is_layer(mt.OCI_CONFIG)
    assert [mt.compression_of(x) for x in (mt.OCI_LAYER, mt.OCI_LAYER_GZIP, mt.OCI_LAYER_ZSTD,
                                           mt.DOCKER_LAYER_GZIP)] == ["none", "gzip", "zstd", "gzip"]
    assert mt.to_oci(mt.to_docker(mt.OCI_LAYER_GZIP)) == mt.OCI_LAYER_GZIP
    with pytest.raises(ValueError):
        mt.compression_of(mt.OCI_CONFIG)


@pytest.mark.parametrize("doc, words", [
    ({"schemaVersion": 2, "config": {"mediaType": mt.OCI_CONFIG, "digest": "sha256:../../etc",
                                     "size": 1}, "layers": []}, "config: digest"),
    ({"schemaVersion": 1, "config": {}, "layers": []}, "schemaVersion must be 2"),
    ({"schemaVersion": 2, "config": {"mediaType": mt.OCI_CONFIG, "digest": D1, "size": "1"},
      "layers": []}, "'size' must be an integer"),
    ({"schemaVersion": 2, "config": {"mediaType": mt.OCI_CONFIG, "digest": D1, "size": 1}},
     "missing required field 'layers'"),
])
def test_bad_manifests_name_the_field(doc, words) -> None:
    with pytest.raises(ImageSpecError) as err:
        parse_manifest_or_index(json.dumps(doc).encode())
    assert words in str(err.value)


def test_schema_rejects_what_it_should(oci_schema) -> None:
    # The validator set-up must really check: a manifest without layers fails it.
    with pytest.raises(jsonschema.ValidationError):
        oci_schema("image-manifest-schema.json", {"schemaVersion": 2, "config": {}})

"""fsck finds corrupt and missing blobs and invalid manifests; --repair removes what is broken."""
from __future__ import annotations

import os

from buildkit_py.store import Store
from buildkit_py.store.fsck import fsck

from tests.store.storeutil import put_image


def corrupt(store: Store, digest: str) -> None:
    p = store.blobs.path(digest)
    os.chmod(p, 0o644)
    with open(p, "r+b") as f:
        f.seek(0)
        f.write(b"\0")


def test_clean_store_is_clean(store: Store) -> None:
    put_image(store, {"a": b"1"}, ["x"])
    store.db.cache_put("k", {"pins": []})
    report = fsck(store)
    assert report.clean and report.blobs_checked == 3 and report.images_checked == 1


def test_corrupt_layer_is_found_and_repair_drops_image(store: Store) -> None:
    m, cfg, layers = put_image(store, {"a": b"1"}, ["broken"])
    good, _, _ = put_image(store, {"b": b"2"}, ["good"])
    corrupt(store, layers[0])
    report = fsck(store)
    kinds = {(p.kind, p.subject) for p in report.problems}
    assert ("corrupt-blob", layers[0]) in kinds and not report.clean
    assert any("broken" in p.message for p in report.problems)
    repaired = fsck(store, repair=True)
    assert repaired.clean
    assert not store.blobs.has(layers[0]) and store.db.image(m) is None
    assert store.resolve("good").digest == good
    assert fsck(store).clean


def test_missing_blob_and_cache_pin(store: Store) -> None:
    m, cfg, layers = put_image(store, {"a": b"1"}, ["x"])
    store.db.cache_put("k", {"pins": [layers[0]]})
    store.blobs.delete(cfg)
    report = fsck(store)
    assert ("missing-blob", cfg) in {(p.kind, p.subject) for p in report.problems}
    store.blobs.delete(layers[0])
    report = fsck(store, repair=True)
    assert report.clean
    assert store.db.cache_records() == [] and store.db.images() == []


def test_descriptor_size_mismatch(store: Store) -> None:
    with store.writing():
        cfg = store.blobs.put_bytes(b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}')
        m = store.blobs.put_bytes(b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
                                  b'"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"'
                                  + cfg.encode() + b'","size":3},"layers":[]}')
        store.add_image(m, ["x"])
    report = fsck(store)
    assert {p.kind for p in report.problems} == {"bad-size"}


def test_stray_files_are_reported_and_removed(store: Store) -> None:
    (store.blobs.dir / "notadigest").write_bytes(b"?")
    report = fsck(store)
    assert [p.kind for p in report.problems] == ["stray-file"]
    assert fsck(store, repair=True).clean and store.blobs.strays() == []

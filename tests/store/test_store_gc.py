"""GC keeps what images and retained cache records reach, and follows the prune policy."""
from __future__ import annotations

import time

from buildkit_py.store import Store
from buildkit_py.store.gc import PrunePolicy, collect, prune

from tests.store.storeutil import put_image


def blobs(store: Store) -> set[str]:
    return set(store.blobs)


def test_named_images_survive_and_garbage_goes(store: Store) -> None:
    m, cfg, layers = put_image(store, {"a": b"1"}, ["keep"])
    with store.writing():
        junk = store.blobs.put_bytes(b"junk" * 100)
    report = prune(store, PrunePolicy())
    assert report.blobs_removed == ((junk, 400),)
    assert report.reclaimed == 400
    assert blobs(store) == {m, cfg, *layers}


def test_dangling_images_are_pruned_named_ones_kept(store: Store) -> None:
    old, _, _ = put_image(store, {"a": b"1"}, ["app"])
    new, _, _ = put_image(store, {"a": b"2"}, ["app"])
    report = prune(store, PrunePolicy())
    assert report.images_removed == (old,)
    assert store.db.image(old) is None and store.db.image(new) is not None
    assert old not in blobs(store)


def test_cache_pins_keep_blobs_and_all_drops_them(store: Store) -> None:
    with store.writing():
        a = store.blobs.put_bytes(b"a" * 10)
        b = store.blobs.put_bytes(b"b" * 20)
        store.db.cache_put("k1", {"pins": [a]}, size=10)
        store.db.cache_put("k2", {"pins": [b], "result": "x"}, size=20)
    assert prune(store, PrunePolicy()).blobs_removed == ()
    report = prune(store, PrunePolicy(all=True))
    assert set(report.cache_removed) == {"k1", "k2"} and report.reclaimed == 30
    assert blobs(store) == set()


def test_cache_pin_of_a_manifest_keeps_its_layers(store: Store) -> None:
    m, cfg, layers = put_image(store, {"a": b"1"})
    store.delete_image(m)
    store.db.cache_put("build", {"pins": [m]})
    prune(store, PrunePolicy())
    assert blobs(store) == {m, cfg, *layers}


def test_until_drops_records_unused_since(store: Store) -> None:
    with store.writing():
        a = store.blobs.put_bytes(b"a")
        b = store.blobs.put_bytes(b"b")
        store.db.cache_put("old", {"pins": [a]})
        store.db.cache_put("new", {"pins": [b]})
    with store.db.transaction() as c:
        c.execute("UPDATE cache SET last_used = ? WHERE key = 'old'", (time.time() - 7200,))
    report = prune(store, PrunePolicy(until=time.time() - 3600))
    assert report.cache_removed == ("old",)
    assert blobs(store) == {b}


def test_keep_storage_drops_least_recently_used_until_it_fits(store: Store) -> None:
    now = time.time()
    with store.writing():
        for i in range(5):
            d = store.blobs.put_bytes(bytes([i]) * 1000)
            store.db.cache_put(f"k{i}", {"pins": [d]})
    with store.db.transaction() as c:
        for i in range(5):  # k0 is the least recently used
            c.execute("UPDATE cache SET last_used = ? WHERE key = ?", (now - 100 + i, f"k{i}"))
    report = prune(store, PrunePolicy(keep_storage=2500))
    assert report.cache_removed == ("k0", "k1", "k2")
    assert sorted(r.key for r in store.db.cache_records()) == ["k3", "k4"]
    assert sum(store.blobs.size(d) for d in store.blobs) == 2000


def test_keep_storage_counts_a_shared_blob_once(store: Store) -> None:
    with store.writing():
        shared = store.blobs.put_bytes(b"s" * 1000)
        store.db.cache_put("a", {"pins": [shared]})
        store.db.cache_put("b", {"pins": [shared]})
    assert prune(store, PrunePolicy(keep_storage=1000)).cache_removed == ()


def test_collect_gives_way_to_a_writer(store: Store) -> None:
    with store.writing():
        store.blobs.put_bytes(b"unreferenced")
        # Another holder (here: this process, shared) means no sweep; the blob is safe.
        import fcntl
        import os
        fd = os.open(store.root / "lock", os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_SH)
    try:
        assert collect(store) is None
        assert len(blobs(store)) == 1
    finally:
        os.close(fd)
    assert collect(store) is not None and blobs(store) == set()

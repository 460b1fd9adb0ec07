"""Blobs are written whole or not at all, verified against their digest, and shared safely."""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from buildkit_py.store import Store
from buildkit_py.store.errors import BlobNotFound, DigestMismatch, InvalidInput


def sha(b: bytes) -> str:
    return "sha256:" + hashlib.sha256(b).hexdigest()


def test_streamed_blob_lands_under_its_digest(store: Store) -> None:
    with store.writing(), store.blobs.writer() as w:
        for i in range(10):
            w.write(bytes([i]) * 100_000)
        digest = w.commit()
    data = b"".join(bytes([i]) * 100_000 for i in range(10))
    assert digest == sha(data)
    assert store.blobs.path(digest) == store.root / "blobs" / "sha256" / digest[7:]
    with store.blobs.open(digest) as f:
        assert f.read() == data
    assert store.blobs.size(digest) == len(data)
    assert os.listdir(store.blobs.ingest) == []


def test_expected_digest_mismatch_writes_nothing(store: Store) -> None:
    wrong = sha(b"other")
    with pytest.raises(DigestMismatch) as err:
        store.blobs.put_bytes(b"content", expected=wrong)
    assert err.value.exit_code == 1
    assert not store.blobs.has(wrong) and not store.blobs.has(sha(b"content"))
    assert os.listdir(store.blobs.ingest) == []


def test_writer_left_without_commit_leaves_nothing(store: Store) -> None:
    with store.blobs.writer() as w:
        w.write(b"half")
    assert list(store.blobs) == [] and os.listdir(store.blobs.ingest) == []


def test_existing_blob_is_verified_but_not_rewritten(store: Store) -> None:
    d = store.blobs.put_bytes(b"abc")
    inode = store.blobs.path(d).stat().st_ino
    assert store.blobs.put_bytes(b"abc", expected=d) == d
    assert store.blobs.path(d).stat().st_ino == inode
    with pytest.raises(DigestMismatch):
        store.blobs.put_bytes(b"abd", expected=d)


def test_blobs_are_read_only_files(store: Store) -> None:
    d = store.blobs.put_bytes(b"x")
    assert store.blobs.path(d).stat().st_mode & 0o777 == 0o444


def test_missing_blob_and_bad_digest_errors(store: Store) -> None:
    with pytest.raises(BlobNotFound) as err:
        store.blobs.open(sha(b"nope"))
    assert "fsck" in (err.value.hint or "")
    with pytest.raises(InvalidInput):
        store.blobs.path("sha256:../../etc/passwd")
    with pytest.raises(InvalidInput):
        store.blobs.put_bytes(b"x", expected="md5:abc")


def _hold_ingest(root: str, ready: "multiprocessing.synchronize.Event") -> None:
    s = Store(root)
    w = s.blobs.writer()
    w.write(b"partial" * 1000)
    w.flush()
    ready.set()
    time.sleep(60)


def test_cleaner_removes_only_ingest_files_of_dead_writers(tmp_path: Path) -> None:
    root = str(tmp_path / "root")
    store = Store(root)
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    live = ctx.Process(target=_hold_ingest, args=(root, ready))
    live.start()
    assert ready.wait(10)
    ready2 = ctx.Event()
    dead = ctx.Process(target=_hold_ingest, args=(root, ready2))
    dead.start()
    assert ready2.wait(10)
    os.kill(dead.pid, signal.SIGKILL)
    dead.join()
    assert len(os.listdir(store.blobs.ingest)) == 2
    freed = store.blobs.clean_ingest()
    assert freed == 7000
    assert len(os.listdir(store.blobs.ingest)) == 1  # the live writer's file stays
    live.kill()
    live.join()
    store.blobs.clean_ingest()
    assert os.listdir(store.blobs.ingest) == []


def test_a_layer_written_by_a_hashing_producer_lands_under_the_producers_digest(store: Store, tmp_path: Path) -> None:
    # The solver's path: the layer writer hashes what it writes and names the digest at commit.
    from buildkit_py.oci.layer import write_layer_from_dir

    src = tmp_path / "upper"
    (src / "etc").mkdir(parents=True)
    (src / "etc" / "motd").write_bytes(b"hello\n" * 1000)
    with store.writing(), store.blobs.writer(producer_hashes=True) as w:
        info = write_layer_from_dir(src, w, compression="gzip")
        digest = w.commit(info.digest)
    assert digest == info.digest
    with store.blobs.open(digest) as f:
        assert sha(f.read()) == digest  # what the producer named is what was stored
    assert os.listdir(store.blobs.ingest) == []


def test_commit_with_a_produced_digest_only_for_producer_hashed_writers(store: Store) -> None:
    with store.writing():
        with store.blobs.writer() as w, pytest.raises(ValueError):
            w.write(b"x")
            w.commit(sha(b"x"))
        with store.blobs.writer(producer_hashes=True) as w, pytest.raises(ValueError):
            w.write(b"x")
            w.commit()
        with store.blobs.writer(producer_hashes=True) as w, pytest.raises(InvalidInput):
            w.write(b"x")
            w.commit("md5:abc")
    assert os.listdir(store.blobs.ingest) == []

"""The metadata database: cache records for the build engine, schema version, transactions."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from buildkit_py.store import Store, StoreError


def test_cache_records_round_trip_and_touch(store: Store) -> None:
    store.db.cache_put("key1", {"pins": ["sha256:" + "a" * 64], "layers": ["x"]}, size=12)
    rec = store.db.cache_get("key1", touch=False)
    assert rec is not None and rec.value["layers"] == ["x"] and rec.size == 12
    assert rec.pins == ["sha256:" + "a" * 64]
    with store.db.transaction() as c:
        c.execute("UPDATE cache SET last_used = 0 WHERE key = 'key1'")
    store.db.cache_get("key1")  # a hit refreshes last_used, which keeps it from LRU pruning
    again = store.db.cache_get("key1", touch=False)
    assert again is not None and again.last_used > time.time() - 60
    store.db.cache_put("key1", {"pins": []})
    assert store.db.cache_get("key1", touch=False).pins == []  # type: ignore[union-attr]
    assert store.db.cache_delete("key1") and store.db.cache_get("key1") is None


def test_failed_transaction_changes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.db.transaction() as c:
            c.execute("INSERT INTO cache VALUES ('k', '{}', 0, 0, 0)")
            raise RuntimeError("boom")
    assert store.db.cache_records() == []


def test_wal_mode_and_newer_schema_is_refused(tmp_path: Path) -> None:
    s = Store(tmp_path / "r")
    assert s.db.query("PRAGMA journal_mode")[0][0] == "wal"
    s.close()
    conn = sqlite3.connect(tmp_path / "r" / "metadata.db")
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version 99"):
        Store(tmp_path / "r")


def test_default_root_follows_pybuild_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from buildkit_py.store.paths import default_root

    monkeypatch.setenv("PYBUILD_ROOT", str(tmp_path / "x"))
    assert default_root() == tmp_path / "x"
    monkeypatch.delenv("PYBUILD_ROOT")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_root() == tmp_path / ".local" / "share" / "pybuild"

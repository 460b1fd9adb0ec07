"""`pybuild prune` and `pybuild fsck` on the command line: flags, reports, exit statuses, prompts."""
from __future__ import annotations

import json
import os
import pty
import subprocess
import time

from buildkit_py.store import Store
from tests.store.storeutil import Pybuild, put_image


def _blob_count(p: Pybuild) -> int:
    return len(os.listdir(p.root / "blobs" / "sha256"))


def test_prune_reclaims_what_rmi_left(pybuild: Pybuild, busybox: str) -> None:
    pybuild("rmi", "--no-prune", "busybox")
    assert _blob_count(pybuild) == 3
    size = sum(f.stat().st_size for f in (pybuild.root / "blobs" / "sha256").iterdir())
    report = json.loads(pybuild("prune", "-f", "--format=json").out)
    assert report["SpaceReclaimed"] == size and len(report["BlobsDeleted"]) == 3
    assert _blob_count(pybuild) == 0
    assert pybuild("prune", "-f").out.strip() == "Total reclaimed space: 0B"


def test_prune_cache_filters(pybuild: Pybuild) -> None:
    with Store(pybuild.root) as store, store.writing():
        for key in ("old", "new", "big"):
            d = store.blobs.put_bytes(key.encode() * (1000 if key == "big" else 1))
            store.db.cache_put(key, {"pins": [d]})
        with store.db.transaction() as c:
            c.execute("UPDATE cache SET last_used = ? WHERE key IN ('old', 'big')", (time.time() - 2 * 86400,))
    out = pybuild("prune", "-f", "--filter", "until=24h").out
    assert out.splitlines()[:3] == ["Deleted build cache objects:", "big", "old"]
    with Store(pybuild.root) as store:
        assert [r.key for r in store.db.cache_records()] == ["new"]
    report = json.loads(pybuild("prune", "-f", "--all", "--format=json").out)
    assert report["CachesDeleted"] == ["new"] and _blob_count(pybuild) == 0


def test_prune_keep_storage_keeps_named_images(pybuild: Pybuild, busybox: str) -> None:
    with Store(pybuild.root) as store, store.writing():
        d = store.blobs.put_bytes(b"c" * 5000)
        store.db.cache_put("cache", {"pins": [d]})
    report = json.loads(pybuild("prune", "-f", "--keep-storage", "1kb", "--format=json").out)
    assert report["CachesDeleted"] == ["cache"]
    assert pybuild("images", "-q", "--no-trunc").out.strip() == busybox  # images are never dropped


def test_prune_bad_flags_are_exit_2(pybuild: Pybuild) -> None:
    for args, text in ((["--filter", "label=x"], "until="), (["--filter", "until=soon"], "until="),
                       (["--keep-storage", "12XB"], "invalid size"), (["--format", "yaml"], "--format")):
        r = pybuild("prune", "-f", *args, ok=False)
        assert r.code == 2 and text in r.err, (args, r.err)


def test_prune_on_a_terminal_asks_first(pybuild: Pybuild, busybox: str) -> None:
    pybuild("rmi", "--no-prune", "busybox")
    master, slave = pty.openpty()
    proc = subprocess.Popen(pybuild.cmd("prune"), stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=pybuild.env())
    os.close(slave)
    os.write(master, b"n\n")
    out, err = proc.communicate(timeout=60)
    os.close(master)
    assert b"Are you sure you want to continue?" in out + err
    assert proc.returncode != 0 and _blob_count(pybuild) == 3  # declined: nothing removed


def test_fsck_reports_corruption_and_repair_fixes_it(pybuild: Pybuild, busybox: str) -> None:
    with Store(pybuild.root) as store:
        put_image(store, {"f": b"x"}, ["other"])
        layer = json.loads(pybuild("inspect", "busybox").out)[0]["Manifest"]["layers"][0]["digest"]
        path = store.blobs.path(layer)
    path.chmod(0o644)
    with open(path, "r+b") as f:
        f.seek(100)
        f.write(b"!")
    r = pybuild("fsck", ok=False)
    assert r.code == 1
    assert f"corrupt-blob: {layer}: content hashes to sha256:" in r.out
    assert "needed by image docker.io/library/busybox:latest" in r.out and "--repair" in r.err
    report = json.loads(pybuild("fsck", "--format=json", ok=False).out)
    assert not report["clean"] and {p["kind"] for p in report["problems"]} == {"corrupt-blob"}
    r = pybuild("fsck", "--repair")
    assert f"repaired: deleted corrupt blob {layer}" in r.out and r.out.rstrip().endswith("clean")
    assert pybuild("images", "--format", "{{.Repository}}").out.split() == ["other"]
    assert pybuild("fsck").code == 0

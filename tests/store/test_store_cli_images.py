"""`pybuild images | inspect | history | tag | rmi` print what docker prints, and fail as docker does."""
from __future__ import annotations

import json
import re
from pathlib import Path

from tests.store.storeutil import Pybuild


def test_images_table_lists_the_import(pybuild: Pybuild, busybox: str) -> None:
    out = pybuild("images").out.splitlines()
    assert re.fullmatch(r"REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE", out[0])
    cells = re.split(r"\s{3,}", out[1])
    assert cells[:3] == ["busybox", "latest", busybox[7:19]]
    assert cells[3].endswith("ago") and re.fullmatch(r"[\d.]+[kM]B", cells[4])
    # columns line up under their headers
    assert out[0].index("IMAGE ID") == out[1].index(busybox[7:19])


def test_images_quiet_no_trunc_digests(pybuild: Pybuild, busybox: str) -> None:
    assert pybuild("images", "-q").out.split() == [busybox[7:19]]
    assert pybuild("images", "-q", "--no-trunc").out.split() == [busybox]
    digest = json.loads(pybuild("inspect", "busybox").out)[0]["Descriptor"]["digest"]
    assert digest in pybuild("images", "--digests").out.splitlines()[1]
    assert "DIGEST" in pybuild("images", "--digests").out.splitlines()[0]


def test_images_json_and_template(pybuild: Pybuild, busybox: str) -> None:
    rows = [json.loads(line) for line in pybuild("images", "--format", "json").out.splitlines()]
    assert [(r["Repository"], r["Tag"], r["ID"]) for r in rows] == [("busybox", "latest", busybox[7:19])]
    assert pybuild("images", "--format", "{{.Repository}}:{{.Tag}}").out.strip() == "busybox:latest"
    bad = pybuild("images", "--format", "{{.Nope}}", ok=False)
    assert bad.code == 2 and "Nope" in bad.err


def test_images_filter_by_name_pattern(pybuild: Pybuild, busybox: str) -> None:
    pybuild("tag", "busybox", "me/tool:1.0")
    assert pybuild("images", "busy*", "--format", "{{.Repository}}").out.split() == ["busybox"]
    assert pybuild("images", "me/tool:1.*", "--format", "{{.Repository}}").out.split() == ["me/tool"]
    assert pybuild("images", "-q", "nothing").out == ""
    assert pybuild("images", "-f", "dangling=true", "-q").out == ""
    assert pybuild("images", "-f", "bogus=1", ok=False).code == 2


def test_inspect_shows_manifest_config_and_names(pybuild: Pybuild, busybox: str) -> None:
    doc = json.loads(pybuild("inspect", "busybox").out)
    assert len(doc) == 1
    img = doc[0]
    assert img["Id"] == busybox
    assert img["RepoTags"] == ["busybox:latest"]
    assert img["Manifest"]["config"]["digest"] == busybox
    assert img["ImageConfig"]["rootfs"]["diff_ids"] == img["RootFS"]["Layers"]
    assert img["RepoDigests"] == [f"busybox@{img['Descriptor']['digest']}"]
    assert img["Comment"] == "base image"
    # every way of naming it gives the same document
    for arg in (busybox, busybox[7:19], img["Descriptor"]["digest"], f"busybox@{img['Descriptor']['digest']}"):
        assert json.loads(pybuild("inspect", arg).out)[0]["Id"] == busybox
    assert pybuild("inspect", "-f", "{{.Id}}", "busybox").out.strip() == busybox


def test_unknown_image_is_exit_1_with_docker_wording(pybuild: Pybuild, busybox: str) -> None:
    for args in (["inspect", "nosuch"], ["history", "nosuch"], ["rmi", "nosuch"], ["tag", "nosuch", "x"],
                 ["export", "nosuch", "-o", "/dev/null"], ["save", "nosuch", "-o", "/dev/null"]):
        r = pybuild(*args, ok=False)
        assert r.code == 1, args
        assert "No such image: nosuch:latest" in r.err and "hint:" in r.err and "Traceback" not in r.err


def test_bad_reference_is_exit_2(pybuild: Pybuild, busybox: str) -> None:
    r = pybuild("tag", "busybox", "Not/Lower", ok=False)
    assert r.code == 2 and "must be lowercase" in r.err


def test_history_lists_the_import(pybuild: Pybuild, busybox: str) -> None:
    out = pybuild("history", "busybox").out.splitlines()
    assert re.fullmatch(r"IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT", out[0])
    assert out[1].startswith(busybox[7:19]) and out[1].endswith("base image")
    assert pybuild("history", "-q", "busybox").out.split() == [busybox[7:19]]
    assert pybuild("history", "-q", "--no-trunc", "busybox").out.split() == [busybox]
    row = json.loads(pybuild("history", "--format", "json", "busybox").out)
    assert row["Comment"] == "base image" and row["ID"] == busybox[7:19]


def test_history_of_a_multi_step_image_is_newest_first(pybuild: Pybuild, tmp_path: Path) -> None:
    from buildkit_py.store import Store
    from tests.store.storeutil import put_image

    with Store(pybuild.root) as store:
        put_image(store, {"a": b"1"}, ["one"])
    r = pybuild("history", "one", "--no-trunc", "--human=false").out.splitlines()
    assert "test step 0" in r[1] and "2024-01-01T00:00:00Z" in r[1]


def test_tag_then_rmi_untags_and_deletes(pybuild: Pybuild, busybox: str) -> None:
    pybuild("tag", busybox[7:19], "localhost:5000/box:v2")
    assert "localhost:5000/box" in pybuild("images").out
    r = pybuild("rmi", "localhost:5000/box:v2")
    assert r.out.splitlines() == ["Untagged: localhost:5000/box:v2"]
    r = pybuild("rmi", "busybox")
    assert r.out.splitlines() == ["Untagged: busybox:latest", f"Deleted: {busybox}"]
    assert pybuild("images", "-q").out == ""
    # the blobs went too (no other process held the store)
    assert list((pybuild.root / "blobs" / "sha256").iterdir()) == []


def test_rmi_by_id_with_names_in_two_repositories_needs_force(pybuild: Pybuild, busybox: str) -> None:
    pybuild("tag", "busybox", "other:1")
    r = pybuild("rmi", busybox[7:19], ok=False)
    assert r.code == 1 and "must be forced" in r.err
    r = pybuild("rmi", "-f", busybox[7:19])
    assert sorted(r.out.splitlines()) == sorted(
        ["Untagged: busybox:latest", "Untagged: other:1", f"Deleted: {busybox}"])


def test_rmi_continues_past_a_missing_image(pybuild: Pybuild, busybox: str) -> None:
    r = pybuild("rmi", "nosuch", "busybox", ok=False)
    assert r.code == 1
    assert "Untagged: busybox:latest" in r.out and "No such image: nosuch" in r.err

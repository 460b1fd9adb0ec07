"""Images are found by name, name@digest, digest, image ID, or a unique ID prefix."""
from __future__ import annotations

import pytest

from buildkit_py.store import ImageNotFound, InvalidInput, Store

from tests.store.storeutil import put_image


def test_names_are_stored_in_full_form(store: Store) -> None:
    m, cfg, _ = put_image(store, {"a": b"1"}, ["busybox"])
    assert store.db.refs() == [("docker.io/library/busybox:latest", m)]
    row = store.db.image(m)
    assert row is not None and row.image_id == cfg and row.created == "2024-01-01T00:00:00Z"
    assert row.size == sum(store.blobs.size(n.digest) for n in store.walk(m))


@pytest.mark.parametrize("how", ["busybox", "busybox:latest", "docker.io/library/busybox",
                                 "name@digest", "digest", "id", "id12", "sha256:id12"])
def test_every_way_of_naming_an_image_resolves(store: Store, how: str) -> None:
    m, cfg, _ = put_image(store, {"a": b"1"}, ["busybox"])
    arg = {"name@digest": f"busybox@{m}", "digest": m, "id": cfg, "id12": cfg[7:19],
           "sha256:id12": cfg[:19]}.get(how, how)
    assert store.resolve(arg).digest == m


def test_unknown_image_says_no_such_image(store: Store) -> None:
    with pytest.raises(ImageNotFound) as err:
        store.resolve("nosuch")
    assert err.value.message == "No such image: nosuch:latest"
    assert err.value.exit_code == 1 and "pybuild images" in (err.value.hint or "")


def test_ambiguous_id_prefix_is_an_error(store: Store) -> None:
    ids = []
    for i in range(40):  # forty configs: two of them share a first hex digit
        ids.append(put_image(store, {"a": str(i).encode()})[1])
    first = [i[7] for i in ids]
    dup = next(c for c in first if first.count(c) > 1)
    with pytest.raises(InvalidInput, match="multiple IDs"):
        store.resolve(dup)


def test_tag_and_untag(store: Store) -> None:
    m, _, _ = put_image(store, {"a": b"1"}, ["busybox"])
    assert store.tag(m, "me/box:v1") == "docker.io/me/box:v1"
    assert store.resolve("me/box:v1").digest == m
    assert store.untag("docker.io/me/box:v1") == m
    with pytest.raises(ImageNotFound):
        store.resolve("me/box:v1")
    with pytest.raises(InvalidInput, match="digest"):
        store.tag(m, f"x@{m}")


def test_retagging_leaves_the_old_image_dangling(store: Store) -> None:
    old, _, _ = put_image(store, {"a": b"1"}, ["app"])
    new, _, _ = put_image(store, {"a": b"2"}, ["app"])
    assert store.resolve("app").digest == new
    assert store.db.image(old) is not None and store.db.refs_of(old) == []


def test_incomplete_image_is_refused(store: Store) -> None:
    m, _, layers = put_image(store, {"a": b"1"})
    store.delete_image(m)
    store.blobs.delete(layers[0])
    with pytest.raises(Exception, match="incomplete"):
        store.add_image(m, ["x"])
    assert store.db.images() == []

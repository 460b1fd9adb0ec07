"""Builds without RUN: FROM, COPY rules, metadata, caching, outputs."""
from __future__ import annotations

import json

from tests.solver.conftest import make_context as _ctx, step_counts as _counts, inspect, pybuild, read_file, rootfs_files


def test_copy_file_dir_and_metadata(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox\nENV A=1 B=two\nWORKDIR /app\nCOPY a.txt .\nCOPY sub /app/sub2/\n"
        "COPY a.txt sub/b.txt /multi/\nLABEL x=$A\nUSER nobody\nEXPOSE 80 53/udp\nCMD [\"sh\"]\n"
    ), {"a.txt": "hello\n", "sub/b.txt": "sub\n"})
    pybuild("build", "-t", "t1", str(ctx), root=store_root)
    files = rootfs_files(store_root, "t1")
    assert files["app/a.txt"].uid == 0 and files["app/a.txt"].size == 6
    assert "app/sub2/b.txt" in files and "app/sub2/sub" not in files  # a directory's contents
    assert {"multi/a.txt", "multi/b.txt"} <= set(files)
    cfg = inspect(store_root, "t1")["Config"]
    assert cfg["WorkingDir"] == "/app"
    assert cfg["Labels"] == {"x": "1"}
    assert cfg["User"] == "nobody"
    assert set(cfg["ExposedPorts"]) == {"80/tcp", "53/udp"}
    assert "A=1" in cfg["Env"] and "B=two" in cfg["Env"]
    assert cfg["Cmd"] == ["sh"]


def test_multiple_sources_need_a_directory_destination(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY a b /dest\n", {"a": "1", "b": "2"})
    proc = pybuild("build", str(ctx), root=store_root, check=False)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "Dockerfile:2:1" in err and "must be a directory and end with a /" in err


def test_missing_source_is_an_error_with_the_place(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY nothere /x\n", {})
    proc = pybuild("build", str(ctx), root=store_root, check=False)
    assert proc.returncode == 2
    assert '"/nothere": not found' in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()


def test_unchanged_rebuild_is_fully_cached_and_identical(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n", {"a.txt": "a", "b.txt": "b"})
    first = pybuild("build", "-t", "x", "--progress=plain", str(ctx), root=store_root)
    second = pybuild("build", "-t", "x", "--progress=plain", str(ctx), root=store_root)
    assert _counts(second.stderr) == (2, 2)
    assert inspect(store_root, "x")["Id"]
    # the same image both times
    iid1 = first.stderr.decode().split("built ")[1].split()[0]
    iid2 = second.stderr.decode().split("built ")[1].split()[0]
    assert iid1 == iid2


def test_editing_a_file_reruns_only_steps_from_its_copy(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n", {"a.txt": "a", "b.txt": "b"})
    pybuild("build", "-t", "x", str(ctx), root=store_root)
    (ctx / "b.txt").write_text("B!")
    out = pybuild("build", "-t", "x", "--progress=plain", str(ctx), root=store_root).stderr
    assert _counts(out) == (2, 1)  # COPY a.txt is cached, COPY b.txt is not
    assert read_file(store_root, "x", "b.txt") == b"B!"


def test_touch_keeps_everything_cached(tmp_path, store_root):
    import os
    import time

    ctx = _ctx(tmp_path, "FROM busybox\nCOPY . /src/\n", {"a.txt": "a", "d/b.txt": "b"})
    pybuild("build", "-t", "x", str(ctx), root=store_root)
    t = time.time() + 100
    os.utime(ctx / "a.txt", (t, t))
    out = pybuild("build", "-t", "x", "--progress=plain", str(ctx), root=store_root).stderr
    assert _counts(out) == (1, 1)
    # and with the whole-build memo out of the way, the step itself is a cache hit
    out = pybuild("build", "-t", "x", "--progress=plain", "--label", "l=1", str(ctx), root=store_root).stderr
    assert _counts(out) == (1, 1) and b"COPY . /src/" in out


def test_replaced_base_image_is_not_served_from_the_memo(tmp_path, store_root, busybox_tar):
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY a /a\n", {"a": "1"})
    first = pybuild("build", "-q", str(ctx), root=store_root).stdout
    other = tmp_path / "other.tar"
    from tests.helpers.rootfs import busybox_rootfs_tar

    busybox_rootfs_tar(other, extra={"etc/motd": b"new base\n"})
    pybuild("import", str(other), "busybox:latest", root=store_root)
    second = pybuild("build", "-q", str(ctx), root=store_root).stdout
    assert first != second


def test_dockerignore_excludes_and_reincludes(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY . /src/\n",
               {"keep.txt": "k", "secret.env": "s", "logs/a.log": "x", "logs/keep.log": "y",
                ".dockerignore": "*.env\nlogs/*\n!logs/keep.log\n"})
    pybuild("build", "-t", "x", str(ctx), root=store_root)
    files = set(rootfs_files(store_root, "x"))
    assert "src/keep.txt" in files and "src/logs/keep.log" in files
    assert "src/secret.env" not in files and "src/logs/a.log" not in files


def test_multistage_copy_from_and_target(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox AS build\nCOPY a.txt /out/a.txt\n"
        "FROM busybox AS other\nCOPY b.txt /b.txt\n"
        "FROM scratch\nCOPY --from=build /out/a.txt /final.txt\n"
    ), {"a.txt": "A", "b.txt": "B"})
    out = pybuild("build", "-t", "final", "--progress=plain", str(ctx), root=store_root).stderr.decode()
    assert "COPY b.txt" not in out  # the unused stage is not built
    files = set(rootfs_files(store_root, "final"))
    assert files == {"final.txt"}
    pybuild("build", "-t", "mid", "--target", "other", str(ctx), root=store_root)
    assert "b.txt" in set(rootfs_files(store_root, "mid"))


def test_build_arg_used_late_keeps_earlier_steps_cached(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY a.txt /a\nARG V=1\nCOPY a.txt /a-$V\n", {"a.txt": "a"})
    pybuild("build", "-t", "x", str(ctx), root=store_root)
    out = pybuild("build", "-t", "x", "--build-arg", "V=2", "--progress=plain", str(ctx), root=store_root).stderr
    assert _counts(out) == (2, 1)
    assert "a-2" in set(rootfs_files(store_root, "x"))


def test_no_cache_filter_rebuilds_only_that_stage(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox AS a\nCOPY a.txt /a\nFROM busybox AS b\nCOPY --from=a /a /b\n", {"a.txt": "a"})
    pybuild("build", "-t", "x", str(ctx), root=store_root)
    out = pybuild("build", "-t", "x", "--no-cache-filter", "b", "--progress=plain", str(ctx), root=store_root).stderr
    assert _counts(out) == (2, 1)  # stage a's COPY only


def test_source_date_epoch_builds_are_reproducible(tmp_path, store_root, busybox_tar):
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY . /src/\nENV X=1\n", {"a.txt": "a", "d/b.txt": "b"})
    a = pybuild("build", "-q", "--no-cache", "--build-arg", "SOURCE_DATE_EPOCH=1700000000", str(ctx), root=store_root).stdout
    other = tmp_path / "other-store"
    pybuild("import", str(busybox_tar), "busybox:latest", root=other)
    b = pybuild("build", "-q", "--no-cache", "--build-arg", "SOURCE_DATE_EPOCH=1700000000", str(ctx), root=other).stdout
    assert a == b and a.startswith(b"sha256:")
    cfg = json.loads(pybuild("inspect", a.decode().strip(), root=store_root).stdout)[0]
    assert cfg["Created"].startswith("2023-11-14")


def test_heredoc_copy_and_chmod_chown(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox\nARG WHO=world\nCOPY --chmod=0750 --chown=nobody <<EOF /greeting\nhello $WHO\nEOF\n"
    ), {})
    pybuild("build", "-t", "h", str(ctx), root=store_root)
    f = rootfs_files(store_root, "h")["greeting"]
    assert f.mode & 0o7777 == 0o750 and f.uid == 65534 and f.gid == 65534
    assert read_file(store_root, "h", "greeting") == b"hello world\n"


def test_outputs_oci_and_docker_tars(tmp_path, store_root):
    import tarfile

    ctx = _ctx(tmp_path, "FROM busybox\nCOPY a /a\n", {"a": "1"})
    pybuild("build", "-o", f"type=oci,dest={tmp_path/'img.oci.tar'}", "-o", f"type=docker,dest={tmp_path/'img.docker.tar'}",
            "-t", "out:1", str(ctx), root=store_root)
    with tarfile.open(tmp_path / "img.oci.tar") as tf:
        assert "oci-layout" in tf.getnames() and "index.json" in tf.getnames()
    with tarfile.open(tmp_path / "img.docker.tar") as tf:
        assert "manifest.json" in tf.getnames()


def test_independent_stages_build_in_parallel_and_join(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox AS a\nCOPY a /a\nFROM busybox AS b\nCOPY b /b\nFROM busybox AS c\nCOPY c /c\n"
        "FROM scratch\nCOPY --from=a /a /a\nCOPY --from=b /b /b\nCOPY --from=c /c /c\n"
    ), {"a": "1", "b": "2", "c": "3"})
    out = pybuild("build", "-t", "joined", "--progress=plain", str(ctx), root=store_root).stderr
    assert _counts(out) == (6, 0)
    assert set(rootfs_files(store_root, "joined")) == {"a", "b", "c"}


def test_prune_all_removes_unpacked_layers_no_image_uses(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY a /a\n", {"a": "1"})
    pybuild("build", "-t", "p", str(ctx), root=store_root)
    snaps = store_root / "snapshots"
    before = {p.name for p in snaps.iterdir()}
    assert len(before) == 2  # the base layer and the COPY layer
    pybuild("rmi", "p", root=store_root)
    pybuild("prune", "--all", "-f", root=store_root)
    after = {p.name for p in snaps.iterdir()}
    assert len(after) == 1 and after < before  # only busybox's layer is still used


def test_an_unchanged_rebuild_needs_neither_click_nor_the_parser(tmp_path, store_root):
    import subprocess
    import sys

    ctx = _ctx(tmp_path, "FROM busybox\nCOPY a /a\n", {"a": "1"})
    first = pybuild("build", "-q", "-t", "fast:1", str(ctx), root=store_root).stdout
    probe = ("import sys, runpy; sys.argv = ['pybuild', 'build', '-q', '-t', 'fast:1', %r]\n"
             "try:\n    runpy.run_module('buildkit_py.entry', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('click', 'lark', 'buildkit_py.syntax', 'buildkit_py.store') if m in sys.modules))"
             % str(ctx))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "PYBUILD_ROOT": str(store_root)})
    lines = out.stdout.splitlines()
    assert lines[0] == first.decode().strip()  # the same image ID
    assert lines[1] == "[]", lines[1]

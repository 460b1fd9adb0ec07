"""More of docker build's surface: config instructions, COPY flags, ADD URL, outputs, flags."""
from __future__ import annotations

import hashlib
import http.server
import json
import tarfile
import threading

import pytest

from tests.solver.conftest import make_context as _ctx, inspect, pybuild, read_file, rootfs_files


def test_config_instructions_land_in_the_image_config(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox\nENTRYPOINT [\"/bin/sh\", \"-c\"]\nCMD [\"echo hi\"]\nSTOPSIGNAL SIGINT\n"
        "VOLUME /data /logs\nHEALTHCHECK --interval=30s --timeout=5s --retries=2 CMD wget -q localhost || exit 1\n"
        "MAINTAINER someone@example.com\nSHELL [\"/bin/sh\", \"-ex\"]\nONBUILD RUN true\n"
    ))
    pybuild("build", "-t", "cfg", "--label", "from.cli=yes", str(ctx), root=store_root)
    info = inspect(store_root, "cfg")
    cfg = info["Config"]
    assert cfg["Entrypoint"] == ["/bin/sh", "-c"] and cfg["Cmd"] == ["echo hi"]
    assert cfg["StopSignal"] == "SIGINT"
    assert set(cfg["Volumes"]) == {"/data", "/logs"}
    assert cfg["Healthcheck"]["Test"] == ["CMD-SHELL", "wget -q localhost || exit 1"]
    assert cfg["Healthcheck"]["Interval"] == 30_000_000_000 and cfg["Healthcheck"]["Retries"] == 2
    assert cfg["Shell"] == ["/bin/sh", "-ex"] and cfg["OnBuild"] == ["RUN true"]
    assert cfg["Labels"] == {"from.cli": "yes"}
    assert info["Author"] == "someone@example.com"


def test_entrypoint_resets_an_inherited_cmd(tmp_path, store_root):
    parent = _ctx(tmp_path, "FROM busybox\nCMD [\"inherited\"]\n")
    pybuild("build", "-t", "withcmd", str(parent), root=store_root)
    child = tmp_path / "child"
    child.mkdir()
    (child / "Dockerfile").write_text("FROM withcmd\nENTRYPOINT [\"/bin/true\"]\n")
    pybuild("build", "-t", "child", str(child), root=store_root)
    assert "Cmd" not in inspect(store_root, "child")["Config"] or not inspect(store_root, "child")["Config"]["Cmd"]


def test_copy_exclude_parents_and_link(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox\nCOPY --exclude=*.log --exclude=tmp src/ /excl/\n"
        "COPY --parents a/b/one.txt c/two.txt /par/\nCOPY --link src/keep.txt /linked/\n"
    ), {"src/keep.txt": "k", "src/drop.log": "d", "src/tmp/x": "x", "a/b/one.txt": "1", "c/two.txt": "2"})
    pybuild("build", "-t", "cp", str(ctx), root=store_root)
    files = set(rootfs_files(store_root, "cp"))
    assert "excl/keep.txt" in files and "excl/drop.log" not in files and "excl/tmp/x" not in files
    assert {"par/a/b/one.txt", "par/c/two.txt"} <= files
    assert "linked/keep.txt" in files


def test_symbolic_chmod_and_bad_chmod(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY --chmod=u=rwx,go=rx tool /tool\n", {"tool": "#!/bin/sh\n"})
    pybuild("build", "-t", "ch", str(ctx), root=store_root)
    assert rootfs_files(store_root, "ch")["tool"].mode & 0o777 == 0o755
    (ctx / "Dockerfile").write_text("FROM busybox\nCOPY --chmod=99999 tool /tool\n")
    proc = pybuild("build", str(ctx), root=store_root, check=False)
    assert proc.returncode == 2 and b"invalid chmod parameter" in proc.stderr


@pytest.fixture
def http_server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    (root / "file.txt").write_bytes(b"downloaded\n")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(root), **k)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_add_url_with_checksum(tmp_path, store_root, http_server):
    good = "sha256:" + hashlib.sha256(b"downloaded\n").hexdigest()
    ctx = _ctx(tmp_path, f"FROM busybox\nADD --checksum={good} {http_server}/file.txt /dl/\n")
    pybuild("build", "-t", "url", str(ctx), root=store_root)
    assert read_file(store_root, "url", "dl/file.txt") == b"downloaded\n"
    bad = "sha256:" + "0" * 64
    (ctx / "Dockerfile").write_text(f"FROM busybox\nADD --checksum={bad} {http_server}/file.txt /dl/\n")
    proc = pybuild("build", str(ctx), root=store_root, check=False)
    assert proc.returncode == 2 and b"digest mismatch" in proc.stderr


def test_copy_of_a_url_is_an_error(tmp_path, store_root, http_server):
    ctx = _ctx(tmp_path, f"FROM busybox\nCOPY {http_server}/file.txt /x\n")
    proc = pybuild("build", str(ctx), root=store_root, check=False)
    assert proc.returncode == 2 and b"source can't be a URL for COPY" in proc.stderr


def test_run_mount_bind_from_stage_and_cache_ownership(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox AS tools\nRUN mkdir /out && echo from-stage > /out/msg\n"
        "FROM busybox\nRUN --mount=type=bind,from=tools,source=/out,target=/mnt cat /mnt/msg > /got\n"
        "RUN --mount=type=cache,target=/c,uid=65534,gid=65534,mode=0700 stat -c '%u:%g %a' /c > /cache-owner\n"
    ))
    pybuild("build", "-t", "bm", str(ctx), root=store_root)
    assert read_file(store_root, "bm", "got") == b"from-stage\n"
    assert read_file(store_root, "bm", "cache-owner") == b"65534:65534 700\n"


def test_outputs_local_tar_iidfile_metadata_and_stdin_dockerfile(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nRUN echo out > /out\n")
    local, tar_out = tmp_path / "local", tmp_path / "fs.tar"
    iid, meta = tmp_path / "iid", tmp_path / "meta.json"
    pybuild("build", "-o", f"type=local,dest={local}", "-o", f"type=tar,dest={tar_out}", "--iidfile", str(iid),
            "--metadata-file", str(meta), str(ctx), root=store_root)
    assert (local / "out").read_text() == "out\n"
    with tarfile.open(tar_out) as tf:
        assert "out" in tf.getnames()
    assert iid.read_text().startswith("sha256:")
    assert json.loads(meta.read_text())["containerimage.config.digest"] == iid.read_text()
    out = pybuild("build", "-q", "-", root=store_root, input=b"FROM busybox\nRUN echo piped > /p\n").stdout
    assert read_file(store_root, out.decode().strip(), "p") == b"piped\n"


def test_rawjson_progress_is_one_json_object_per_line(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nRUN echo line\n")
    err = pybuild("build", "--progress=rawjson", str(ctx), root=store_root).stderr.decode()
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(e.get("event") == "log" and "line" in e.get("data", "") for e in events)
    assert any(e.get("event") == "done" for e in events)


def test_bad_flags_and_unknown_target_are_usage_errors(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox AS a\nRUN true\n")
    proc = pybuild("build", "--target", "nope", str(ctx), root=store_root, check=False)
    assert proc.returncode == 2 and b"target stage 'nope' could not be found" in proc.stderr
    proc = pybuild("build", "--platform", "linux/s390x", str(ctx), root=store_root, check=False)
    assert proc.returncode == 2 and b"cannot build for linux/s390x" in proc.stderr
    proc = pybuild("build", str(tmp_path / "missing"), root=store_root, check=False)
    assert proc.returncode == 2 and b"unable to prepare context" in proc.stderr
    proc = pybuild("build", "--build-arg", "=x", str(ctx), root=store_root, check=False)
    assert proc.returncode == 2


def test_unknown_base_image_error_names_the_from_line(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nFROM nosuchimage:1\nRUN true\n")
    proc = pybuild("build", str(ctx), root=store_root, check=False)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Dockerfile:2:1" in err and "nosuchimage:1" in err
    assert not list((store_root / "snapshots").glob("*.tmp*"))


def test_reproducible_with_run_under_source_date_epoch(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nRUN mkdir /made && echo x > /made/f && touch /made/g\nCOPY . /src/\n", {"a": "1"})
    args = ["build", "-q", "--no-cache", "--build-arg", "SOURCE_DATE_EPOCH=1700000000", str(ctx)]
    first = pybuild(*args, root=store_root).stdout
    second = pybuild(*args, root=store_root).stdout
    assert first == second

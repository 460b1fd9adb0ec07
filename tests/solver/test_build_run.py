"""Builds with RUN in the real sandbox: environment, users, mounts, secrets, isolation, errors."""
from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path


from tests.solver.conftest import make_context as _ctx, step_counts as _counts, inspect, pybuild, read_file, rootfs_files


def test_run_sees_env_args_user_and_workdir(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox\nARG GREETING=hi\nENV NAME=world\nWORKDIR /work/dir\nUSER nobody\n"
        "RUN echo \"$GREETING $NAME $(id -u):$(id -g) $(pwd) $HOME\" > /tmp/out && cat /tmp/out\n"
        "USER root\nRUN cp /tmp/out /result\n"
    ))
    pybuild("build", "-t", "r", "--build-arg", "GREETING=hello", str(ctx), root=store_root)
    assert read_file(store_root, "r", "result") == b"hello world 65534:65534 /work/dir /nonexistent\n"
    out = pybuild("history", "--format=json", "--no-trunc", "r", root=store_root).stdout.decode()
    hist = [json.loads(line)["CreatedBy"] for line in out.splitlines() if line.strip()]
    assert any(h.startswith("RUN |1 GREETING=hello /bin/sh -c echo") for h in hist), hist


def test_exec_form_shell_instruction_and_heredoc(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox\nRUN [\"/bin/sh\", \"-c\", \"echo exec > /exec\"]\n"
        "SHELL [\"/bin/sh\", \"-ec\"]\nRUN echo shell > /shell\n"
        "RUN <<EOF\necho one > /heredoc\necho two >> /heredoc\nEOF\n"
        "RUN cat <<EOT > /fed\nfed $HOSTNAME\nEOT\n"
    ))
    pybuild("build", "-t", "r", str(ctx), root=store_root)
    assert read_file(store_root, "r", "exec") == b"exec\n"
    assert read_file(store_root, "r", "shell") == b"shell\n"
    assert read_file(store_root, "r", "heredoc") == b"one\ntwo\n"
    assert read_file(store_root, "r", "fed") == b"fed buildkitsandbox\n"


def test_failing_run_reports_the_step_line_exit_code_and_output(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nRUN echo before\nRUN echo oops-output && exit 3\n")
    proc = pybuild("build", str(ctx), root=store_root, check=False)
    err = proc.stderr.decode()
    assert proc.returncode != 0
    assert "Dockerfile:3:1" in err
    assert "did not complete successfully: exit code: 3" in err
    assert "oops-output" in err
    assert "Traceback" not in err


def test_run_cannot_read_or_write_host_files(tmp_path, store_root):
    marker = f"host-secret-{uuid.uuid4().hex}"
    host_file = Path("/tmp") / marker
    host_file.write_text("do not read me")
    try:
        ctx = _ctx(tmp_path, (
            f"FROM busybox\nRUN ! cat /tmp/{marker} && ! ls / | grep -q work && "
            f"(find / -name '{marker}' 2>/dev/null | wc -l > /found) && echo written > /tmp/escape-{marker}\n"
        ))
        pybuild("build", "-t", "iso", str(ctx), root=store_root)
        assert read_file(store_root, "iso", "found").strip() == b"0"
        assert not Path(f"/tmp/escape-{marker}").exists()
        assert host_file.read_text() == "do not read me"
    finally:
        host_file.unlink(missing_ok=True)


def test_secret_is_available_but_never_stored(tmp_path, store_root):
    import hashlib

    value = f"s3cr3t-{uuid.uuid4().hex}"
    digest = hashlib.sha256(value.encode()).hexdigest()  # the Dockerfile knows only the hash
    (tmp_path / "secret.txt").write_text(value)
    ctx = _ctx(tmp_path, (
        "FROM busybox\n"
        f"RUN --mount=type=secret,id=token test \"$(sha256sum < /run/secrets/token | cut -d' ' -f1)\" = {digest} "
        "&& echo ok > /checked\n"
        f"RUN --mount=type=secret,id=token,env=TOKEN test \"$(printf %s \"$TOKEN\" | sha256sum | cut -d' ' -f1)\" = {digest} "
        "&& echo ok > /checked-env\n"
    ))
    pybuild("build", "-t", "sec", "--secret", f"id=token,src={tmp_path / 'secret.txt'}", str(ctx), root=store_root)
    assert read_file(store_root, "sec", "checked") == b"ok\n"
    needle = value.encode()
    for path in (store_root / "blobs").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert needle not in data, f"secret found in {path}"
    # nor in the database (cache records, history)
    assert needle not in (store_root / "metadata.db").read_bytes()
    files = rootfs_files(store_root, "sec")
    assert "run/secrets/token" not in files


def test_cache_mount_persists_across_builds_and_stays_out_of_layers(tmp_path, store_root):
    df = "FROM busybox\nARG N\nRUN --mount=type=cache,target=/var/cache/x,id=c1 echo $N >> /var/cache/x/log && wc -l < /var/cache/x/log > /lines\n"
    ctx = _ctx(tmp_path, df)
    pybuild("build", "-t", "c", "--build-arg", "N=1", str(ctx), root=store_root)
    pybuild("build", "-t", "c", "--build-arg", "N=2", str(ctx), root=store_root)
    assert read_file(store_root, "c", "lines").strip() == b"2"
    assert "var/cache/x/log" not in rootfs_files(store_root, "c")


def test_bind_tmpfs_and_network_none(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox\n"
        "RUN --mount=type=bind,source=data,target=/data cat /data/in.txt > /copied && ! touch /data/x\n"
        "RUN --mount=type=tmpfs,target=/scratch echo t > /scratch/f && ! test -e /tmpfs-leak\n"
        "RUN --network=none cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' > /ifaces\n"
    ), {"data/in.txt": "bound\n"})
    pybuild("build", "-t", "m", str(ctx), root=store_root)
    assert read_file(store_root, "m", "copied") == b"bound\n"
    assert read_file(store_root, "m", "ifaces").split() == [b"lo"]
    files = rootfs_files(store_root, "m")
    assert "scratch/f" not in files and "data/in.txt" not in files


def test_cache_matrix_with_run(tmp_path, store_root):
    ctx = _ctx(tmp_path, (
        "FROM busybox\nCOPY dep.txt /dep.txt\nRUN cat /dep.txt > /built\nCOPY src.txt /src.txt\nRUN cat /src.txt >> /built\n"
    ), {"dep.txt": "dep\n", "src.txt": "src\n"})
    assert _counts(pybuild("build", "-t", "x", "--progress=plain", str(ctx), root=store_root).stderr) == (4, 0)
    (ctx / "src.txt").write_text("changed\n")
    assert _counts(pybuild("build", "-t", "x", "--progress=plain", str(ctx), root=store_root).stderr) == (4, 2)
    assert read_file(store_root, "x", "built") == b"dep\nchanged\n"
    now = 2_000_000_000
    os.utime(ctx / "dep.txt", (now, now))
    assert _counts(pybuild("build", "-t", "x", "--progress=plain", "--label", "bust-memo=1", str(ctx), root=store_root).stderr) == (4, 4)


def test_onbuild_triggers_run_in_the_child_build(tmp_path, store_root):
    parent = _ctx(tmp_path, "FROM busybox\nONBUILD RUN echo triggered > /from-onbuild\n")
    pybuild("build", "-t", "parent:1", str(parent), root=store_root)
    assert inspect(store_root, "parent:1")["Config"]["OnBuild"] == ["RUN echo triggered > /from-onbuild"]
    child = tmp_path / "child"
    child.mkdir()
    (child / "Dockerfile").write_text("FROM parent:1\nRUN cat /from-onbuild > /seen\n")
    pybuild("build", "-t", "child:1", str(child), root=store_root)
    assert read_file(store_root, "child:1", "seen") == b"triggered\n"
    assert not inspect(store_root, "child:1")["Config"].get("OnBuild")


def test_add_extracts_local_tar(tmp_path, store_root):
    import tarfile

    ctx = _ctx(tmp_path, "FROM busybox\nADD bundle.tar.gz /opt/\n")
    src = tmp_path / "content"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "x.txt").write_text("inside\n")
    with tarfile.open(ctx / "bundle.tar.gz", "w:gz") as tf:
        tf.add(src / "pkg", arcname="pkg")
    pybuild("build", "-t", "add", str(ctx), root=store_root)
    assert read_file(store_root, "add", "opt/pkg/x.txt") == b"inside\n"


def test_runc_executor_builds_the_same_files(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nUSER nobody\nRUN id -u > /tmp/u\nUSER root\nRUN cp /tmp/u /uid && hostname > /host\n")
    pybuild("build", "-t", "rc", "--executor=runc", str(ctx), root=store_root)
    assert read_file(store_root, "rc", "uid") == b"65534\n"
    assert read_file(store_root, "rc", "host") == b"buildkitsandbox\n"


def test_third_party_tools_read_the_built_image(tmp_path, store_root):
    ctx = _ctx(tmp_path, "FROM busybox\nRUN echo made > /made\nCMD [\"cat\", \"/made\"]\n")
    layout = tmp_path / "img.oci.tar"
    pybuild("build", "-t", "third:1", "-o", f"type=oci,dest={layout}", str(ctx), root=store_root)
    unpacked = tmp_path / "layout"
    unpacked.mkdir()
    subprocess.run(["tar", "-xf", str(layout), "-C", str(unpacked)], check=True)
    info = json.loads(subprocess.run(["skopeo", "inspect", f"oci:{unpacked}:1"], check=True,  # ref.name is the tag, as BuildKit writes it
                                     capture_output=True).stdout)
    assert info["Layers"] and info["Os"] == "linux"
    bundle = tmp_path / "bundle"
    subprocess.run(["umoci", "unpack", "--image", f"{unpacked}:1", str(bundle)], check=True, capture_output=True)
    assert (bundle / "rootfs" / "made").read_text() == "made\n"
    cfg = json.loads((bundle / "config.json").read_text())
    assert cfg["process"]["args"] == ["cat", "/made"]


def test_deletions_in_base_layers_stay_deleted(tmp_path, store_root):
    # a base image whose second layer deletes a file and replaces a directory (whiteouts),
    # loaded from an archive: the next build must not see what the whiteouts removed
    first = _ctx(tmp_path, "FROM busybox\nRUN mkdir -p /d/sub && echo old > /d/sub/f && echo gone > /gone\n"
                           "RUN rm /gone && rm -rf /d && mkdir /d && echo new > /d/only\n")
    pybuild("build", "-t", "layered:1", str(first), root=store_root)
    archive = tmp_path / "layered.tar"
    pybuild("save", "layered:1", "-o", str(archive), root=store_root)
    other = tmp_path / "other"
    pybuild("load", "-i", str(archive), root=other)
    child = tmp_path / "child"
    child.mkdir()
    (child / "Dockerfile").write_text("FROM layered:1\nRUN ls -R /d > /listing; test ! -e /gone && echo ok > /checked\n")
    pybuild("build", "-t", "child:1", str(child), root=other)
    assert read_file(other, "child:1", "checked") == b"ok\n"
    assert b"sub" not in read_file(other, "child:1", "listing")

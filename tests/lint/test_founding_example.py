"""The founding example (issue 3): two typos and an end-of-life base image, found and fixed."""
from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from buildkit_py.lint import lint
from buildkit_py.syntax import ast as A
from buildkit_py.syntax import parse

from tests.helpers.rootfs import busybox_path, busybox_rootfs_tar

from .pb_helpers import apply_edits

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "fixtures" / "lint" / "founding-example.Dockerfile"
SEED = ROOT / "fixtures" / "seed-app"


def test_fixture_is_the_issue_text_exactly():
    assert BROKEN.read_text() == (
        "FROM python:3.8-slim-buster\nWORKDIR /app\nCOPY requirements.txt.\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY. /app\nCMD [\"python\", \"app.py\"]\n"
    )


def test_both_typos_are_errors_with_safe_fixes_and_the_base_image_is_a_warning():
    diags = lint(BROKEN.read_text(), path=str(BROKEN))
    ours = {(d.code, d.span.start_line): d for d in diags if d.code.startswith("PB")}
    assert set(ours) == {("PB003", 1), ("PB001", 3), ("PB002", 5)}
    for key in (("PB001", 3), ("PB002", 5)):
        d = ours[key]
        assert str(d.severity) == "error" and d.fix is not None and d.fix.safe, d
    assert "`COPY requirements.txt .`" in ours[("PB001", 3)].message
    assert "`COPY . /app`" in ours[("PB002", 5)].message
    eol = ours[("PB003", 1)]
    assert str(eol.severity) == "warning" and not eol.fix.safe
    assert "Python 3.8 reached end of life 2024-10" in eol.message
    assert "Debian 10 (buster) reached end of life 2024-06" in eol.message


def test_safe_fixes_give_a_dockerfile_that_parses_strictly():
    text = BROKEN.read_text()
    fixed = _fix(text)
    assert fixed == text.replace("requirements.txt.", "requirements.txt .").replace("COPY. /app", "COPY . /app")
    df = parse(fixed)  # strict: raises on anything BuildKit would reject
    copies = [i for i in df.instructions if isinstance(i, A.Copy)]
    assert [(c.sources, c.dest) for c in copies] == [(("requirements.txt",), "."), ((".",), "/app")]
    assert not any(d.code in ("PB001", "PB002") for d in lint(fixed))
    assert _fix(fixed) == fixed  # idempotent


def _fix(text: str) -> str:
    """Safe fixes applied; with the engine's fixer when it is there, checked against ours."""
    ours = apply_edits(text, lint(text))
    if importlib.util.find_spec("buildkit_py.lint.fixes") is not None:
        from buildkit_py.lint.fixes import fix_text

        theirs = fix_text(text, lambda t: lint(t)).text
        assert theirs == ours
    return ours


def test_the_seed_app_dockerfile_is_the_buildable_fixed_form():
    text = (SEED / "Dockerfile").read_text()
    df = parse(text)
    assert [type(i).__name__ for i in df.instructions] == [
        "Arg", "From", "Workdir", "Copy", "Run", "Copy", "Expose", "Cmd"]
    diags = lint(text, path=str(SEED / "Dockerfile"), context_dir=SEED)
    ours = [(d.code, d.span.start_line) for d in diags if d.code.startswith("PB")]
    assert ours == [("PB003", 4)]  # only the (deliberately kept) end-of-life default base image


def test_the_seed_app_runs_on_the_standard_library():
    result = subprocess.run([sys.executable, str(SEED / "app.py"), "--check"], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr


# ---- the fixed founding example builds and runs ------------------------------------------
# No registry here: the base image is busybox plus the host's python3 (only the modules the app
# loads), imported into a fresh store and passed as BASE, as fixtures/seed-app/README.md says.

HOST_PYTHON = Path("/usr/bin/python3.11")
_COLLECT = """
import runpy, sys
sys.argv = ["app.py", "--check"]
try:
    runpy.run_path({app!r}, run_name="__main__")
except SystemExit as e:
    assert not e.code, e.code
import encodings, site
print("\\n".join(sorted({{m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)}})))
"""


def _python_rootfs(dest: Path) -> Path:
    """busybox plus the host's python3 with just the modules the seed app loads, and their libraries."""
    out = subprocess.run([str(HOST_PYTHON), "-I", "-c", _COLLECT.format(app=str(SEED / "app.py"))],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    files = {Path(p) for p in out.split() if p.startswith("/usr/lib/python3")}
    files |= set(Path("/usr/lib/python3.11/encodings").glob("*.py"))
    binaries = [HOST_PYTHON, *(p for p in files if p.suffix == ".so")]
    for binary in binaries:
        for line in subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout.splitlines():
            parts = line.split()
            lib = next((p for p in parts if p.startswith("/")), None)
            if lib:
                files.add(Path(lib))
    busybox_rootfs_tar(dest)
    with tarfile.open(dest, "a") as tar:
        seen: set[str] = {"bin", "etc", "root", "tmp"}
        for path in sorted(files | {HOST_PYTHON}):
            real = path.resolve()
            parts = path.parts[1:]
            for i in range(1, len(parts)):
                d = "/".join(parts[:i])
                if d not in seen:
                    seen.add(d)
                    info = tarfile.TarInfo(d + "/")
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1_700_000_000
                    tar.addfile(info)
            info = tar.gettarinfo(str(real), arcname="/".join(parts))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            with open(real, "rb") as f:
                tar.addfile(info, f)
        link = tarfile.TarInfo("usr/bin/python3")
        link.type, link.linkname, link.mode = tarfile.SYMTYPE, "python3.11", 0o777
        tar.addfile(link)
    return dest


def test_the_seed_app_builds_from_a_local_base_image_and_runs(tmp_path):
    if not HOST_PYTHON.exists() or busybox_path() is None:
        pytest.skip(f"needs {HOST_PYTHON} and busybox-static for a local python base image")
    env = dict(os.environ, PYBUILD_ROOT=str(tmp_path / "store"), NO_COLOR="1")

    def pybuild(*args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "buildkit_py.cli", *args], capture_output=True, env=env,
                              cwd=ROOT, timeout=600)
        assert proc.returncode == 0, f"pybuild {' '.join(args)}:\n{proc.stderr.decode()}"
        return proc

    base = _python_rootfs(tmp_path / "python-base.tar")
    pybuild("import", str(base), "local/python:3-minimal")
    pybuild("build", "--progress=plain", "--build-arg", "BASE=local/python:3-minimal", "-t", "seed-app:test",
            str(SEED))
    config = json.loads(pybuild("inspect", "seed-app:test").stdout)[0]
    assert config["Config"]["Cmd"] == ["python3", "app.py"] and config["Config"]["WorkingDir"] == "/app"
    rootfs = tmp_path / "rootfs"
    rootfs.mkdir()
    with tarfile.open(fileobj=io.BytesIO(pybuild("export", "seed-app:test", "-o", "-").stdout)) as tf:
        tf.extractall(rootfs, filter="tar")
    assert (rootfs / "app" / "app.py").read_bytes() == (SEED / "app.py").read_bytes()
    run = subprocess.run(["chroot", str(rootfs), "/usr/bin/python3", "/app/app.py", "--check"],
                         capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr.decode()


# The test base image's pip: the fixed Dockerfile runs `pip install --no-cache-dir -r
# requirements.txt`, and there is no package index here. This pip installs nothing and fails
# when the file names any requirement, which is what real pip does offline.
_OFFLINE_PIP = b"""#!/bin/sh
[ "$1" = install ] || { echo "test pip: only 'install' is supported" >&2; exit 2; }
shift
while [ $# -gt 0 ]; do
  case "$1" in
    -r) if grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$2" >/dev/null; then
          echo "test pip: no package index to install from" >&2; exit 1
        fi; shift ;;
  esac
  shift
done
"""


def test_lint_fix_turns_the_founding_example_into_a_dockerfile_that_builds(tmp_path):
    if not HOST_PYTHON.exists() or busybox_path() is None:
        pytest.skip(f"needs {HOST_PYTHON} and busybox-static for a local python base image")
    env = dict(os.environ, PYBUILD_ROOT=str(tmp_path / "store"), NO_COLOR="1")

    def pybuild(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "buildkit_py.cli", *args], capture_output=True, env=env,
                              cwd=ROOT, timeout=600)
        assert not check or proc.returncode == 0, f"pybuild {' '.join(args)}:\n{proc.stderr.decode()}"
        return proc

    ctx = tmp_path / "app"
    ctx.mkdir()
    for name in ("app.py", "requirements.txt"):
        (ctx / name).write_bytes((SEED / name).read_bytes())
    (ctx / "Dockerfile").write_text(BROKEN.read_text())
    assert pybuild("build", str(ctx), check=False).returncode == 2  # the typos stop a build
    pybuild("lint", "--fix", "--no-fail", str(ctx / "Dockerfile"))
    fixed = (ctx / "Dockerfile").read_text()
    assert "COPY requirements.txt .\n" in fixed and "COPY . /app\n" in fixed

    # the base image it names, made locally (no registry here): busybox + python3 + offline pip
    base = _python_rootfs(tmp_path / "python-base.tar")
    with tarfile.open(base, "a") as tar:
        for name, target in (("usr/bin/python", "python3.11"),):
            link = tarfile.TarInfo(name)
            link.type, link.linkname, link.mode = tarfile.SYMTYPE, target, 0o777
            tar.addfile(link)
        info = tarfile.TarInfo("usr/bin/pip")
        info.mode, info.size, info.mtime = 0o755, len(_OFFLINE_PIP), 1_700_000_000
        tar.addfile(info, io.BytesIO(_OFFLINE_PIP))
    pybuild("import", str(base), "python:3.8-slim-buster")
    pybuild("build", "--progress=plain", "-t", "founding:fixed", str(ctx))
    rootfs = tmp_path / "rootfs"
    rootfs.mkdir()
    with tarfile.open(fileobj=io.BytesIO(pybuild("export", "founding:fixed", "-o", "-").stdout)) as tf:
        tf.extractall(rootfs, filter="tar")
    assert (rootfs / "app" / "requirements.txt").exists() and (rootfs / "app" / "app.py").exists()
    run = subprocess.run(["chroot", str(rootfs), "/usr/bin/python", "/app/app.py", "--check"],
                         capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr.decode()

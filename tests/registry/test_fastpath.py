"""The lean pull and push (registry/fastpath.py) against a real registry: they answer without click
or the full client, print what the full commands print and leave the same registry and store
state; in every case they do not handle, the full command runs instead, and prints once."""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from buildkit_py.registry import config as full_config
from buildkit_py.registry import leanhttp, leanref
from buildkit_py.store import reference as full_reference
from buildkit_py.store.errors import InvalidInput
from tests.registry.conftest import ROOT, USERS, Cli, store_digests, write_config
from tests.registry.servers import RegistryProcess
from tests.registry.test_config import pki  # noqa: F401 - a fixture: a CA and a server certificate for 127.0.0.1
from tests.registry.tokenproxy import TokenProxy

USER, PASSWORD = next(iter(USERS.items()))
FULL_MODULES = ("click", "http.client", "buildkit_py.store", "buildkit_py.registry.client")
# Runs the console script's code (buildkit_py.entry) and says afterwards which full-path modules it loaded.
PROBE = """import os, runpy, sys
def report(code):
    sys.stderr.write("\\nfull-path modules: " + ",".join(m for m in %r if m in sys.modules) + "\\n")
    sys.stderr.flush()
    real_exit(code)
real_exit, os._exit = os._exit, report  # a fast path ends with os._exit: report first
sys.argv = ["pybuild", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("buildkit_py.entry", run_name="__main__")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
report(code)
""" % (FULL_MODULES,)


@dataclass
class Run:
    code: int
    out: str
    err: str
    lean: bool  # answered without loading click or the full client


def entry(cli: Cli, *args: str, env: dict[str, str] | None = None) -> Run:
    """`pybuild ARGS` as the console script runs it (fast paths first)."""
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**cli.env, "PYBUILD_ROOT": str(cli.root), **(env or {})}, timeout=300)
    err, marker, loaded = proc.stderr.rpartition("\nfull-path modules: ")
    assert marker, proc.stderr
    return Run(proc.returncode, proc.stdout, err, loaded.strip() == "")


def script(cli: Cli, *args: str) -> subprocess.CompletedProcess[str]:
    """`pybuild ARGS` through the console script's module as it is, output to pipes."""
    return subprocess.run([sys.executable, "-m", "buildkit_py.entry", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**cli.env, "PYBUILD_ROOT": str(cli.root)}, timeout=300)


def twin(cli: Cli, tmp_path: Path, name: str = "twin") -> Cli:
    """The same user on a copy of the store, to run the full command on the same starting state."""
    shutil.copytree(cli.root, tmp_path / name)
    return cli.on(tmp_path / name)


def state(root: Path, rename: tuple[str, str] = ("", "")) -> dict[str, list]:
    """What a pull or push may change in a store, without times (`rename` maps one repository name)."""
    db = sqlite3.connect(root / "metadata.db")
    known = sqlite3.connect(root / "registry.db")
    try:
        return {
            "refs": db.execute("SELECT name, digest FROM refs ORDER BY name").fetchall(),
            "images": db.execute("SELECT digest, media_type, image_id, created, size FROM images ORDER BY 1").fetchall(),
            "layers": db.execute("SELECT digest, diff_id, uncompressed_size FROM blobs ORDER BY 1").fetchall(),
            "cache": db.execute("SELECT key, value FROM cache ORDER BY 1").fetchall(),
            "known": sorted((r, repo.replace(*rename), d) for r, repo, d in
                            known.execute("SELECT registry, repository, digest FROM remote_blobs")),
            "blobs": sorted(store_digests(root)),
        }
    finally:
        db.close()
        known.close()


def push_lines(out: str) -> tuple[str, list[str], str]:
    """(header, blob lines in any order, digest line): the full push reports blobs as they finish."""
    lines = out.splitlines()
    return lines[0], sorted(lines[1:-1]), lines[-1]


def requests_since(reg: RegistryProcess, count: int) -> list[tuple[str, str, int]]:
    return [r for r in reg.requests()[count:] if r[1] != "/v2/"]


def remote_manifest(reg: RegistryProcess, repo: str, tag: str) -> bytes:
    req = urllib.request.Request(f"http://{reg.address}/v2/{repo}/manifests/{tag}",
                                 headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=20) as resp:
        return resp.read()


@pytest.fixture
def pulled(cli: Cli, registry: RegistryProcess, busybox: str, tmp_path: Path) -> tuple[Cli, str]:
    """busybox pushed to the registry and pulled into a second store: (that store's cli, name)."""
    name = f"{registry.address}/lib/bb:1"
    cli("push", "busybox", name)
    other = cli.on(tmp_path / "pulled")
    other("pull", name)
    return other, name


# ---- the lean pull ------------------------------------------------------------------------------

def test_an_up_to_date_pull_is_one_head_and_prints_what_the_full_pull_prints(
        pulled: tuple[Cli, str], registry: RegistryProcess, tmp_path: Path) -> None:
    cli, name = pulled
    full = twin(cli, tmp_path)
    for args in ((), ("-q",), ("--format", "json"), ("--format=json", "-q")):
        before = len(registry.requests())
        lean = entry(cli, "pull", *args, name)
        assert lean.lean and lean.code == 0, lean.err
        assert requests_since(registry, before) == [("HEAD", "/v2/lib/bb/manifests/1", 200)]
        assert lean.out == full("pull", *args, name).out
    assert "Status: Image is up to date for" in entry(cli, "pull", name).out
    plain = script(cli, "pull", name)  # ends with os._exit: everything printed is flushed first
    assert (plain.returncode, plain.stdout, plain.stderr) == (0, full("pull", name).out, "")
    assert state(cli.root) == state(full.root)


def test_a_moved_tag_is_pulled_by_the_full_path(pulled: tuple[Cli, str], cli: Cli, registry: RegistryProcess,
                                                tmp_path: Path) -> None:
    other, name = pulled
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM busybox\nENV MOVED=1\n")
    cli("build", "-q", "-t", name, str(tmp_path / "ctx"))
    cli("push", name)
    res = entry(other, "pull", name)
    assert not res.lean and res.code == 0, res.err
    assert "Downloaded newer image" in res.out and res.out.count("Pulling from") == 1


def test_an_image_only_under_another_name_is_pulled_by_the_full_path(pulled: tuple[Cli, str]) -> None:
    other, name = pulled
    other("tag", name, "local/copy:1")
    other("rmi", name)
    res = entry(other, "pull", name)
    assert not res.lean and res.code == 0, res.err
    assert "Image is up to date" in res.out  # every blob was there; the full pull makes the tag
    assert entry(other, "pull", name).lean


# ---- the lean push ------------------------------------------------------------------------------

def test_a_push_of_blobs_already_there_heads_them_and_puts_the_manifest(
        cli: Cli, registry: RegistryProcess, busybox: str, tmp_path: Path) -> None:
    # A built layer: the store keeps it uncompressed, and the push sends the gzipped twin it remembers.
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM busybox\nCOPY a /a\n")
    (tmp_path / "ctx" / "a").write_text("built\n")
    cli("build", "-q", "-t", "app:1", str(tmp_path / "ctx"))
    name = f"{registry.address}/lib/app:1"
    cli("push", "app:1", name)
    record = "SELECT last_used FROM cache WHERE key LIKE 'recompress:%'"
    touched = sqlite3.connect(cli.root / "metadata.db").execute(record).fetchone()[0]
    full = twin(cli, tmp_path)
    before = len(registry.requests())
    lean = entry(cli, "push", "app:1", name)
    assert lean.lean and lean.code == 0, lean.err
    methods = [(m, p.split("/")[4]) for m, p, _ in requests_since(registry, before)]
    assert methods == [("HEAD", "blobs")] * 3 + [("PUT", "manifests")]
    expected = full("push", "app:1", name).out
    assert push_lines(lean.out) == push_lines(expected)
    assert all(line.endswith("Layer already exists") for line in push_lines(lean.out)[1])
    assert entry(cli, "push", "--format=json", "app:1", name).out == full("push", "--format=json", "app:1", name).out
    assert entry(cli, "push", "-q", "app:1", name).out == "" == full("push", "-q", "app:1", name).out
    plain = script(cli, "push", "app:1", name)
    assert plain.returncode == 0 and push_lines(plain.stdout) == push_lines(expected)
    assert state(cli.root) == state(full.root)
    # The compressed manifest's record stays fresh for `prune --until`, as with the full push.
    assert sqlite3.connect(cli.root / "metadata.db").execute(record).fetchone()[0] > touched


def test_a_push_to_another_repository_mounts_every_blob_like_the_full_push(
        cli: Cli, registry: RegistryProcess, busybox: str, tmp_path: Path) -> None:
    cli("push", "busybox", f"{registry.address}/a/bb:1")
    full = twin(cli, tmp_path)
    before = len(registry.requests())
    lean = entry(cli, "push", "--compression", "gzip", "busybox", f"{registry.address}/b/bb:1")
    assert lean.lean and lean.code == 0, lean.err
    sent = requests_since(registry, before)
    assert [(m, s) for m, _, s in sent] == [("HEAD", 404)] * 2 + [("POST", 201)] * 2 + [("PUT", 201)]
    assert all("mount=sha256%3A" in p and "from=a%2Fbb" in p for m, p, _ in sent if m == "POST")
    expected = full("push", "busybox", f"{registry.address}/c/bb:1").out
    assert push_lines(lean.out) == push_lines(expected.replace("/c/bb", "/b/bb"))
    assert all(line.endswith("Mounted") for line in push_lines(lean.out)[1])
    assert remote_manifest(registry, "b/bb", "1") == remote_manifest(registry, "c/bb", "1")
    assert state(cli.root) == state(full.root, rename=("c/bb", "b/bb"))
    # What the lean push made is a whole image: the full pull fetches it into an empty store.
    pulled = cli.on(tmp_path / "empty").json("pull", f"{registry.address}/b/bb:1")
    assert pulled["digest"] == "sha256:" + hashlib.sha256(remote_manifest(registry, "c/bb", "1")).hexdigest()
    assert pulled["downloaded"] == 2


def test_a_push_that_must_upload_is_the_full_push_printed_once(cli: Cli, registry: RegistryProcess,
                                                               busybox: str) -> None:
    res = entry(cli, "push", "busybox", f"{registry.address}/lib/bb:1")
    assert not res.lean and res.code == 0, res.err
    header, blobs, last = push_lines(res.out)
    assert header.startswith("The push refers to") and res.out.count("The push refers to") == 1
    assert [line.split(": ")[1] for line in blobs] == ["Pushed", "Pushed"]
    assert last.startswith("1: digest: ")


def test_a_refused_mount_hands_over_to_the_full_push(cli: Cli, registry: RegistryProcess, busybox: str,
                                                     tmp_path: Path) -> None:
    """A mount hint gone stale (the source lost the layer): the lean push gives back the upload the
    registry opened instead of mounting, and the full push uploads the layer; the config, which the
    lean push mounted alongside, is then found in place."""
    cli("push", "--compression=none", "busybox", f"{registry.address}/a/bb:1")
    layer = json.loads(remote_manifest(registry, "a/bb", "1"))["layers"][0]["digest"]
    req = urllib.request.Request(f"http://{registry.address}/v2/a/bb/blobs/{layer}", method="DELETE")
    urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=20).close()
    before = len(registry.requests())
    res = entry(cli, "push", "--compression=none", "busybox", f"{registry.address}/b/bb:1")
    assert not res.lean and res.code == 0, res.err
    sent = [(m, s) for m, _, s in requests_since(registry, before)]
    assert sorted(sent[2:4]) == [("POST", 201), ("POST", 202)] and sent[4] == ("DELETE", 204)
    header, blobs, _ = push_lines(res.out)
    assert res.out.count("The push refers to") == 1
    assert sorted(line.split(": ")[1] for line in blobs) == ["Layer already exists", "Pushed"]
    other = cli.on(tmp_path / "check")
    assert other.json("pull", f"{registry.address}/b/bb:1")["downloaded"] == 2


# ---- what the lean paths leave to the full client ------------------------------------------------

def test_basic_auth_from_docker_config_is_used_and_a_missing_login_is_reported_once(
        cli: Cli, auth_registry: RegistryProcess, busybox: str, tmp_path: Path) -> None:
    name = f"{auth_registry.address}/private/bb:1"
    denied = entry(cli, "push", "busybox", name)
    assert denied.code == 1 and not denied.lean
    assert denied.err.count("authentication required") == 1 and denied.out.count("The push refers to") == 1
    cli("login", "-u", USER, "--password-stdin", auth_registry.address, input=PASSWORD)
    cli("push", "busybox", name)
    full = twin(cli, tmp_path)
    lean = entry(cli, "push", "busybox", name)
    assert lean.lean and lean.code == 0, lean.err
    assert push_lines(lean.out) == push_lines(full("push", "busybox", name).out)
    other = cli.on(tmp_path / "other")
    other("pull", name)
    pulled = entry(other, "pull", name)
    assert pulled.lean and pulled.code == 0 and "Image is up to date" in pulled.out


def test_bearer_tokens_go_the_full_way(cli: Cli, token_proxy: TokenProxy, busybox: str, tmp_path: Path) -> None:
    cli("login", "-u", USER, "--password-stdin", token_proxy.address, input=PASSWORD)
    name = f"{token_proxy.address}/team/bb:1"
    cli("push", "busybox", name)
    res = entry(cli, "push", "busybox", name)
    assert not res.lean and res.code == 0, res.err
    assert res.out.count("Layer already exists") == 2 and res.out.count("The push refers to") == 1

    other = cli.on(tmp_path / "other")
    other("pull", name)
    res = entry(other, "pull", name)
    assert not res.lean and res.code == 0 and "Image is up to date" in res.out


def test_a_registries_file_sends_pulls_and_pushes_the_full_way(pulled: tuple[Cli, str], cli: Cli) -> None:
    other, name = pulled
    assert entry(other, "pull", name).lean and entry(cli, "push", "busybox", name).lean
    write_config(cli.home, '[registry."docker.io"]\nmirrors = ["mirror.invalid"]\n')  # the same HOME for both
    res = entry(other, "pull", name)
    assert not res.lean and res.code == 0 and "Image is up to date" in res.out
    res = entry(cli, "push", "busybox", name)
    assert not res.lean and res.code == 0 and res.out.count("Layer already exists") == 2


def test_a_tls_registry_goes_the_full_way(cli: Cli, busybox: str, pki: Path, tmp_path: Path) -> None:
    reg = RegistryProcess(tmp_path / "tls", tls=(pki / "server.crt", pki / "server.key")).start()
    try:
        certs = cli.home / ".config" / "pybuild" / "certs.d" / reg.address
        certs.mkdir(parents=True)
        shutil.copy(pki / "ca.crt", certs / "ca.crt")
        name = f"{reg.address}/tls/bb:1"
        cli("push", "busybox", name)
        res = entry(cli, "push", "busybox", name)
        assert not res.lean and res.code == 0, res.err
        assert res.out.count("Layer already exists") == 2
    finally:
        reg.stop()


# ---- the lean parts agree with the full ones ------------------------------------------------------

REFERENCES = [
    "busybox", "busybox:1.36", "library/busybox", "docker.io/library/busybox:latest", "index.docker.io/me/app:v1",
    "me/app", "Me/app", "localhost/app", "localhost:5000/a/b/c:tag", "127.0.0.1:5000/lib/bb:1", "[::1]:5000/x:1",
    "registry.example/team/app:1.0-rc_1", "Registry.Example:443/x", "UPPER:tag", "app:", "app:bad/tag", ":1",
    "a__b/c", "a___b", "a-b--c.d_e", "-a", "a-", "host:port/x", "x" * 64, "sha256:" + "a" * 64, "app@sha256:" + "b" * 64,
    "app:1@sha256:" + "c" * 64, " spaced:1 ", "", "app:" + "t" * 129, "a/" * 130 + "b", "ünï:1", "app:tä",
]


def test_the_lean_paths_read_the_store_schema_they_were_written_for() -> None:
    from buildkit_py.registry import leanstore
    from buildkit_py.store import db

    assert leanstore.SCHEMA_VERSION == str(db.SCHEMA_VERSION)


@pytest.mark.parametrize("text", REFERENCES)
def test_lean_references_normalise_as_the_store_does(text: str) -> None:
    lean = leanref.parse(text)
    try:
        full = full_reference.parse(text)
    except InvalidInput:
        assert lean is None
        return
    if full.digest or text.strip().startswith("sha256:"):
        assert lean is None  # digests and IDs are the store's to resolve
        return
    assert lean is not None, text
    assert (str(lean), lean.repository, lean.familiar_repository, lean.familiar()) == \
        (str(full), full.repository, full.familiar_repository, full.familiar())


@pytest.mark.parametrize("host", ["127.0.0.1:5000", "127.1.2.3", "localhost", "localhost:80", "[::1]:5000",
                                  "127.0.0.01:5000", "128.0.0.1", "10.0.0.1:5000", "example.com:5000",
                                  "[::2]:5000", "127.0.0.256", "0x7f.0.0.1"])
def test_lean_loopback_hosts_are_loopback_to_the_full_client(host: str) -> None:
    if leanhttp.is_loopback(host):
        assert full_config.is_loopback(host)
    assert leanhttp.is_loopback(host) == (host in ("127.0.0.1:5000", "127.1.2.3", "localhost", "localhost:80",
                                                    "[::1]:5000"))


def test_ctrl_c_while_the_lean_pull_waits_exits_130_without_a_traceback(cli: Cli, busybox: str) -> None:
    import signal
    import socket
    import time

    with socket.socket() as silent:  # accepts, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        name = f"127.0.0.1:{silent.getsockname()[1]}/quiet/bb:1"
        cli("tag", "busybox", name)
        proc = subprocess.Popen([sys.executable, "-c", PROBE, "pull", name], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**cli.env, "PYBUILD_ROOT": str(cli.root)})
        silent.settimeout(20)
        conn, _ = silent.accept()
        time.sleep(0.5)  # the HEAD is sent; the store is read next, then the answer awaited
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        conn.close()
    assert proc.returncode == 130, err
    assert "Interrupted." in err and "Traceback" not in err and out == ""

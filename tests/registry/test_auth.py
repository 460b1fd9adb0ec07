"""Credentials: htpasswd basic auth, docker's config.json and credential helpers, bearer tokens."""
from __future__ import annotations

import base64
import json
import os
import stat
import sys
import time
from pathlib import Path

import pytest

from tests.registry.conftest import USERS, Cli, docker_config
from tests.registry.servers import RegistryProcess
from tests.registry.tokenproxy import TokenProxy

USER, PASSWORD = next(iter(USERS.items()))


def test_basic_auth_registry_needs_login_and_takes_it(cli: Cli, auth_registry: RegistryProcess, busybox: str,
                                                      tmp_path: Path) -> None:
    name = f"{auth_registry.address}/private/bb:1"
    denied = cli("push", "busybox", name, check=False)
    assert denied.code == 1
    assert "authentication required" in denied.err and f"pybuild login {auth_registry.address}" in denied.err

    wrong = cli("login", "-u", USER, "--password-stdin", auth_registry.address, input="nope\n", check=False)
    assert wrong.code == 1 and "unauthorized" in wrong.err
    assert docker_config(cli.home) == {}

    ok = cli("login", "-u", USER, "--password-stdin", auth_registry.address, input=PASSWORD + "\n")
    assert "Login Succeeded" in ok.out
    entry = docker_config(cli.home)["auths"][auth_registry.address]
    assert base64.b64decode(entry["auth"]).decode() == f"{USER}:{PASSWORD}"
    assert stat.S_IMODE((cli.home / ".docker" / "config.json").stat().st_mode) == 0o600

    assert cli.json("push", "busybox", name)["digest"] == busybox
    assert cli.on(tmp_path / "other").json("pull", name)["digest"] == busybox

    out = cli("logout", auth_registry.address)
    assert f"Removing login credentials for {auth_registry.address}" in out.out
    assert auth_registry.address not in docker_config(cli.home).get("auths", {})
    assert cli("pull", name, check=False).code == 1
    assert "Not logged in" in cli("logout", auth_registry.address).out


def test_credentials_written_by_docker_in_config_json_are_used(cli: Cli, auth_registry: RegistryProcess,
                                                               busybox: str) -> None:
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    (cli.home / ".docker" / "config.json").write_text(
        json.dumps({"auths": {f"https://{auth_registry.address}": {"auth": token}}}))
    assert cli.json("push", "busybox", f"{auth_registry.address}/from-docker/bb:1")["digest"] == busybox


HELPER = """#!{python}
import json, os, sys
path = os.environ["HELPER_STORE"]
db = json.load(open(path)) if os.path.exists(path) else {{}}
action, data = sys.argv[1], sys.stdin.read()
with open(path + ".log", "a") as log:
    log.write(action + " " + data.strip().split('"ServerURL"')[0][:80] + "\\n")
if action == "get":
    if data.strip() not in db:
        print("credentials not found in native keychain"); sys.exit(1)
    user, secret = db[data.strip()]
    print(json.dumps({{"ServerURL": data.strip(), "Username": user, "Secret": secret}}))
elif action == "store":
    doc = json.loads(data); db[doc["ServerURL"]] = [doc["Username"], doc["Secret"]]
    json.dump(db, open(path, "w"))
elif action == "erase":
    if db.pop(data.strip(), None) is None:
        print("credentials not found in native keychain"); sys.exit(1)
    json.dump(db, open(path, "w"))
"""


@pytest.fixture
def helper_env(tmp_path: Path, cli: Cli) -> dict[str, str]:
    """A docker-credential-pytest program on PATH that keeps credentials in a JSON file."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    prog = bindir / "docker-credential-pytest"
    prog.write_text(HELPER.format(python=sys.executable))
    prog.chmod(0o755)
    return {"PATH": f"{bindir}:{os.environ['PATH']}", "HELPER_STORE": str(tmp_path / "helper.json")}


def test_credential_helper_stores_serves_and_erases(cli: Cli, auth_registry: RegistryProcess, busybox: str,
                                                    helper_env: dict[str, str], tmp_path: Path) -> None:
    (cli.home / ".docker" / "config.json").write_text(json.dumps({"credsStore": "pytest"}))
    cli("login", "-u", USER, "--password-stdin", auth_registry.address, input=PASSWORD, env=helper_env)
    saved = json.loads(Path(helper_env["HELPER_STORE"]).read_text())
    assert saved == {auth_registry.address: [USER, PASSWORD]}
    assert "auths" not in docker_config(cli.home)  # the password is not in the file
    cli("push", "busybox", f"{auth_registry.address}/helped/bb:1", env=helper_env)
    log = Path(helper_env["HELPER_STORE"] + ".log").read_text().split("\n")
    assert any(line.startswith("get ") for line in log)
    cli("logout", auth_registry.address, env=helper_env)
    assert json.loads(Path(helper_env["HELPER_STORE"]).read_text()) == {}


def test_cred_helpers_per_registry_win_over_auths(cli: Cli, auth_registry: RegistryProcess, busybox: str,
                                                  helper_env: dict[str, str]) -> None:
    Path(helper_env["HELPER_STORE"]).write_text(json.dumps({auth_registry.address: [USER, PASSWORD]}))
    bad = base64.b64encode(f"{USER}:wrong".encode()).decode()
    (cli.home / ".docker" / "config.json").write_text(json.dumps(
        {"auths": {auth_registry.address: {"auth": bad}}, "credHelpers": {auth_registry.address: "pytest"}}))
    cli("push", "busybox", f"{auth_registry.address}/helped/bb:2", env=helper_env)


def test_a_missing_credential_helper_is_a_clear_error(cli: Cli, auth_registry: RegistryProcess, busybox: str) -> None:
    (cli.home / ".docker" / "config.json").write_text(json.dumps({"credsStore": "does-not-exist"}))
    res = cli("push", "busybox", f"{auth_registry.address}/x/y:1", check=False)
    assert res.code == 1 and "docker-credential-does-not-exist not found" in res.err


# ---- bearer tokens ------------------------------------------------------------------------------

def test_bearer_flow_like_docker_hub(cli: Cli, token_proxy: TokenProxy, busybox: str, tmp_path: Path) -> None:
    name = f"{token_proxy.address}/team/app:1"
    denied = cli("push", "busybox", name, check=False)
    assert denied.code == 1 and "authentication required" in denied.err
    cli("login", "-u", USER, "--password-stdin", token_proxy.address, input=PASSWORD)
    token_proxy.token_requests.clear()
    pushed = cli.json("push", "busybox", name)
    assert pushed["digest"] == busybox and pushed["uploaded"] == 2
    # One token for the push scope, reused by every request of the push (not one per request).
    scopes = [tuple(q.get("scope", [])) for q in token_proxy.token_requests]
    assert scopes == [("repository:team/app:pull,push",)], scopes
    assert all(q["account"] == [USER] and q["service"] == ["pybuild-test-registry"] for q in token_proxy.token_requests)

    # Mounting from another repository needs pull on the source in the same token.
    token_proxy.token_requests.clear()
    mounted = cli.json("push", "busybox", f"{token_proxy.address}/team/other:1")
    assert mounted["mounted"] == 2
    assert any("repository:team/app:pull" in q.get("scope", []) for q in token_proxy.token_requests)

    pulled = cli.on(tmp_path / "other").json("pull", name)
    assert pulled["digest"] == busybox


def test_anonymous_tokens_serve_public_repositories(cli: Cli, token_proxy: TokenProxy, busybox: str,
                                                    tmp_path: Path) -> None:
    cli("login", "-u", USER, "--password-stdin", token_proxy.address, input=PASSWORD)
    cli("push", "busybox", f"{token_proxy.address}/public/bb:1")
    cli("push", "busybox", f"{token_proxy.address}/private/bb:1")
    stranger = Cli(tmp_path / "stranger-store", tmp_path / "stranger-home", cli.env | {"HOME": str(tmp_path / "x")})
    assert stranger.json("pull", f"{token_proxy.address}/public/bb:1")["digest"] == busybox
    refused = stranger("pull", f"{token_proxy.address}/private/bb:1", check=False)
    assert refused.code == 1 and "pybuild login" in refused.err


def test_expired_tokens_are_fetched_again(registry: RegistryProcess, busybox: str, cli: Cli, tmp_path: Path) -> None:
    from buildkit_py.registry.client import Registry
    from buildkit_py.registry.credentials import Credentials

    proxy = TokenProxy(registry.address, USERS, token_ttl=1.0)
    try:
        cli("push", "busybox", f"{registry.address}/team/app:1")
        reg = Registry(proxy.address, credentials=lambda _: Credentials(USER, PASSWORD))
        assert reg.head_manifest("team/app", "1")[0] == busybox
        assert len(proxy.token_requests) == 1
        time.sleep(1.2)
        assert reg.head_manifest("team/app", "1")[0] == busybox
        assert len(proxy.token_requests) == 2
    finally:
        proxy.close()


def test_429_and_503_are_retried(cli: Cli, token_proxy: TokenProxy, busybox: str, tmp_path: Path) -> None:
    cli("login", "-u", USER, "--password-stdin", token_proxy.address, input=PASSWORD)
    name = f"{token_proxy.address}/team/app:1"
    cli("push", "busybox", name)
    token_proxy.inject(r"/blobs/sha256:", "GET", 429, times=2)
    token_proxy.inject(r"/manifests/", "GET", 503, times=1)
    other = cli.on(tmp_path / "other")
    assert other.json("pull", name)["digest"] == busybox
    assert token_proxy.injected == 3
    token_proxy.inject(r"/manifests/", "HEAD", 503, times=10)  # HEAD refused: pull asks with GET instead
    assert other.json("pull", name)["digest"] == busybox
    token_proxy.inject(r"/manifests/", "HEAD", 503, times=10)
    token_proxy.inject(r"/manifests/", "GET", 503, times=10)
    failed = other("pull", name, check=False)
    assert failed.code == 1 and "503" in failed.err

"""Registry credentials the way docker keeps them: `~/.docker/config.json` and credential helpers.

`auths` maps a server to base64 `user:password`; `credHelpers` names a helper per server and
`credsStore` one for all; a helper is the program `docker-credential-<name>` speaking JSON on
stdin/stdout (`get`, `store`, `erase`). Docker Hub's entries live under its old index URL.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..records import dataclass
from .config import DOCKER_HUB, DOCKER_HUB_HOST
from .errors import BadInput, RegistryError

DOCKER_HUB_SERVER = "https://index.docker.io/v1/"
_HELPER_TIMEOUT = 30


@dataclass(frozen=True)
class Credentials:
    username: str
    secret: str

    @property
    def identity_token(self) -> bool:
        """Helpers return the user `<token>` for an OAuth refresh token instead of a password."""
        return self.username == "<token>"


def config_file() -> Path:
    base = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    return Path(base) / "config.json"


def server_key(domain: str) -> str:
    """The key docker uses in config.json for a registry domain."""
    return DOCKER_HUB_SERVER if domain in (DOCKER_HUB, DOCKER_HUB_HOST, "index.docker.io") else domain


def normalize_server(key: str) -> str:
    """`https://host/v1/` and `host` name the same registry."""
    k = key.strip()
    if k == DOCKER_HUB_SERVER:
        return DOCKER_HUB
    for prefix in ("https://", "http://"):
        k = k.removeprefix(prefix)
    k = k.split("/", 1)[0]
    return DOCKER_HUB if k in ("index.docker.io", DOCKER_HUB_HOST) else k


def read_config(path: Path | None = None) -> dict:
    path = path or config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as err:
        raise RegistryError(f"cannot read {path}: {err.strerror}") from None
    try:
        doc = json.loads(text) if text.strip() else {}
    except ValueError as err:
        raise BadInput(f"invalid JSON: {err}", path=str(path), hint="fix or remove the docker config file") from None
    if not isinstance(doc, dict):
        raise BadInput("the docker config must be a JSON object", path=str(path))
    return doc


def write_config(doc: dict, path: Path | None = None) -> None:
    """Replace the file atomically, readable by its owner only (it holds passwords).

    mkstemp creates the file 0600 from the start; a create-then-chmod would leave a moment
    in which other users could read it.
    """
    path = path or config_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config.json.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent="\t")
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _helper_for(doc: dict, domain: str) -> str | None:
    helpers = doc.get("credHelpers")
    if isinstance(helpers, dict):
        for key, name in helpers.items():
            if isinstance(name, str) and normalize_server(key) == domain:
                return name
    store = doc.get("credsStore")
    return store if isinstance(store, str) and store else None


def _run_helper(name: str, action: str, data: str) -> subprocess.CompletedProcess[str]:
    program = f"docker-credential-{name}"
    if shutil.which(program) is None:
        raise RegistryError(f"credential helper {program} not found in PATH",
                            hint="install it, or remove it from credHelpers/credsStore in " + str(config_file()))
    try:
        return subprocess.run([program, action], input=data, capture_output=True, text=True,
                              timeout=_HELPER_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RegistryError(f"credential helper {program} did not answer within {_HELPER_TIMEOUT}s") from None


def _from_helper(name: str, domain: str) -> Credentials | None:
    proc = _run_helper(name, "get", server_key(domain))
    if proc.returncode != 0:
        if "credentials not found" in (proc.stdout + proc.stderr).lower():
            return None
        raise RegistryError(f"credential helper docker-credential-{name} failed: "
                            f"{(proc.stderr or proc.stdout).strip()}")
    try:
        doc = json.loads(proc.stdout)
        return Credentials(str(doc["Username"]), str(doc["Secret"]))
    except (ValueError, KeyError, TypeError):
        raise RegistryError(f"credential helper docker-credential-{name} gave an answer that is not "
                            "{\"Username\", \"Secret\"} JSON") from None


def lookup(domain: str) -> Credentials | None:
    """Credentials for a registry domain (`docker.io`, `ghcr.io`, `host:5000`), or None."""
    doc = read_config()
    helper = _helper_for(doc, domain)
    if helper:
        creds = _from_helper(helper, domain)
        if creds is not None:
            return creds
    auths = doc.get("auths")
    if not isinstance(auths, dict):
        return None
    for key, entry in auths.items():
        if normalize_server(key) != domain or not isinstance(entry, dict):
            continue
        if isinstance(entry.get("identitytoken"), str) and entry["identitytoken"]:
            return Credentials("<token>", entry["identitytoken"])
        auth = entry.get("auth")
        if isinstance(auth, str) and auth:
            try:
                user, sep, password = base64.b64decode(auth).decode("utf-8").partition(":")
            except ValueError:
                raise BadInput(f"the auth entry for {key} is not base64 of user:password",
                               path=str(config_file())) from None
            if sep:
                return Credentials(user, password)
        if isinstance(entry.get("username"), str) and isinstance(entry.get("password"), str):
            return Credentials(entry["username"], entry["password"])
    return None


def store_credentials(domain: str, creds: Credentials) -> str:
    """Save credentials (in the helper when one is configured); returns where they went."""
    doc = read_config()
    helper = _helper_for(doc, domain)
    if helper:
        payload = json.dumps({"ServerURL": server_key(domain), "Username": creds.username, "Secret": creds.secret})
        proc = _run_helper(helper, "store", payload)
        if proc.returncode != 0:
            raise RegistryError(f"credential helper docker-credential-{helper} could not store the credentials: "
                                f"{(proc.stderr or proc.stdout).strip()}")
        return f"docker-credential-{helper}"
    auths = doc.setdefault("auths", {})
    if not isinstance(auths, dict):
        raise BadInput("`auths` in the docker config is not an object", path=str(config_file()))
    for key in [k for k in auths if normalize_server(k) == domain]:
        del auths[key]
    auths[server_key(domain)] = {"auth": base64.b64encode(f"{creds.username}:{creds.secret}".encode()).decode()}
    write_config(doc)
    return str(config_file())


def erase_credentials(domain: str) -> bool:
    """Forget credentials for a domain; True when there were any."""
    doc = read_config()
    found = False
    helper = _helper_for(doc, domain)
    if helper:
        proc = _run_helper(helper, "erase", server_key(domain))
        found = proc.returncode == 0
    auths = doc.get("auths")
    if isinstance(auths, dict):
        keys = [k for k in auths if normalize_server(k) == domain]
        for k in keys:
            del auths[k]
        if keys:
            write_config(doc)
            found = True
    return found

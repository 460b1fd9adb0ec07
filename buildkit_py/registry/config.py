"""Per-registry settings: mirrors, plain-HTTP and unverified-TLS registries, CA certificates.

The file is `$PYBUILD_CONFIG`, else `$XDG_CONFIG_HOME/pybuild/registries.toml` (default
`~/.config/pybuild/registries.toml`). It has the shape of BuildKit's `buildkitd.toml` registry
section, one table per registry host (`docker.io` for Docker Hub):

    [registry."docker.io"]
    mirrors = ["mirror.example:5000", "cache.internal"]   # hosts tried in order before the origin

    [registry."build-cache.internal:5000"]
    http = true                      # plain HTTP
    [registry."self-signed.example"]
    insecure = true                  # HTTPS without verifying the certificate
    ca = ["/etc/ssl/private-ca.pem"] # extra CA certificates for this host

Certificates may also go where docker looks for them, one directory per host:
`~/.config/pybuild/certs.d/<host[:port]>/` holding `*.crt` (CA certificates) and a
`client.cert`/`client.key` pair (TLS client authentication). `SSL_CERT_FILE` and
`SSL_CERT_DIR` replace the system's CA bundle, as for any OpenSSL program.

`localhost`, `127.0.0.0/8` and `::1` may use plain HTTP without configuration: pybuild tries
HTTPS first and falls back to HTTP when the server does not speak TLS (as docker does).
"""
from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import field
from functools import lru_cache
from pathlib import Path

from ..records import dataclass
from .errors import BadInput

DOCKER_HUB = "docker.io"
DOCKER_HUB_HOST = "registry-1.docker.io"


@dataclass(frozen=True)
class HostConfig:
    """Settings for one registry host."""

    mirrors: tuple[str, ...] = ()
    http: bool = False
    insecure: bool = False
    ca: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistriesConfig:
    hosts: dict[str, HostConfig] = field(default_factory=dict)
    path: str | None = None

    def host(self, name: str) -> HostConfig:
        return self.hosts.get(name, HostConfig())


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "pybuild"


def config_path() -> Path:
    env = os.environ.get("PYBUILD_CONFIG")
    return Path(env) if env else config_dir() / "registries.toml"


def certs_dir(host: str) -> Path:
    """Docker's certs.d layout, under pybuild's config directory."""
    return config_dir() / "certs.d" / host


def _strs(value: object, where: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInput(f"{where} must be a list of strings", path=str(path))
    return tuple(value)


def _bool(value: object, where: str, path: Path) -> bool:
    if not isinstance(value, bool):
        raise BadInput(f"{where} must be true or false", path=str(path))
    return value


def parse_config(text: str, path: Path) -> RegistriesConfig:
    """Read the TOML text of a registries file; unknown keys are errors (they are usually typos)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise BadInput(f"invalid TOML: {err}", path=str(path)) from None
    unknown = set(doc) - {"registry"}
    if unknown:
        raise BadInput(f"unknown key {sorted(unknown)[0]!r}", path=str(path),
                       hint='registries are tables like [registry."host:port"]')
    table = doc.get("registry", {})
    if not isinstance(table, dict):
        raise BadInput("`registry` must be a table of hosts", path=str(path))
    hosts: dict[str, HostConfig] = {}
    for host, entry in table.items():
        if not isinstance(entry, dict):
            raise BadInput(f"registry.{host!r} must be a table", path=str(path))
        bad = set(entry) - {"mirrors", "http", "insecure", "ca"}
        if bad:
            raise BadInput(f"unknown key {sorted(bad)[0]!r} in registry.{host!r}", path=str(path),
                           hint="known keys: mirrors, http, insecure, ca")
        where = f"registry.{host!r}"
        hosts[_normalize_host(host)] = HostConfig(
            mirrors=_strs(entry.get("mirrors", []), where + ".mirrors", path),
            http=_bool(entry.get("http", False), where + ".http", path),
            insecure=_bool(entry.get("insecure", False), where + ".insecure", path),
            ca=_strs(entry.get("ca", []), where + ".ca", path),
        )
    return RegistriesConfig(hosts, str(path))


def _normalize_host(host: str) -> str:
    host = host.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    return DOCKER_HUB if host in ("index.docker.io", DOCKER_HUB_HOST) else host


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> RegistriesConfig:
    p = Path(path)
    return parse_config(p.read_text(encoding="utf-8"), p)


def load_config() -> RegistriesConfig:
    """The registries file, or an empty config when there is none."""
    path = config_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        if os.environ.get("PYBUILD_CONFIG"):
            raise BadInput(f"PYBUILD_CONFIG names {path}, which does not exist") from None
        return RegistriesConfig()
    return _load(str(path), st.st_mtime_ns)


def is_loopback(host: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1, with or without a port."""
    name = host
    if name.startswith("["):
        name = name[1:name.find("]")]
    elif name.count(":") == 1:
        name = name.rsplit(":", 1)[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def api_host(domain: str) -> str:
    """Where a registry domain's API lives: Docker Hub's is not at docker.io itself."""
    return DOCKER_HUB_HOST if domain == DOCKER_HUB else domain

"""Fixtures for registry tests: real registries on 127.0.0.1, stores, and the CLI with a private HOME."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.rootfs import busybox_path, busybox_rootfs_tar
from tests.registry.servers import RegistryProcess, env_without_proxies
from tests.registry.tokenproxy import TokenProxy

ROOT = Path(__file__).resolve().parents[2]
USERS = {"alice": "s3cret-pass"}


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Cli:
    """`pybuild` on one store root, with HOME (docker config, pybuild config) in the test's tmp dir."""

    root: Path
    home: Path
    env: dict[str, str]

    def __call__(self, *args: str, input: str | None = None, check: bool = True,
                 env: dict[str, str] | None = None, timeout: float = 300) -> Result:
        e = dict(self.env, PYBUILD_ROOT=str(self.root))
        e.update(env or {})
        proc = subprocess.run([sys.executable, "-m", "buildkit_py.cli", *args], input=input, capture_output=True,
                              text=True, env=e, cwd=ROOT, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"pybuild {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def on(self, root: Path) -> Cli:
        """The same user (HOME) on another store."""
        return Cli(root, self.home, self.env)

    def json(self, *args: str, **kw) -> dict:
        return json.loads(self(*args, "--format", "json", **kw).out)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    (h / ".docker").mkdir(parents=True)
    return h


@pytest.fixture
def cli(tmp_path: Path, home: Path) -> Cli:
    env = env_without_proxies()
    env.update(HOME=str(home), NO_COLOR="1", PYBUILD_REGISTRY_TIMEOUT="20")
    env.pop("DOCKER_CONFIG", None)
    env.pop("PYBUILD_CONFIG", None)
    env.pop("XDG_CONFIG_HOME", None)
    return Cli(tmp_path / "store", home, env)


@pytest.fixture(scope="session")
def busybox_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert busybox_path() is not None, "busybox-static is required (scripts/setup.sh installs it)"
    return busybox_rootfs_tar(tmp_path_factory.mktemp("rootfs") / "busybox.tar")


@pytest.fixture
def busybox(cli: Cli, busybox_tar: Path) -> str:
    """busybox:latest in the cli's store; returns its manifest digest."""
    cli("import", str(busybox_tar), "busybox:latest")
    return manifest_digest(cli, "busybox")


def manifest_digest(cli: Cli, name: str) -> str:
    return json.loads(cli("inspect", name).out)[0]["Descriptor"]["digest"]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[RegistryProcess]:
    reg = RegistryProcess(tmp_path / "registry").start()
    yield reg
    reg.stop()


@pytest.fixture
def auth_registry(tmp_path: Path) -> Iterator[RegistryProcess]:
    reg = RegistryProcess(tmp_path / "auth-registry", users=USERS).start()
    yield reg
    reg.stop()


def store_digests(root: Path) -> set[str]:
    """Every blob digest in a store root."""
    d = root / "blobs" / "sha256"
    return {"sha256:" + p.name for p in d.iterdir()} if d.is_dir() else set()


def write_config(home: Path, text: str) -> Path:
    path = home / ".config" / "pybuild" / "registries.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def docker_config(home: Path) -> dict:
    p = home / ".docker" / "config.json"
    return json.loads(p.read_text()) if p.exists() else {}


@pytest.fixture
def token_proxy(registry: RegistryProcess) -> Iterator[TokenProxy]:
    """A bearer-token front (in Docker Hub's shape) for the plain registry, with the USERS accounts."""
    proxy = TokenProxy(registry.address, USERS)
    yield proxy
    proxy.close()

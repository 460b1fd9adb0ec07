"""Where and how to connect: TLS trust (certs.d, SSL_CERT_FILE, insecure, client certificates) and mirrors."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.registry.conftest import Cli, write_config
from tests.registry.servers import RegistryProcess


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA."""
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=pybuild test CA",
            cwd=d)
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    (d / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    for name, ext in (("server", "san.ext"), ("client", "client.ext")):
        openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.crt", "-days", "2", "-extfile", ext, cwd=d)
    return d


@pytest.fixture
def tls_registry(tmp_path: Path, pki: Path) -> Iterator[RegistryProcess]:
    reg = RegistryProcess(tmp_path / "tls-registry", tls=(pki / "server.crt", pki / "server.key")).start()
    yield reg
    reg.stop()


def test_an_untrusted_tls_registry_is_refused_with_a_hint(cli: Cli, tls_registry: RegistryProcess, busybox: str) -> None:
    res = cli("push", "busybox", f"{tls_registry.address}/tls/bb:1", check=False)
    assert res.code == 1
    assert "not trusted" in res.err and f"certs.d/{tls_registry.address}/ca.crt" in res.err
    assert not any(m == "PUT" for m, _, _ in tls_registry.requests())  # no fallback to anything


def test_certs_d_ca_makes_a_tls_registry_trusted(cli: Cli, tls_registry: RegistryProcess, busybox: str,
                                                 pki: Path, tmp_path: Path) -> None:
    certs = cli.home / ".config" / "pybuild" / "certs.d" / tls_registry.address
    certs.mkdir(parents=True)
    (certs / "ca.crt").write_bytes((pki / "ca.crt").read_bytes())
    name = f"{tls_registry.address}/tls/bb:1"
    assert cli.json("push", "busybox", name)["digest"] == busybox
    assert cli.on(tmp_path / "other").json("pull", name)["digest"] == busybox


def test_ssl_cert_file_replaces_the_system_bundle(cli: Cli, tls_registry: RegistryProcess, busybox: str,
                                                  pki: Path) -> None:
    res = cli.json("push", "busybox", f"{tls_registry.address}/tls/bb:2", env={"SSL_CERT_FILE": str(pki / "ca.crt")})
    assert res["digest"] == busybox


def test_insecure_registries_skip_verification_but_still_use_tls(cli: Cli, tls_registry: RegistryProcess,
                                                                 busybox: str) -> None:
    write_config(cli.home, f'[registry."{tls_registry.address}"]\ninsecure = true\n')
    assert cli.json("push", "busybox", f"{tls_registry.address}/tls/bb:3")["digest"] == busybox


def test_client_certificates_from_certs_d(cli: Cli, busybox: str, pki: Path, tmp_path: Path) -> None:
    reg = RegistryProcess(tmp_path / "mtls", tls=(pki / "server.crt", pki / "server.key"))
    reg.config.write_text(reg.config.read_text().replace(
        f"    key: {pki / 'server.key'}\n", f"    key: {pki / 'server.key'}\n    clientcas:\n      - {pki / 'ca.crt'}\n"))
    reg.start()
    try:
        certs = cli.home / ".config" / "pybuild" / "certs.d" / reg.address
        certs.mkdir(parents=True)
        (certs / "ca.crt").write_bytes((pki / "ca.crt").read_bytes())
        without = cli("push", "busybox", f"{reg.address}/mtls/bb:1", check=False)
        assert without.code == 1 and "https://" in without.err and "Traceback" not in without.err
        (certs / "client.cert").write_bytes((pki / "client.crt").read_bytes())
        (certs / "client.key").write_bytes((pki / "client.key").read_bytes())
        assert cli.json("push", "busybox", f"{reg.address}/mtls/bb:1")["digest"] == busybox
    finally:
        reg.stop()


def test_docker_hub_names_are_pulled_through_a_configured_mirror(cli: Cli, registry: RegistryProcess, busybox: str,
                                                                  tmp_path: Path) -> None:
    cli("push", "busybox", f"{registry.address}/library/busybox:latest")
    # The first mirror is down: the next one serves; Docker Hub itself is never asked.
    write_config(cli.home, f'[registry."docker.io"]\nmirrors = ["127.0.0.1:1", "{registry.address}"]\n')
    other = cli.on(tmp_path / "other")
    pulled = other.json("pull", "busybox")
    assert pulled["digest"] == busybox and pulled["name"] == "docker.io/library/busybox:latest"
    assert "busybox" in other("images").out


def test_a_broken_registries_file_is_bad_input(cli: Cli) -> None:
    write_config(cli.home, '[registry."x"]\nmirorrs = ["y"]\n')
    res = cli("pull", "busybox", check=False)
    assert res.code == 2 and "unknown key 'mirorrs'" in res.err and "registries.toml" in res.err

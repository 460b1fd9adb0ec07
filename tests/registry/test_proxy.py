"""HTTPS through a proxy: a CONNECT tunnel, with the proxy's credentials, to a TLS registry.

Loopback hosts never use a proxy (as in Go's net/http), and every test server is on 127.0.0.1,
so here the transport is told to use the proxy; the tunnel, the TLS inside it and the proxy
authentication are the real thing.
"""
from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from buildkit_py.registry import blobs
from buildkit_py.registry.client import Registry
from buildkit_py.registry.transport import Transport
from tests.registry.servers import RegistryProcess
from tests.registry.test_config import pki  # noqa: F401 - the fixture, shared


class ConnectProxy:
    """Accepts `CONNECT host:port` (optionally demanding basic credentials) and pipes bytes."""

    def __init__(self, credentials: str | None = None) -> None:
        self.credentials = credentials
        self.tunnels: list[str] = []
        self.refused = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.address = f"127.0.0.1:{self._sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        lines = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
        method, target, _ = lines[0].split(" ")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        want = "Basic " + base64.b64encode(self.credentials.encode()).decode() if self.credentials else None
        if method != "CONNECT" or (want and headers.get("proxy-authorization") != want):
            self.refused += 1
            client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            client.close()
            return
        host, _, port = target.rpartition(":")
        upstream = socket.create_connection((host, int(port)), timeout=30)
        self.tunnels.append(target)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    def close(self) -> None:
        self._sock.close()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture
def tls_registry(tmp_path: Path, pki: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RegistryProcess]:  # noqa: F811
    reg = RegistryProcess(tmp_path / "tls", tls=(pki / "server.crt", pki / "server.key")).start()
    certs = tmp_path / "xdg" / "pybuild" / "certs.d" / reg.address
    certs.mkdir(parents=True)
    (certs / "ca.crt").write_bytes((pki / "ca.crt").read_bytes())
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("PYBUILD_CONFIG", raising=False)
    yield reg
    reg.stop()


@pytest.mark.parametrize("credentials", [None, "proxyuser:proxy pass"])
def test_https_goes_through_a_connect_tunnel(tls_registry: RegistryProcess, credentials: str | None) -> None:
    proxy = ConnectProxy(credentials)
    try:
        transport = Transport()
        url = f"http://{credentials.replace(' ', '%20')}@{proxy.address}" if credentials else f"http://{proxy.address}"
        transport.proxy_for = lambda scheme, host: url if scheme == "https" else None  # type: ignore[method-assign]
        reg = Registry(tls_registry.address, transport=transport)
        reg.ping()
        assert blobs.exists(reg, "some/repo", "sha256:" + "0" * 64) is False
        assert proxy.tunnels and set(proxy.tunnels) == {tls_registry.address}
        assert proxy.refused == 0
        assert any(p == "/v2/" for _, p, _ in tls_registry.requests())
    finally:
        proxy.close()


def test_a_proxy_refusing_credentials_is_an_error(tls_registry: RegistryProcess) -> None:
    from buildkit_py.registry.errors import RegistryError

    proxy = ConnectProxy("right:creds")
    try:
        transport = Transport()
        transport.proxy_for = lambda scheme, host: (  # type: ignore[method-assign]
            f"http://wrong:creds@{proxy.address}" if scheme == "https" else None)
        with pytest.raises(RegistryError, match="407"):
            Registry(tls_registry.address, transport=transport).ping()
        assert proxy.refused >= 1 and proxy.tunnels == []
    finally:
        proxy.close()

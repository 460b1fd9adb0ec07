"""HTTP for the registry client: a small keep-alive connection pool over `http.client`.

The standard library is enough here and keeps streaming under our control: bodies go out with
`sendfile` straight from blob files and come in through `readinto` into one reused buffer, so a
layer is never held in memory. Proxies come from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (loopback
hosts never use one, as in Go's net/http); TLS trust from the system, SSL_CERT_FILE, the
registries file and `certs.d/<host>/`.
"""
from __future__ import annotations

import base64
import http.client
import os
import socket
import ssl
import threading
import urllib.parse
import urllib.request
from typing import BinaryIO

from ..records import dataclass
from .config import certs_dir, is_loopback, load_config
from .errors import RegistryError

BUFSIZE = 1 << 20
_DEFAULT_TIMEOUT = 60.0
_MAX_IDLE = 8
# Errors that mean the connection broke, not that the server answered.
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


@dataclass(frozen=True)
class FileBody:
    """`length` bytes of an open file from `offset`: sent with sendfile, re-sendable."""

    file: BinaryIO
    offset: int
    length: int


Body = bytes | FileBody | None


def timeout() -> float:
    try:
        return float(os.environ.get("PYBUILD_REGISTRY_TIMEOUT", _DEFAULT_TIMEOUT))
    except ValueError:
        return _DEFAULT_TIMEOUT


class Response:
    """A response whose connection goes back to the pool once the body is read or closed."""

    def __init__(self, resp: http.client.HTTPResponse, conn: http.client.HTTPConnection, key: tuple,
                 transport: Transport, url: str) -> None:
        self._resp, self._conn, self._key, self._transport = resp, conn, key, transport
        self.status = resp.status
        self.reason = resp.reason
        self.headers = resp.headers
        self.url = url

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def readinto(self, buf: memoryview) -> int:
        try:
            return self._resp.readinto(buf)
        except CONNECTION_ERRORS:
            self._discard()
            raise

    def read(self, limit: int = 4 << 20) -> bytes:
        """The whole body (small answers only: manifests, tokens, errors)."""
        try:
            data = self._resp.read(limit + 1)
        except CONNECTION_ERRORS:
            self._discard()
            raise
        if len(data) > limit:
            self._discard()
            raise RegistryError(f"{self.url}: answer larger than {limit} bytes")
        self.close()
        return data

    def close(self) -> None:
        """Give the connection back when the body was read to its end; else drop it."""
        if self._conn is None:
            return
        if self._resp.length == 0 and not self._resp.isclosed():
            self._resp.read()  # HEAD, 204, empty bodies: nothing to read, but marks the response done
        if self._resp.isclosed() and not self._resp.will_close:
            self._transport._release(self._key, self._conn)
            self._conn = None
        else:
            self._discard()

    def drain(self, limit: int = 64 << 10) -> None:
        """Read a small leftover body so the connection can be kept."""
        try:
            if self._resp.length is not None and self._resp.length <= limit:
                self._resp.read()
        except CONNECTION_ERRORS:
            pass
        self.close()

    def _discard(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Transport:
    """Keep-alive connections per (scheme, host), safe to share between threads."""

    def __init__(self) -> None:
        self._idle: dict[tuple, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._contexts: dict[tuple[str, bool], ssl.SSLContext] = {}
        self._proxies = urllib.request.getproxies_environment()

    # ---- TLS and proxies -------------------------------------------------------------------

    def tls_context(self, host: str) -> ssl.SSLContext:
        """Verified TLS unless the registries file says `insecure`; CAs from the file and certs.d."""
        hc = load_config().host(host)
        key = (host, hc.insecure)
        with self._lock:
            ctx = self._contexts.get(key)
        if ctx is not None:
            return ctx
        ctx = ssl.create_default_context()
        if hc.insecure:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        for ca in hc.ca:
            ctx.load_verify_locations(cafile=ca)
        d = certs_dir(host)
        if d.is_dir():
            for f in sorted(d.iterdir()):
                if f.suffix == ".crt":
                    ctx.load_verify_locations(cafile=str(f))
                elif f.suffix == ".cert":
                    keyfile = f.with_suffix(".key")
                    if not keyfile.exists():
                        raise RegistryError(f"client certificate {f} has no key {keyfile.name}",
                                            hint="put the key next to it with the same base name")
                    ctx.load_cert_chain(str(f), str(keyfile))
        with self._lock:
            self._contexts[key] = ctx
        return ctx

    def proxy_for(self, scheme: str, host: str) -> str | None:
        if is_loopback(host):
            return None
        proxy = self._proxies.get(scheme)
        if not proxy:
            return None
        if urllib.request.proxy_bypass_environment(host, self._proxies):
            return None
        return proxy

    # ---- connections ---------------------------------------------------------------------------

    def _connect(self, scheme: str, host: str) -> tuple[http.client.HTTPConnection, bool]:
        """A new connection, and whether requests on it must use absolute URLs (plain-HTTP proxy)."""
        proxy = self.proxy_for(scheme, host)
        t = timeout()
        if proxy is None:
            if scheme == "https":
                return http.client.HTTPSConnection(host, timeout=t, context=self.tls_context(host),
                                                   blocksize=BUFSIZE), False
            return http.client.HTTPConnection(host, timeout=t, blocksize=BUFSIZE), False
        p = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
        headers = {}
        if p.username:
            cred = f"{urllib.parse.unquote(p.username)}:{urllib.parse.unquote(p.password or '')}"
            headers["Proxy-Authorization"] = "Basic " + base64.b64encode(cred.encode()).decode()
        proxy_host = p.hostname + (f":{p.port}" if p.port else "")
        if scheme == "https":
            conn = http.client.HTTPSConnection(proxy_host, timeout=t, context=self.tls_context(host),
                                               blocksize=BUFSIZE)
            target = urllib.parse.urlsplit("//" + host)
            conn.set_tunnel(target.hostname or host, target.port, headers=headers)
            return conn, False
        conn = http.client.HTTPConnection(proxy_host, timeout=t, blocksize=BUFSIZE)
        conn._pybuild_proxy_headers = headers  # type: ignore[attr-defined]
        return conn, True

    def _acquire(self, key: tuple) -> tuple[http.client.HTTPConnection, bool] | None:
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                return idle.pop(), True
        return None

    def _release(self, key: tuple, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < _MAX_IDLE:
                idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            conns = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for c in conns:
            c.close()

    # ---- requests ------------------------------------------------------------------------------

    def request(self, method: str, url: str, headers: dict[str, str] | None = None, body: Body = None) -> Response:
        """Send one request; a kept-alive connection the server dropped meanwhile is replaced once."""
        u = urllib.parse.urlsplit(url)
        key = (u.scheme, u.netloc)
        pooled = self._acquire(key)
        if pooled is not None:
            try:
                return self._send(pooled[0], key, u, url, method, headers or {}, body)
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine, BrokenPipeError):
                pass  # stale keep-alive connection: try a fresh one
        conn, absolute = self._connect(u.scheme, u.netloc)
        conn._pybuild_absolute = absolute  # type: ignore[attr-defined]
        return self._send(conn, key, u, url, method, headers or {}, body)

    def _send(self, conn: http.client.HTTPConnection, key: tuple, u: urllib.parse.SplitResult, url: str,
              method: str, headers: dict[str, str], body: Body) -> Response:
        absolute = getattr(conn, "_pybuild_absolute", False)
        target = url if absolute else (u.path or "/") + (f"?{u.query}" if u.query else "")
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for k, v in headers.items():
                conn.putheader(k, v)
            for k, v in getattr(conn, "_pybuild_proxy_headers", {}).items():
                conn.putheader(k, v)
            length = len(body) if isinstance(body, bytes) else (body.length if body is not None else None)
            if length is not None or method in ("PUT", "POST", "PATCH"):
                conn.putheader("Content-Length", str(length or 0))
            conn.endheaders(body if isinstance(body, bytes) and len(body) <= 65536 else None)
            if isinstance(body, bytes) and len(body) > 65536:
                conn.send(body)
            elif isinstance(body, FileBody):
                try:
                    _send_file(conn, body)
                except OSError:
                    # The server may have answered early (e.g. 401) and closed: read that answer.
                    resp = conn.getresponse()
                    resp.will_close = True
                    return Response(resp, conn, key, self, url)
            resp = conn.getresponse()
        except BaseException:
            conn.close()
            raise
        return Response(resp, conn, key, self, url)


def _send_file(conn: http.client.HTTPConnection, body: FileBody) -> None:
    sock = conn.sock
    assert sock is not None
    if body.length == 0:
        return
    if isinstance(sock, ssl.SSLSocket):
        _send_file_copy(sock, body)
        return
    sent = sock.sendfile(body.file, body.offset, body.length)
    if sent != body.length:
        raise ConnectionError(f"sent {sent} of {body.length} bytes")


def _send_file_copy(sock: socket.socket, body: FileBody) -> None:
    buf = bytearray(BUFSIZE)
    view = memoryview(buf)
    fd = body.file.fileno()
    pos, end = body.offset, body.offset + body.length
    while pos < end:
        n = os.preadv(fd, [view[: min(BUFSIZE, end - pos)]], pos)
        if n <= 0:
            raise ConnectionError("file shorter than its descriptor says")
        sock.sendall(view[:n])
        pos += n

"""Plain HTTP/1.1 to a loopback registry, for the lean pull and push paths (registry/fastpath.py).

Those paths send a handful of small requests (HEAD, a mount POST, a manifest PUT) and are
over in milliseconds; `http.client` alone costs ~25 ms to import (it loads the email package).
This reader knows only what a registry sends to such requests: a status line, headers and a
body of known length. Anything else — a TLS server, a chunked or unsized body, a redirect, a
dropped connection, an auth scheme other than basic — raises `Fallback`, and the command is
handed to the full client (registry/client.py), which is the reference for every behaviour.
"""
from __future__ import annotations

import json
import os

# The C module under `socket`: its Python wrapper builds enum classes (~2-3 ms) that these
# few calls do not need.
import _socket

USER_AGENT = "pybuild/0.1"  # as registry/client.py sends it
_MAX_HEAD = 64 << 10
_MAX_BODY = 4 << 20
_PARALLEL = 8  # connections at once for HEADs and mounts (small requests: more than the 4 transfers of the full client)
_DOCKER_HUB_SERVER = "https://index.docker.io/v1/"


class Fallback(Exception):
    """The lean path cannot answer this; the full CLI must run (nothing was printed)."""


def is_loopback(host: str) -> bool:
    """`localhost`, a dotted 127.x.y.z or [::1], with or without a port: a strict subset of
    registry/config.py's test (other spellings of the same addresses go the full way)."""
    name, _ = split_host(host)
    if name in ("localhost", "::1"):
        return True
    parts = name.split(".")
    return len(parts) == 4 and parts[0] == "127" and all(
        p.isdigit() and p.isascii() and str(int(p)) == p and int(p) < 256 for p in parts)


def split_host(host: str) -> tuple[str, int]:
    """("127.0.0.1", 5000) for `127.0.0.1:5000`; port 80 when none is given (plain HTTP)."""
    if host.startswith("["):
        end = host.find("]")
        name, rest = host[1:end], host[end + 1:]
        return name, int(rest[1:]) if rest.startswith(":") else 80
    name, colon, port = host.partition(":")
    return name, int(port) if colon else 80


class Client:
    """One kept-alive connection to `host`, plain HTTP; basic auth from docker's config when challenged."""

    def __init__(self, host: str) -> None:
        self.host = host
        self._sock: _socket.socket | None = None
        self._buf = b""
        self._auth: str | None = None
        self._pending: tuple = ("", "", {}, None)
        try:
            self._timeout = min(float(os.environ.get("PYBUILD_REGISTRY_TIMEOUT", 60.0)), 10.0)
        except ValueError:
            self._timeout = 10.0

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes | None = None) -> tuple[int, dict[str, str]]:
        """(status, headers with lower-case names) of one request; answers a basic-auth 401 once."""
        self.send(method, path, headers, body)
        return self.receive()

    def request_all(self, requests: list[tuple[str, str]]) -> list[tuple[int, dict[str, str]]]:
        """Answers to (method, path) requests without bodies, each sent on a connection of its own before
        any answer is read: the registry works on them at once (the full client uses threads for that)."""
        out: list[tuple[int, dict[str, str]]] = []
        for start in range(0, len(requests), _PARALLEL):
            batch = requests[start:start + _PARALLEL]
            clients = [self] + [self._twin() for _ in batch[1:]]
            try:
                for client, (method, path) in zip(clients, batch):
                    client.send(method, path, body=b"" if method in ("PUT", "POST", "PATCH") else None)
                out += [client.receive() for client in clients]
            finally:
                for client in clients[1:]:
                    client.close()
        return out

    def _twin(self) -> Client:
        twin = Client(self.host)
        twin._auth, twin._timeout = self._auth, self._timeout
        return twin

    def send(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None) -> None:
        """Send a request without waiting: the caller can read local state while the registry works."""
        self._pending = (method, path, headers or {}, body)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"User-Agent: {USER_AGENT}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if self._auth:
            lines.append(f"Authorization: {self._auth}")
        if body is not None or method in ("PUT", "POST", "PATCH"):
            lines.append(f"Content-Length: {len(body or b'')}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        try:
            if self._sock is None:
                self._sock = _connect(*split_host(self.host), self._timeout)
            self._sock.sendall(data)
        except (OSError, UnicodeError) as err:
            self.close()
            raise Fallback(f"{method} {path}: {err}") from None

    def receive(self) -> tuple[int, dict[str, str]]:
        """The answer to the request sent last; a basic-auth 401 is answered once, with credentials."""
        method, path, headers, body = self._pending
        try:
            status, hdrs = self._response(method)
        except (OSError, ValueError, UnicodeError) as err:
            self.close()
            raise Fallback(f"{method} {path}: {err}") from None
        if status == 401 and self._auth is None:
            self._auth = basic_auth(self.host, hdrs.get("www-authenticate", ""))
            return self.request(method, path, headers, body)
        return status, hdrs

    def _response(self, method: str) -> tuple[int, dict]:
        buf = self._buf
        while b"\r\n\r\n" not in buf:
            if len(buf) > _MAX_HEAD:
                raise Fallback("answer headers too long")
            buf += self._recv()
        head, _, rest = buf.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        version, _, code_reason = status_line.partition(" ")
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            raise Fallback(f"not an HTTP answer: {status_line[:40]!r}")  # e.g. a TLS server
        status = int(code_reason[:3])
        hdrs: dict[str, str] = {}
        for line in header_lines:
            name, colon, value = line.partition(":")
            if not colon:
                raise Fallback(f"bad header line {line[:40]!r}")
            key = name.strip().lower()
            hdrs[key] = f"{hdrs[key]}, {value.strip()}" if key in hdrs else value.strip()
        if status < 200 or "chunked" in hdrs.get("transfer-encoding", ""):
            raise Fallback(f"answer the lean client does not read (status {status})")
        if method == "HEAD" or status in (204, 304):
            length = 0
        elif "content-length" in hdrs:
            length = int(hdrs["content-length"])
        else:
            raise Fallback("answer without Content-Length")
        if length > _MAX_BODY:
            raise Fallback("answer too large")
        while len(rest) < length:
            rest += self._recv()
        self._buf = rest[length:]  # the body itself is not needed by the lean paths
        if version == "HTTP/1.0" or hdrs.get("connection", "").lower() == "close":
            self.close()
            self._buf = b""
        return status, hdrs

    def _recv(self) -> bytes:
        assert self._sock is not None
        chunk = self._sock.recv(65536)
        if not chunk:
            raise Fallback("connection closed by the registry")
        return chunk


def _connect(name: str, port: int, timeout: float) -> _socket.socket:
    """socket.create_connection, but the name goes to getaddrinfo as bytes: a str is passed
    through the idna codec, whose import (stringprep, unicodedata) costs more than the request."""
    err: OSError | None = None
    for family, kind, proto, _, addr in _socket.getaddrinfo(name.encode("ascii"), port, 0, _socket.SOCK_STREAM):
        sock = _socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(addr)
            return sock
        except OSError as e:
            sock.close()
            err = e
    raise err or OSError(f"cannot resolve {name}")


def basic_auth(domain: str, challenge: str) -> str:
    """`Basic …` for a registry that challenged with basic auth, from ~/.docker/config.json's
    `auths` as registry/credentials.py reads them; Fallback for anything else (bearer tokens,
    credential helpers, identity tokens, no credentials: the full client handles or reports them)."""
    if not challenge.lower().lstrip().startswith("basic") or "bearer" in challenge.lower():
        raise Fallback("not a basic-auth challenge")
    import binascii

    base = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    try:
        with open(os.path.join(base, "config.json"), encoding="utf-8") as f:
            text = f.read()
        doc = json.loads(text) if text.strip() else {}
    except (OSError, ValueError) as err:
        raise Fallback(f"docker config: {err}") from None
    if not isinstance(doc, dict) or doc.get("credsStore") or doc.get("credHelpers"):
        raise Fallback("credentials may come from a helper program")
    auths = doc.get("auths")
    for key, entry in (auths.items() if isinstance(auths, dict) else ()):
        if _normalize_server(key) != domain or not isinstance(entry, dict):
            continue
        if isinstance(entry.get("identitytoken"), str) and entry["identitytoken"]:
            raise Fallback("identity tokens are for bearer auth")
        auth = entry.get("auth")
        if isinstance(auth, str) and auth:
            try:
                user, sep, password = binascii.a2b_base64(auth).decode("utf-8").partition(":")
            except (ValueError, binascii.Error) as err:
                raise Fallback(f"auth entry: {err}") from None
            if sep:
                return _basic(user, password)
        if isinstance(entry.get("username"), str) and isinstance(entry.get("password"), str):
            return _basic(entry["username"], entry["password"])
    raise Fallback(f"no credentials for {domain}")


def _basic(user: str, password: str) -> str:
    import binascii

    return "Basic " + binascii.b2a_base64(f"{user}:{password}".encode(), newline=False).decode()


def _normalize_server(key: str) -> str:
    """As registry/credentials.py's normalize_server (loopback hosts never name Docker Hub)."""
    k = key.strip()
    if k == _DOCKER_HUB_SERVER:
        return "docker.io"
    for prefix in ("https://", "http://"):
        k = k.removeprefix(prefix)
    k = k.split("/", 1)[0]
    return "docker.io" if k in ("index.docker.io", "registry-1.docker.io") else k

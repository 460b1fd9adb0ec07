"""A bearer-token front for a registry, in the shape Docker Hub uses, for tests.

Requests to /v2/... need `Authorization: Bearer <token>` granting the repository scope the
request needs; otherwise 401 with `WWW-Authenticate: Bearer realm=...,service=...,scope=...`.
/token hands out tokens for the asked scopes, checking basic credentials; anonymous callers get
pull on `public/...` repositories only. Can also answer chosen requests with an error status once.
"""
from __future__ import annotations

import base64
import http.client
import http.server
import json
import re
import secrets
import threading
import time
import urllib.parse

SERVICE = "pybuild-test-registry"
_REPO_PATH = re.compile(r"^/v2/(.+?)/(manifests|blobs|tags)(/|$)")


class TokenProxy:
    def __init__(self, upstream: str, users: dict[str, str], *, token_ttl: float = 300.0) -> None:
        self.upstream = upstream
        self.users = users
        self.token_ttl = token_ttl
        self.tokens: dict[str, tuple[frozenset[str], float]] = {}
        self.token_requests: list[dict[str, list[str]]] = []
        self.denied = 0
        self.injections: list[tuple[re.Pattern[str], str, int]] = []  # (path pattern, method, status)
        self.injected = 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                proxy.handle(self)

            do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET  # noqa: N815

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.address = f"127.0.0.1:{self.port}"
        self.realm = f"http://{self.address}/token"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def inject(self, pattern: str, method: str, status: int, times: int = 1) -> None:
        """Answer the next `times` requests matching `method pattern` with `status` (Retry-After: 0)."""
        with self.lock:
            self.injections += [(re.compile(pattern), method, status)] * times

    # ---- tokens ----------------------------------------------------------------------------------

    def _user(self, h: http.server.BaseHTTPRequestHandler) -> str | None | bool:
        """The authenticated user, None for anonymous, False for wrong credentials."""
        auth = h.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        return user if self.users.get(user) == password else False

    def _token(self, h: http.server.BaseHTTPRequestHandler) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(h.path).query)
        with self.lock:
            self.token_requests.append(query)
        user = self._user(h)
        if user is False or query.get("service", [None])[0] != SERVICE:
            _send(h, 401, b'{"details":"incorrect username or password"}')
            return
        granted = set()
        for scope in query.get("scope", []):
            kind, name, actions = scope.split(":")
            for action in actions.split(","):
                if user is not None or (action == "pull" and name.startswith("public/")):
                    granted.add(f"{kind}:{name}:{action}")
        token = secrets.token_hex(16)
        with self.lock:
            self.tokens[token] = (frozenset(granted), time.monotonic() + self.token_ttl)
        body = json.dumps({"token": token, "expires_in": self.token_ttl, "issued_at": "2024-01-01T00:00:00Z"})
        _send(h, 200, body.encode(), "application/json")

    def _needed(self, h: http.server.BaseHTTPRequestHandler) -> list[str]:
        u = urllib.parse.urlsplit(h.path)
        m = _REPO_PATH.match(u.path)
        if not m:
            return []
        action = "pull" if h.command in ("GET", "HEAD") else "push"
        needed = [f"repository:{m.group(1)}:{action}"]
        source = urllib.parse.parse_qs(u.query).get("from")
        if source:
            needed.append(f"repository:{source[0]}:pull")
        return needed

    def _allowed(self, h: http.server.BaseHTTPRequestHandler, needed: list[str]) -> bool:
        auth = h.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return False
        with self.lock:
            entry = self.tokens.get(auth[7:])
        if entry is None or entry[1] < time.monotonic():
            return False
        return all(n in entry[0] for n in needed)

    # ---- proxying --------------------------------------------------------------------------------

    def handle(self, h: http.server.BaseHTTPRequestHandler) -> None:
        if h.path.startswith("/token"):
            self._token(h)
            return
        needed = self._needed(h)
        if not self._allowed(h, needed):
            with self.lock:
                self.denied += 1
            scope = ""
            if needed:
                name = needed[0].split(":")[1]
                scope = f',scope="repository:{name}:{"pull" if h.command in ("GET", "HEAD") else "pull,push"}"'
            _drain(h)
            _send(h, 401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                  "application/json",
                  {"WWW-Authenticate": f'Bearer realm="{self.realm}",service="{SERVICE}"{scope}'})
            return
        with self.lock:
            for i, (pat, method, status) in enumerate(self.injections):
                if method == h.command and pat.search(h.path):
                    del self.injections[i]
                    self.injected += 1
                    break
            else:
                status = 0
        if status:
            _drain(h)
            _send(h, status, b'{"errors":[{"code":"TOOMANYREQUESTS","message":"injected"}]}', "application/json",
                  {"Retry-After": "0"})
            return
        self._forward(h)

    def _forward(self, h: http.server.BaseHTTPRequestHandler) -> None:
        conn = http.client.HTTPConnection(self.upstream, timeout=60)
        length = int(h.headers.get("Content-Length") or 0)
        conn.putrequest(h.command, h.path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.headers.items():
            if k.lower() not in ("authorization", "connection"):
                conn.putheader(k, v)
        conn.endheaders()
        left = length
        while left:
            chunk = h.rfile.read(min(left, 1 << 20))
            if not chunk:
                break
            conn.send(chunk)
            left -= len(chunk)
        resp = conn.getresponse()
        body_len = resp.getheader("Content-Length")
        h.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                h.send_header(k, v)
        if body_len is None and h.command != "HEAD":
            data = resp.read()
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        else:
            h.send_header("Content-Length", body_len or "0")
            h.end_headers()
            while h.command != "HEAD":
                chunk = resp.read(1 << 20)
                if not chunk:
                    break
                h.wfile.write(chunk)
        conn.close()


def _drain(h: http.server.BaseHTTPRequestHandler) -> None:
    left = int(h.headers.get("Content-Length") or 0)
    while left:
        chunk = h.rfile.read(min(left, 1 << 20))
        if not chunk:
            break
        left -= len(chunk)


def _send(h: http.server.BaseHTTPRequestHandler, status: int, body: bytes, ctype: str = "application/json",
          headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)

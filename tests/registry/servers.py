"""Real servers for registry tests, all on 127.0.0.1: Debian's docker-registry, a TCP proxy that
breaks connections on purpose, and a hit counter that RUN steps can call.

Every wait is bounded in time; every server stops at teardown.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import http.server
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

REGISTRY = "/usr/bin/docker-registry"
_START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bcrypt_line(user: str, password: str) -> str:
    """An htpasswd line (bcrypt, as the registry requires) made with the system's libcrypt."""
    lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    lib.crypt_gensalt.restype = ctypes.c_char_p
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    salt = lib.crypt_gensalt(b"$2b$", 5, None, 0)
    hashed = lib.crypt(password.encode(), salt)
    assert hashed and hashed.startswith(b"$2b$"), "libcrypt has no bcrypt"
    return f"{user}:{hashed.decode()}\n"


class RegistryProcess:
    """`docker-registry serve` with its own config: 127.0.0.1 only, storage in `workdir`, deletes on."""

    def __init__(self, workdir: Path, *, users: dict[str, str] | None = None,
                 tls: tuple[Path, Path] | None = None) -> None:
        assert shutil.which(REGISTRY), "docker-registry is not installed (scripts/setup.sh installs it)"
        self.workdir = workdir
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "data").mkdir(exist_ok=True)
        lines = [
            "version: 0.1",
            "log:", "  level: warn", "  accesslog:", "    disabled: false",
            "storage:", "  filesystem:", f"    rootdirectory: {workdir / 'data'}",
            "  delete:", "    enabled: true",
            "http:", f"  addr: {self.address}", "  secret: pybuild-tests",
        ]
        if tls:
            lines += ["  tls:", f"    certificate: {tls[0]}", f"    key: {tls[1]}"]
        if users:
            htpasswd = workdir / "htpasswd"
            htpasswd.write_text("".join(bcrypt_line(u, p) for u, p in users.items()))
            lines += ["auth:", "  htpasswd:", "    realm: pybuild-tests", f"    path: {htpasswd}"]
        self.config = workdir / "config.yml"
        self.config.write_text("\n".join(lines) + "\n")
        self.log = workdir / "registry.log"
        self.proc: subprocess.Popen | None = None
        self.tls = tls is not None

    def start(self) -> RegistryProcess:
        log = open(self.log, "wb")
        self.proc = subprocess.Popen([REGISTRY, "serve", str(self.config)], stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"docker-registry exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"docker-registry did not listen on {self.address} within {_START_TIMEOUT}s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request so far, from the access log."""
        out = []
        for m in re.finditer(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d{3})', self.log.read_text(errors="replace")):
            out.append((m.group(1), m.group(2), int(m.group(3))))
        return out


class FaultProxy:
    """A TCP proxy to `upstream` that misbehaves on purpose, a bounded number of times.

    mode "drop": close a connection once `after` bytes went its way (`direction`);
    mode "flip": invert the byte at offset `after` of that stream.
    `times` connections are harmed (None: every one); the rest pass untouched.
    """

    def __init__(self, upstream: tuple[str, int], mode: str, after: int, times: int | None = 1,
                 direction: str = "down") -> None:
        self.upstream, self.mode, self.after, self.times = upstream, mode, after, times
        self.direction = direction  # "down": server to client; "up": client to server
        self.harmed = 0
        self.connections = 0
        self.bytes_down = 0
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream, timeout=30)
            with self._lock:
                self.connections += 1
            harm = self.times is None or self.harmed < self.times
            up = harm and self.direction == "up"
            threading.Thread(target=self._pipe, args=(client, server, up, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, harm and not up, True), daemon=True).start()

    def _claim(self) -> bool:
        """Take one of the `times` harms; False when they are used up."""
        with self._lock:
            if self.times is not None and self.harmed >= self.times:
                return False
            self.harmed += 1
            return True

    def _pipe(self, src: socket.socket, dst: socket.socket, harm: bool, down: bool) -> None:
        sent = 0
        next_at = self.after  # flips repeat every `after` bytes while harms remain
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                while harm and sent + len(data) > next_at:
                    if not self._claim():
                        harm = False
                        break
                    cut = next_at - sent
                    next_at += self.after
                    if self.mode == "drop":
                        dst.sendall(data[:cut])
                        if down:
                            with self._lock:
                                self.bytes_down += cut
                        return
                    buf = bytearray(data)
                    buf[cut] ^= 0xFF
                    data = bytes(buf)
                dst.sendall(data)
                sent += len(data)
                if down:
                    with self._lock:
                        self.bytes_down += len(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def close(self) -> None:
        self._stop = True
        self._sock.close()


class HitCounter:
    """An HTTP server that counts GETs: a RUN step that calls it proves the step ran."""

    def __init__(self) -> None:
        counter = self
        self.paths: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                counter.paths.append(self.path)
                body = b"counted\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def hits(self) -> int:
        return len(self.paths)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def env_without_proxies() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}

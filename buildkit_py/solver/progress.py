"""Build progress: events from the solver, drawn for a terminal, for CI logs, or as JSON lines.

plain: stable lines like BuildKit's `--progress=plain` (`#3 [2/5] RUN make`, `#3 CACHED`,
`#3 DONE 1.2s`). tty: the same steps, redrawn in place with the tail of the running step's
output. rawjson: one JSON object per event.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from dataclasses import field
from typing import TextIO

from ..records import dataclass


@dataclass
class Vertex:
    id: int
    name: str
    started: float | None = None
    finished: float | None = None
    cached: bool = False
    error: str | None = None
    tail: deque = field(default_factory=lambda: deque(maxlen=6))


class Progress:
    """Base: records vertices; subclasses draw them."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stderr
        self.vertices: list[Vertex] = []
        self.lock = threading.Lock()
        self.start_time = time.monotonic()

    def vertex(self, name: str) -> Vertex:
        with self.lock:
            v = Vertex(len(self.vertices) + 1, name)
            self.vertices.append(v)
        return v

    def started(self, v: Vertex) -> None:
        v.started = time.monotonic()
        self.on_change(v, "start")

    def cached(self, v: Vertex) -> None:
        v.cached = True
        v.started = v.finished = time.monotonic()
        self.on_change(v, "cached")

    def output(self, v: Vertex, data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        for line in text.splitlines():
            v.tail.append(line)
        self.on_output(v, text)

    def done(self, v: Vertex, error: str | None = None) -> None:
        v.finished = time.monotonic()
        v.error = error
        self.on_change(v, "error" if error else "done")

    def log(self, message: str) -> None:
        self.on_log(message)

    def close(self, summary: str | None = None) -> None:
        if summary:
            self.on_log(summary)

    # ---- drawing ------------------------------------------------------------------------
    def on_change(self, v: Vertex, what: str) -> None: ...
    def on_output(self, v: Vertex, text: str) -> None: ...
    def on_log(self, message: str) -> None: ...


class QuietProgress(Progress):
    pass


class PlainProgress(Progress):
    def _w(self, s: str) -> None:
        with self.lock:
            self.out.write(s + "\n")
            self.out.flush()

    def on_change(self, v: Vertex, what: str) -> None:
        if what == "start":
            self._w(f"#{v.id} {v.name}")
        elif what == "cached":
            self._w(f"#{v.id} {v.name}\n#{v.id} CACHED")
        elif what == "done":
            self._w(f"#{v.id} DONE {v.finished - v.started:.1f}s")
        else:
            self._w(f"#{v.id} ERROR: {v.error}")

    def on_output(self, v: Vertex, text: str) -> None:
        elapsed = time.monotonic() - (v.started or time.monotonic())
        for line in text.splitlines():
            self._w(f"#{v.id} {elapsed:.3f} {line}")

    def on_log(self, message: str) -> None:
        self._w(message)


class JsonProgress(Progress):
    def _emit(self, obj: dict) -> None:
        with self.lock:
            self.out.write(json.dumps(obj) + "\n")
            self.out.flush()

    def on_change(self, v: Vertex, what: str) -> None:
        self._emit({"vertex": v.id, "name": v.name, "event": what, "time": time.time(),
                    **({"error": v.error} if v.error else {}),
                    **({"duration": round(v.finished - v.started, 6)} if v.finished and v.started else {})})

    def on_output(self, v: Vertex, text: str) -> None:
        self._emit({"vertex": v.id, "event": "log", "data": text})

    def on_log(self, message: str) -> None:
        self._emit({"event": "message", "data": message})


class TtyProgress(Progress):
    """Redraws the list of steps in place; the running step shows its last output lines."""

    def __init__(self, out: TextIO | None = None) -> None:
        super().__init__(out)
        self.drawn = 0
        self.last = 0.0

    def _redraw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        lines = [f"[+] Building {now - self.start_time:.1f}s"]
        for v in self.vertices:
            if v.cached:
                lines.append(f" => CACHED {v.name}")
            elif v.finished is not None:
                mark = "ERROR" if v.error else ""
                lines.append(f" => {mark + ' ' if mark else ''}{v.name}  {v.finished - (v.started or v.finished):.1f}s")
            elif v.started is not None:
                lines.append(f"\x1b[34m => {v.name}  {now - v.started:.1f}s\x1b[0m")
                lines.extend(f"\x1b[2m => => # {t[:200]}\x1b[0m" for t in v.tail)
        with self.lock:
            if self.drawn:
                self.out.write(f"\x1b[{self.drawn}F\x1b[J")
            self.out.write("\n".join(lines) + "\n")
            self.out.flush()
            self.drawn = len(lines)

    def on_change(self, v: Vertex, what: str) -> None:
        self._redraw(force=True)

    def on_output(self, v: Vertex, text: str) -> None:
        self._redraw()

    def on_log(self, message: str) -> None:
        self._redraw(force=True)
        with self.lock:
            self.out.write(message + "\n")
            self.out.flush()
            self.drawn = 0


def make_progress(mode: str, out: TextIO | None = None) -> Progress:
    out = out or sys.stderr
    if mode == "auto":
        mode = "tty" if hasattr(out, "isatty") and out.isatty() else "plain"
    return {"tty": TtyProgress, "plain": PlainProgress, "rawjson": JsonProgress, "quiet": QuietProgress}[mode](out)

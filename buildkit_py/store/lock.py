"""The store lock: writers hold it shared, garbage collection and repair hold it exclusive.

A writer keeps the shared lock from its first blob until its references or cache records are
committed, so GC never sees a blob that is written but not yet referenced. flock locks belong to
an open file, so one process keeps one descriptor and counts its own shared holders.
"""
from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class StoreLock:
    """A reentrant, thread-safe shared/exclusive lock over one lock file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._shared = 0
        self._exclusive = 0
        self._mutex = threading.Lock()

    def _open(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        return self._fd

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Hold the lock shared (many writers at once); reentrant."""
        with self._mutex:
            if self._exclusive == 0 and self._shared == 0:
                fcntl.flock(self._open(), fcntl.LOCK_SH)
            self._shared += 1
        try:
            yield
        finally:
            with self._mutex:
                self._shared -= 1
                if self._shared == 0 and self._exclusive == 0:
                    fcntl.flock(self._open(), fcntl.LOCK_UN)

    @contextmanager
    def exclusive(self, on_wait: Callable[[], None] | None = None, *, blocking: bool = True) -> Iterator[bool]:
        """Hold the lock alone. Yields False (without the lock) when not blocking and it is busy."""
        with self._mutex:
            if self._shared:
                raise RuntimeError("store lock: exclusive requested while this process holds it shared")
            got = True
            if self._exclusive == 0:
                fd = self._open()
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if not blocking:
                        got = False
                    else:
                        if on_wait is not None:
                            on_wait()
                        fcntl.flock(fd, fcntl.LOCK_EX)
            if got:
                self._exclusive += 1
        try:
            yield got
        finally:
            if got:
                with self._mutex:
                    self._exclusive -= 1
                    if self._exclusive == 0:
                        fcntl.flock(self._open(), fcntl.LOCK_UN)

    def close(self) -> None:
        with self._mutex:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
                self._shared = self._exclusive = 0

"""Run one function over items on a few threads (blob transfers: sockets and hashing release the GIL)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
MAX_PARALLEL = 4


def run_all(fn: Callable[[T], None], items: Sequence[T], workers: int = MAX_PARALLEL) -> None:
    """Call `fn` on every item; the first error is raised once the running calls have ended."""
    if len(items) <= 1:
        for item in items:
            fn(item)
        return
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        futures = [pool.submit(fn, item) for item in items]
        error: BaseException | None = None
        for f in futures:
            try:
                f.result()
            except BaseException as err:  # noqa: BLE001 - kept, and raised after the others stop
                if error is None:
                    error = err
                    for other in futures:
                        other.cancel()
    if error is not None:
        raise error

"""The `pybuild` console script: fast paths for unchanged rebuilds, pulls, pushes and lint, then the click CLI.

A cached rebuild is the command people run most. When `pybuild build` is given only common
flags and the whole-build memo (solver/memo.py) knows the result, the image is tagged and its
ID printed without importing click, the parser or the solver. Likewise a pull of an image that
is up to date and a push that uploads nothing (registry/fastpath.py), and `pybuild lint` with
paths and common options (commands/lint_run.py, which the click command runs too). Anything
else — other flags, a memo miss, any error — goes through the normal CLI, which does the same
work fully.
"""
from __future__ import annotations

import os
import sys

# Flags the fast path understands (all take a value except the boolean ones).
_VALUE_FLAGS = {"-t": "tags", "--tag": "tags", "-f": "file", "--file": "file", "--build-arg": "build_args",
                "--target": "target", "--label": "labels", "--platform": "platform", "--iidfile": "iidfile",
                "--progress": "progress", "--network": "network"}
_BOOL_FLAGS = {"-q": "quiet", "--quiet": "quiet"}
_LIST_FLAGS = {"tags", "build_args", "labels"}  # repeatable; the others keep their last value


def _parse(args: list[str]) -> dict | None:
    """The flags of a `pybuild build` command line, or None when the fast path should not try."""
    from .leanargs import scan

    scanned = scan(args, _BOOL_FLAGS, _VALUE_FLAGS)
    if scanned is None:
        return None
    given, values, positional = scanned
    if len(positional) != 1:  # the context, once
        return None
    out: dict = {"tags": [], "build_args": [], "labels": [], "context": positional[0]}
    out.update(dict.fromkeys(given, True))
    for key, found in values.items():
        out[key] = found if key in _LIST_FLAGS else found[-1]  # the last of a single-valued flag wins
    return None if out.get("file") == "-" else out


def _kv(items: list[str]) -> dict[str, str] | None:
    out = {}
    for item in items:
        k, eq, v = item.partition("=")
        if not eq:
            if k not in os.environ:  # `--build-arg K` takes K from the environment
                continue
            v = os.environ[k]
        out[k] = v
    return out


def _fast_build(args: list[str]) -> bool:
    """Answer an unchanged rebuild from the memo; False when the full build must run."""
    import time

    started = time.monotonic()
    opts = _parse(args)
    if opts is None or opts.get("progress") not in (None, "auto", "plain", "quiet", "tty"):
        return False
    build_args, labels = _kv(opts["build_args"]), _kv(opts["labels"])
    if build_args is None or labels is None:
        return False
    from .locations import store_root
    from .solver import memo

    root = store_root()
    key = memo.key_for(root, context=opts["context"], dockerfile=opts.get("file"), dockerfile_text=None,
                       build_args=build_args, target=opts.get("target"), platform=opts.get("platform"),
                       labels=labels, compression="gzip", network=opts.get("network") or "default", secrets=[])
    if key is None:
        return False
    hit = memo.probe(root, key, list(opts["tags"]))
    if hit is None:
        return False
    image_id = hit.config_digest
    if opts.get("iidfile"):
        with open(opts["iidfile"], "w") as f:
            f.write(image_id)
    if opts.get("quiet"):
        print(image_id)
    else:
        tagged = f"; tagged {', '.join(opts['tags'])}" if opts["tags"] else ""
        print(f"#1 build cache: nothing changed since the last build of these inputs\n#1 CACHED\n"
              f"built {image_id[:19]} in {time.monotonic() - started:.2f}s: {hit.steps} steps, "
              f"{hit.steps} cached{tagged}", file=sys.stderr)
    return True


def _fast_pull(args: list[str]) -> bool:
    """A pull that finds the image up to date (registry/fastpath.py); False when the full pull must run."""
    from .registry import fastpath

    return fastpath.pull(args)


def _fast_push(args: list[str]) -> bool:
    """A push that uploads no blob (registry/fastpath.py); False when the full push must run."""
    from .registry import fastpath

    return fastpath.push(args)


def _fast_lint(args: list[str]) -> bool:
    """`pybuild lint` on common command lines without loading click (commands/lint_run.py); it exits
    with the lint's status. False when the click command must run."""
    from .commands.lint_run import lean_lint

    try:
        status = lean_lint(args)
    except BrokenPipeError:  # `pybuild lint | head`: as the full CLI, status 1
        status = 1
    if status is None:
        return False
    _leave(status)
    return True  # pragma: no cover - _leave does not return


def _leave(status: int) -> None:
    """Save what atexit would have, flush, and exit without the interpreter's teardown (nothing is
    left open to close)."""
    _save_caches()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `pybuild lint | head`: the reader left; as the full CLI, status 1
        status = status or 1
    os._exit(status)


_FAST_PATHS = {"build": _fast_build, "pull": _fast_pull, "push": _fast_push, "lint": _fast_lint}
# A lean pull or push has closed its files, sockets and databases when it answers; the interpreter's
# teardown would still cost ~5-10 ms of a ~40 ms command, so they end without it.
_QUICK_EXIT = {"pull", "push"}


def main() -> None:
    argv = sys.argv[1:]
    fast = _FAST_PATHS.get(argv[0]) if argv else None
    if fast is not None and not os.environ.get("PYBUILD_DEBUG"):
        try:
            if fast(argv[1:]):
                if argv[0] in _QUICK_EXIT:
                    _leave(0)
                return
        except KeyboardInterrupt:  # as the full CLI answers Ctrl-C: no traceback
            print("Interrupted.", file=sys.stderr)
            sys.exit(130)
        except Exception:  # the full CLI reports any problem properly
            pass
    from .cli import main as cli_main

    if argv and argv[0] == "lint":
        _exit_without_teardown(cli_main)
    cli_main()


def _save_caches() -> None:
    """What atexit would have saved: os._exit skips it (records.py's compiled dataclass methods)."""
    records = sys.modules.get("buildkit_py.records")
    if records is not None:
        records.flush()


def _exit_without_teardown(run) -> None:
    """Run the CLI, flush its output, and leave without the interpreter's teardown.

    A lint run holds nothing that needs closing (--fix writes and closes each file as it goes),
    and freeing every object at exit cost ~3% of linting the corpus (bench/lint.py).
    """
    code: int = 0
    try:
        run()
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    _leave(code)


if __name__ == "__main__":
    main()

"""`dataclass`, exactly the standard library's, with the bytecode of the methods it writes kept between runs.

The standard `dataclass` writes each class's __init__, __repr__, __eq__, __hash__ (and, frozen,
__setattr__ and __delattr__) as source text and compiles it as the class is created. pybuild's
~70 classes on the lint path cost ~50 ms of compiling at every start, a third of `pybuild lint`
on one file. Here the compiled code is looked up by its source text in a file in the cache
directory (one per Python build, the code kept per module), so a later run compiles nothing. The
classes are the same either way: the same text gives the same code, which dataclasses then runs
as it always does.

The standard `dataclass` calls the builtin `exec` by its module-global name; while one of our
classes is being made, that name in the dataclasses module is pointed at `_exec` below. Code
objects are trusted as `__pycache__` files are: the file is read only if the user running pybuild
owns it and nobody else can write it.
"""
from __future__ import annotations

import sys

TYPE_CHECKING = False  # as typing's, without importing typing on the console script's lean paths
if TYPE_CHECKING:
    from typing import Any

# The file holds, per module, its classes' code as one marshalled blob: a run unpacks only the
# modules it imports (`pybuild --help` makes one class, a lint ~70, a build others).
_blobs: dict[str, bytes] | None = None  # module → marshalled {source text: code}, read at the first class
_code: dict[str, dict[str, Any]] = {}  # module → source text → code, unpacked as the module makes classes
_used: dict[str, set[str]] = {}  # module → the source texts this run used
_changed: set[str] = set()  # modules with code compiled in this run
_depth = 0  # classes being made (a class made inside another's creation, as in a default)


def _cache_file() -> str:
    """One file per Python build (bytecode differs between them; two on one machine keep theirs)."""
    import os
    import zlib

    from .locations import cache_dir

    tag = f"{sys.implementation.cache_tag}-{zlib.crc32(sys.version.encode()):08x}"
    return os.path.join(cache_dir(), f"dataclass-code-{tag}.marshal")


def _load() -> dict[str, bytes]:
    import marshal
    import os

    try:
        with open(_cache_file(), "rb") as f:
            st = os.fstat(f.fileno())
            # Code is run from this file: only if this user wrote it and nobody else can (as ssh
            # treats its keys), in case the cache directory was pointed somewhere shared.
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return {}
            data = marshal.loads(f.read())  # one read: marshal.load(f) reads in small pieces, ~10x slower
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not (isinstance(data, dict) and data.get("version") == sys.version and isinstance(data.get("modules"), dict)):
        return {}
    return {k: v for k, v in data["modules"].items() if isinstance(k, str) and isinstance(v, bytes)}


def _module_code(module: str) -> dict[str, Any]:
    """The cached code of `module`'s classes (empty when there is none, or it is damaged)."""
    global _blobs
    if _blobs is None:
        _blobs = _load()
    blob = _blobs.get(module)
    found: dict[str, Any] = {}
    if blob is not None:
        import marshal

        try:
            data = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            data = None
        if isinstance(data, dict):
            code_type = type(_module_code.__code__)
            found = {k: v for k, v in data.items() if isinstance(k, str) and type(v) is code_type}
    return found


def _exec(source: Any, globals: dict | None = None, locals: dict | None = None) -> None:
    """`exec`, for the dataclasses module: compiled code for a source text seen in an earlier run."""
    if not isinstance(source, str):
        exec(source, globals, locals)
        return
    module = str((globals or {}).get("__name__", ""))
    cached = _code.get(module)
    if cached is None:
        cached = _code[module] = _module_code(module)
    code = cached.get(source)
    if code is None:
        code = cached[source] = compile(source, "<string>", "exec")
        if not _changed:
            import atexit

            atexit.register(flush)
        _changed.add(module)
    _used.setdefault(module, set()).add(source)
    exec(code, globals, locals)


def flush() -> None:
    """Write the cache if this run compiled something (atomically; an unwritable cache is skipped).

    A module that compiled something is stored with what this run used of it: importing a module
    makes all its classes, so code of the module's earlier versions is dropped, not kept forever.
    """
    if not _changed or _blobs is None:
        return
    import marshal

    from .locations import replace_file

    for module in _changed:
        _blobs[module] = marshal.dumps({k: _code[module][k] for k in _used[module]})
    _changed.clear()
    # 0600: this user's alone whatever the umask, as _load trusts nothing else
    replace_file(_cache_file(), marshal.dumps({"version": sys.version, "modules": _blobs}), 0o600)


if TYPE_CHECKING:  # type checkers see the standard decorator
    from dataclasses import dataclass
else:
    def dataclass(cls=None, /, **kwargs):
        """dataclasses.dataclass, with the methods' bytecode cached (see the module's docstring)."""
        if cls is None:
            return lambda c: dataclass(c, **kwargs)
        import dataclasses

        global _depth
        _depth += 1
        dataclasses.exec = _exec
        try:
            return dataclasses.dataclass(cls, **kwargs)
        finally:
            _depth -= 1
            if not _depth:
                del dataclasses.exec  # the builtin again, for everyone else's classes

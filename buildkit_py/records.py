"""`dataclass`, exactly the standard library's, with the bytecode of the methods it writes kept between runs.

The standard `dataclass` writes each class's __init__, __repr__, __eq__, __hash__ (and, frozen,
__setattr__ and __delattr__) as source text and compiles it as the class is created. pybuild's
~70 classes on the lint path cost ~50 ms of compiling at every start, a third of `pybuild lint`
on one file. Here the compiled code is looked up by its source text in a file in the cache
directory (one per Python build), so a later run compiles nothing. The classes are the same
either way: the same text gives the same code, which dataclasses then runs as it always does.

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

# Past this many entries (code of old pybuild versions piles up) a save keeps only what this run used.
_MAX_ENTRIES = 5000
_code: dict[str, Any] | None = None  # source text → code object, loaded at the first class
_used: set[str] = set()
_dirty = False
_depth = 0  # classes being made (a class made inside another's creation, as in a default)


def _cache_file() -> str:
    """One file per Python build (bytecode differs between them; two on one machine keep theirs)."""
    import os
    import zlib

    from .locations import cache_dir

    tag = f"{sys.implementation.cache_tag}-{zlib.crc32(sys.version.encode()):08x}"
    return os.path.join(cache_dir(), f"dataclass-code-{tag}.marshal")


def _load() -> dict[str, Any]:
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
    if not (isinstance(data, dict) and data.get("version") == sys.version and isinstance(data.get("code"), dict)):
        return {}
    code_type = type(_load.__code__)
    return {k: v for k, v in data["code"].items() if isinstance(k, str) and type(v) is code_type}


def _exec(source: Any, globals: dict | None = None, locals: dict | None = None) -> None:
    """`exec`, for the dataclasses module: compiled code for a source text seen in an earlier run."""
    global _code, _dirty
    if not isinstance(source, str):
        exec(source, globals, locals)
        return
    if _code is None:
        _code = _load()
    code = _code.get(source)
    if code is None:
        code = compile(source, "<string>", "exec")
        _code[source] = code
        if not _dirty:
            import atexit

            atexit.register(flush)
            _dirty = True
    _used.add(source)
    exec(code, globals, locals)


def flush() -> None:
    """Write the cache if this run compiled something (atomically; an unwritable cache is skipped)."""
    global _dirty
    if not _dirty or _code is None:
        return
    _dirty = False
    import marshal
    import os

    keep = _code if len(_code) <= _MAX_ENTRIES else {k: _code[k] for k in _used}
    path = _cache_file()
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # this user's alone whatever the umask: _load trusts nothing else
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            f.write(marshal.dumps({"version": sys.version, "code": keep}))
        os.replace(tmp, path)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass


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

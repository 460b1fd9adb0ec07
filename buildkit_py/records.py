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

One change to the methods, for frozen classes with slots: the standard __init__ stores each field
with `object.__setattr__(self, 'name', value)` (frozen classes forbid `self.name = value`), a
lookup of the attribute on the type and a generic call per field: about a quarter of a
microsecond each, which made building the parser's frozen nodes a fifth of parsing. Here each of
those lines calls the field's slot descriptor directly instead (its `__set__`, found once, when the
class is made), which stores the same value in the same slot about three times faster. Nothing
else in the text changes, and classes without slots (no descriptors) keep the standard text.
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
    fast = _slots_frozen and _SETATTR in source
    key = _FAST_KEY + source if fast else source  # a class without slots with the same text keeps its own
    code = cached.get(key)
    if code is None:
        code = cached[key] = compile(_with_setters(source) if fast else source, "<string>", "exec")
        if not _changed:
            import atexit

            atexit.register(flush)
        _changed.add(module)
    _used.setdefault(module, set()).add(key)
    exec(code, globals, locals)
    if fast and locals is not None:
        maker = locals.get("__create_fn__")
        setters = maker.__defaults__[-1] if maker is not None and maker.__defaults__ else None
        if isinstance(setters, list):
            _pending.append(setters)


# How the standard text stores a field in a frozen class, in 3.11 to 3.13.
_SETATTR = "__dataclass_builtins_object__.__setattr__("
_FAST_KEY = "slot setters 1\0"  # bump when _with_setters changes: the cache is keyed by the text it is given
_slots_frozen = False  # the class being made is frozen and has slots
_pending: list[list] = []  # setter lists made by _exec, filled in once their class exists


def _with_setters(source: str) -> str:
    """The standard text, each `object.__setattr__(self,'name',value)` a call of `name`'s setter.

    The setters live in a list made as the text runs (the outer function's last default: a new list
    each time), holding the field names until `_fill` swaps in their slot descriptors' `__set__`.
    """
    import re

    names: list[str] = []

    def call(m: re.Match[str]) -> str:
        names.append(m.group(2))
        return f"__dataclass_setters__[{len(names) - 1}]({m.group(1)},"

    body = re.sub(r"__dataclass_builtins_object__\.__setattr__\((\w+),'(\w+)',", call, source)
    head, sep, rest = body.partition("):\n")
    if not head.startswith("def __create_fn__(") or not sep:  # not the layout we know: leave it be
        return source
    extra = f"__dataclass_setters__={names!r}"
    head = head + (extra if head.endswith("(") else "," + extra)
    return head + sep + rest


def _fill(cls: type, mark: int) -> None:
    """Swap the field names in the setter lists made for `cls` for its slots' setters."""
    for setters in _pending[mark:]:
        for i, name in enumerate(setters):
            if isinstance(name, str):
                setters[i] = _slot_setter(cls, name) or name
    del _pending[mark:]


def _slot_setter(cls: type, name: str) -> Any:
    """The `__set__` of the slot that holds field `name` of `cls`, or None when it has no slot. An
    inherited field's slot is on the base class that declared it."""
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if descriptor is not None:
            return getattr(descriptor, "__set__", None)
    return None


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


def maker(cls: type) -> Any:
    """A function that makes a `cls` (a frozen dataclass with slots) from every field's value, positionally
    in the order of `dataclasses.fields(cls)`: no defaults, no keywords, no __post_init__.

    For the parser's hot loop, which makes several nodes per instruction. The node is made as an
    instance of a twin of `cls` (`_thawed`) that may be written to, its fields are stored with plain
    attribute stores (which the interpreter specialises to a store into the slot), and it then
    becomes a `cls`: half the cost of calling each slot's setter, and a quarter of a keyword-only
    __init__ with defaults. The text is compiled through the same cache as the classes' methods.
    """
    import dataclasses

    names = [f.name for f in dataclasses.fields(cls)]
    for name in names:
        if _slot_setter(cls, name) is None:
            raise TypeError(f"{cls.__name__}.{name} is not a slot")
    params = ", ".join(names)
    stores = "".join(f"  __self__.{name} = {name}\n" for name in names)
    # (the class named in the text: two classes with the same fields get code objects of their own, so that
    # neither's attribute stores are specialised for the other's type)
    source = (f"# {cls.__module__}.{cls.__qualname__}\n"
              f"def __create_maker__(__cls__, __thawed__):\n def __make__({params}):\n"
              f"  __self__ = __thawed__()\n{stores}  __self__.__class__ = __cls__\n  return __self__\n"
              f" return __make__\n")
    namespace: dict[str, Any] = {}
    _exec(source, {"__name__": cls.__module__}, namespace)
    made = namespace["__create_maker__"](cls, _thawed(cls))
    made.__qualname__ = f"{cls.__qualname__}.__make__"
    return made


def _thawed(cls: type) -> type:
    """A subclass of `cls` with its layout (no slots of its own) and none of its guards: attribute
    stores are the plain object ones, and making one runs no __init__. An instance can be turned into
    a `cls` by assigning `__class__` (the layouts agree), and nothing else ever sees one."""
    return type(cls)(cls.__name__, (cls,), {
        "__slots__": (), "__module__": cls.__module__, "__qualname__": f"{cls.__qualname__}.<thawed>",
        "__init__": object.__init__, "__setattr__": object.__setattr__, "__delattr__": object.__delattr__,
    })


if TYPE_CHECKING:  # type checkers see the standard decorator
    from dataclasses import dataclass
else:
    def dataclass(cls=None, /, **kwargs):
        """dataclasses.dataclass, with the methods' bytecode cached (see the module's docstring)."""
        if cls is None:
            return lambda c: dataclass(c, **kwargs)
        import dataclasses

        global _depth, _slots_frozen
        _depth += 1
        dataclasses.exec = _exec
        outer = _slots_frozen
        _slots_frozen = bool(kwargs.get("frozen") and kwargs.get("slots"))
        mark = len(_pending)
        try:
            made = dataclasses.dataclass(cls, **kwargs)
            _fill(made, mark)
            return made
        finally:
            del _pending[mark:]
            _slots_frozen = outer
            _depth -= 1
            if not _depth:
                del dataclasses.exec  # the builtin again, for everyone else's classes

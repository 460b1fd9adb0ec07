"""records.dataclass: the standard library's classes, with their compiled methods kept between runs."""
from __future__ import annotations

import dataclasses
import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from buildkit_py import records

ROOT = Path(__file__).resolve().parent.parent

# A fresh process imports the parser's AST module and reports what the cache did.
PROBE = """
import json, sys
from buildkit_py import records
from buildkit_py.syntax import ast, parse
df = parse("FROM busybox AS b\\nRUN echo hi\\n")
print(json.dumps({"compiled": sorted(records._changed), "used": sum(map(len, records._used.values())),
                  "stage": df.stages[0].name, "exec": "exec" in vars(sys.modules["dataclasses"])}))
"""


def probe(cache: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def cache_file(cache: Path) -> Path:
    (found,) = (cache / "pybuild").glob(f"dataclass-code-{sys.implementation.cache_tag}-*.marshal")
    return found


def test_classes_behave_as_the_standard_library_s():
    @records.dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple[str, ...] = dataclasses.field(default=(), compare=False)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Reference:
        x: int
        y: int = 0
        tags: tuple[str, ...] = dataclasses.field(default=(), compare=False)

    p = Point(1, tags=("a",))
    assert repr(p) == repr(Reference(1, tags=("a",))).replace("Reference", "Point")
    assert p == Point(1, 0, ("b",)) and hash(p) == hash(Point(1))
    assert p != Point(2)
    assert [f.name for f in dataclasses.fields(p)] == ["x", "y", "tags"]
    assert dataclasses.replace(p, y=5).y == 5
    assert Point.__slots__ == ("x", "y", "tags")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 3  # type: ignore[misc]
    assert "exec" not in vars(dataclasses)  # the builtin again once the class is made


@records.dataclass(frozen=True, slots=True, kw_only=True)
class _Base:
    """What the node classes below inherit: fields whose slots are on this class."""

    keyword: str
    flags: tuple[str, ...] = ()


def _setters(cls: type) -> list:
    """The slot setters a class's __init__ calls (empty: the standard object.__setattr__ text)."""
    cells = cls.__init__.__closure__ or ()
    return next((c.cell_contents for c in cells if isinstance(c.cell_contents, list)), [])


def test_frozen_classes_with_slots_store_fields_through_their_slots():
    @records.dataclass(frozen=True, slots=True, kw_only=True)
    class Node(_Base):
        self: int = 0  # dataclasses renames its own `self` when a field is called that
        items: list = dataclasses.field(default_factory=list)
        count: int = dataclasses.field(default=0, init=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "count", len(self.items))

    class Plain(Node):  # no fields of its own: Node's __init__ serves it
        __slots__ = ()

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class RefBase:
        keyword: str
        flags: tuple[str, ...] = ()

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Ref(RefBase):
        self: int = 0
        items: list = dataclasses.field(default_factory=list)
        count: int = dataclasses.field(default=0, init=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "count", len(self.items))

    for made, ref in ((Node(keyword="RUN", self=2, items=[1, 2]), Ref(keyword="RUN", self=2, items=[1, 2])),
                      (Plain(keyword="x"), Ref(keyword="x"))):
        assert dataclasses.asdict(made) == dataclasses.asdict(ref)
        assert repr(made).split("(", 1)[1] == repr(ref).split("(", 1)[1]
    assert Node(keyword="a").items is not Node(keyword="a").items  # a new list each time
    with pytest.raises(dataclasses.FrozenInstanceError):
        Node(keyword="a").keyword = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Node(keyword="a", count=3)  # type: ignore[call-arg]
    setters = _setters(Node)
    assert len(setters) == 5 and all(callable(s) and not isinstance(s, str) for s in setters)
    # each is the __set__ of the field's slot, on the class that declared it
    assert [s.__self__ for s in setters] == [_Base.__dict__["keyword"], _Base.__dict__["flags"], Node.__dict__["self"],
                                             Node.__dict__["items"], Node.__dict__["count"]]


def test_classes_without_slots_keep_the_standard_text():
    @records.dataclass(frozen=True)
    class Loose:
        x: int
        y: int = 1

    assert _setters(Loose) == [] and Loose(1) == Loose(1, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Loose(1).x = 2  # type: ignore[misc]


def test_plain_decorator_form_and_mutable_classes():
    @records.dataclass
    class Box:
        items: list = dataclasses.field(default_factory=list)

    b = Box()
    b.items.append(1)
    assert b == Box([1]) and Box().items == []


def test_a_second_run_compiles_nothing(tmp_path):
    first = probe(tmp_path)
    assert "buildkit_py.syntax.ast" in first["compiled"] and first["stage"] == "b" and not first["exec"]
    assert cache_file(tmp_path).is_file()
    second = probe(tmp_path)
    assert second == {**first, "compiled": []}  # every method's code came from the cache
    assert second["used"] > 50


def test_a_damaged_or_foreign_cache_is_rebuilt(tmp_path):
    probe(tmp_path)
    path = cache_file(tmp_path)
    path.write_bytes(b"not marshal data")
    assert probe(tmp_path)["compiled"]
    assert not probe(tmp_path)["compiled"]
    data = marshal.loads(path.read_bytes())
    path.write_bytes(marshal.dumps({**data, "version": "another python"}))
    assert probe(tmp_path)["compiled"]
    data = marshal.loads(path.read_bytes())
    assert data["version"] == sys.version and "buildkit_py.errors" in data["modules"]
    # one module's damaged part: that module's classes are compiled again, the others' are not
    modules = {**data["modules"], "buildkit_py.errors": b"\x00damaged"}
    path.write_bytes(marshal.dumps({**data, "modules": modules}))
    assert probe(tmp_path)["compiled"] == ["buildkit_py.errors"]
    # an entry that is not code is not run: compiled again
    ast_code = marshal.loads(data["modules"]["buildkit_py.syntax.ast"])
    key = next(iter(ast_code))
    modules = {**data["modules"], "buildkit_py.syntax.ast": marshal.dumps({**ast_code, key: "print('no')"})}
    path.write_bytes(marshal.dumps({**data, "modules": modules}))
    assert probe(tmp_path)["compiled"] == ["buildkit_py.syntax.ast"]
    assert not probe(tmp_path)["compiled"]


def test_a_module_keeps_only_its_current_code(tmp_path):
    probe(tmp_path)
    path = cache_file(tmp_path)
    data = marshal.loads(path.read_bytes())
    ast_code = marshal.loads(data["modules"]["buildkit_py.syntax.ast"])
    stale = {**ast_code, "def __create_fn__():\n def old(self):\n  pass\n return old": compile("0", "<s>", "exec")}
    data["modules"]["buildkit_py.syntax.ast"] = marshal.dumps(stale)
    del data["modules"]["buildkit_py.errors"]  # something to compile, so that the file is written
    path.write_bytes(marshal.dumps(data))
    assert probe(tmp_path)["compiled"] == ["buildkit_py.errors"]
    again = marshal.loads(marshal.loads(path.read_bytes())["modules"]["buildkit_py.syntax.ast"])
    assert len(again) == len(stale)  # ast compiled nothing: its part was not rewritten
    # once ast itself compiles something, its part holds what this run used: the stale entry goes
    del data["modules"]["buildkit_py.syntax.ast"]
    data["modules"]["buildkit_py.syntax.ast"] = marshal.dumps(dict(list(stale.items())[1:]))
    path.write_bytes(marshal.dumps(data))
    assert "buildkit_py.syntax.ast" in probe(tmp_path)["compiled"]
    again = marshal.loads(marshal.loads(path.read_bytes())["modules"]["buildkit_py.syntax.ast"])
    assert set(again) == set(ast_code)


def test_a_file_others_can_write_is_not_run(tmp_path):
    probe(tmp_path)
    path = cache_file(tmp_path)
    assert not probe(tmp_path)["compiled"]
    path.chmod(0o666)  # group and world writable: its code is not trusted, the methods are compiled
    assert probe(tmp_path)["compiled"]
    assert path.stat().st_mode & 0o777 == 0o600  # and the file written again is this user's alone
    assert not probe(tmp_path)["compiled"]


def test_a_loose_umask_does_not_make_the_cache_untrusted(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    loose = "import os; os.umask(0o002); exec(open(os.environ['PROBE_FILE']).read())"
    (tmp_path / "probe.py").write_text(PROBE)
    env["PROBE_FILE"] = str(tmp_path / "probe.py")
    subprocess.run([sys.executable, "-c", loose], env=env, check=True, capture_output=True)
    assert cache_file(tmp_path).stat().st_mode & 0o777 == 0o600
    assert not probe(tmp_path)["compiled"]


def test_the_lint_command_saves_it_although_it_skips_atexit(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM busybox:1.36\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    pybuild = Path(sys.executable).with_name("pybuild")
    subprocess.run([str(pybuild), "lint", str(dockerfile)], env=env, check=True, capture_output=True)
    assert cache_file(tmp_path / "cache").is_file()


def test_each_python_build_keeps_its_own_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    mine = records._cache_file()
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    assert records._cache_file() != mine


def test_an_unwritable_cache_directory_is_skipped(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = probe(blocker)  # XDG_CACHE_HOME is a file: nothing can be written under it
    assert out["compiled"] and out["stage"] == "b"


def test_maker_makes_what_init_makes_from_every_field_in_order():
    @records.dataclass(frozen=True, slots=True, kw_only=True)
    class Node(_Base):
        image: str
        stage: str | None = None

    make = records.maker(Node)
    made = make("FROM", ("--platform=x",), "busybox", "b")
    by_init = Node(keyword="FROM", flags=("--platform=x",), image="busybox", stage="b")
    assert made == by_init and hash(made) == hash(by_init)
    assert type(made) is Node  # the writable twin it was made as is never seen
    with pytest.raises(AttributeError):
        made.__dict__  # still the slots' layout
    with pytest.raises(TypeError):
        make("FROM", (), "busybox")  # no defaults: every field, every time
    with pytest.raises(dataclasses.FrozenInstanceError):
        make("FROM", (), "busybox", None).image = "x"

    @records.dataclass(frozen=True)
    class Loose:
        x: int

    with pytest.raises(TypeError):
        records.maker(Loose)  # no slots to store into


def test_the_parser_s_makers_fill_each_instruction_s_own_fields():
    from buildkit_py.syntax import ast, parse

    df = parse("FROM --platform=linux/amd64 busybox AS b\nCOPY --from=b --chmod=644 --link a /d/\n"
               "ADD --checksum=sha256:00 --keep-git-dir=true x /y\nRUN --network=none true\n"
               "HEALTHCHECK --retries=3 CMD true\nONBUILD RUN x\nENV K=v\n")
    f, c, a, r, h, o, e = df.instructions
    assert (f.image, f.stage_name, f.as_keyword, f.platform) == ("busybox", "b", "AS", "linux/amd64")
    assert (c.sources, c.dest, c.from_, c.chmod, c.link, c.parents, c.chown) == (("a",), "/d/", "b", "644", True, False, None)
    assert (a.sources, a.dest, a.checksum, a.keep_git_dir, a.unpack) == (("x",), "/y", "sha256:00", True, None)
    assert (r.command, r.network, r.mounts, r.security) == (("true",), "none", (), None)
    assert (h.test, h.retries, h.interval) == (("CMD-SHELL", "true"), 3, None)
    assert isinstance(o.trigger, ast.Run) and o.expression == "RUN x"
    assert [(p.key, p.value) for p in e.pairs] == [("K", "v")]
    # the Dockerfile is made with its instructions picked out as __post_init__ would, and no stages yet
    assert df.instructions == tuple(i for i in df.items if isinstance(i, ast.Instruction))
    assert [s.name for s in df.stages] == ["b"] and df.stages[0].instructions == (c, a, r, h, o, e)

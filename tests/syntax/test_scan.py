"""syntax/scan.py reads the grammar's tokens as Lark's own parser does: same tokens, same lines, same errors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buildkit_py.syntax.raw import BOM, _Unterminated, scan_directives
from buildkit_py.syntax import scan
from buildkit_py.syntax.raw import parse_raw
from buildkit_py.syntax.scan import lark_tokens, tokens
from tests.syntax.test_fuzz import ALPHABET, EDITS, SEED, mutated

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
HEREDOCS = ("FROM a\nRUN <<EOF\nbody\nEOF\nCOPY <<A <<-B /d\nA1\nA\n\tB1\n\tB\nRUN <<X cat\nX\n"
            "RUN 3<<'Q' cat <&3\nq\nQ\n# syntax=x\nRUN x\n")


def both(text: str) -> None:
    text = text[1:] if text.startswith(BOM) else text
    try:
        escape = next((v for n, v, _ in scan_directives(text) if n == "escape"), "\\")
    except Exception:  # a repeated or bad directive: parse_raw stops before tokens
        return
    try:
        want = lark_tokens(text, escape)
    except _Unterminated as err:
        with pytest.raises(_Unterminated) as got:
            tokens(text, escape)
        assert (got.value.name, got.value.line) == (err.name, err.line)
        return
    assert tokens(text, escape) == want


def test_corpus_and_heredocs_give_lark_s_tokens():
    files = sorted(p for p in CORPUS.glob("*/*") if p.is_file() and "Dockerfile" in p.name)
    assert len(files) > 100, f"the corpus is missing from {CORPUS}"
    for path in files:
        both(path.read_text(encoding="utf-8", errors="surrogateescape"))
    both(HEREDOCS)
    both("# escape=`\nFROM a\nRUN x `\n  y\nRUN <<EOF\nz\nEOF\n")
    both("# syntax=a\n# check=skip=all\n\n# syntax=b\nFROM a\n# trailing\n\n")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(ALPHABET, max_size=200))
def test_random_text_gives_lark_s_tokens(text: str) -> None:
    both(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EDITS)
def test_mutated_dockerfile_gives_lark_s_tokens(edits: list[tuple[int, int, str]]) -> None:
    text = mutated(SEED + HEREDOCS, edits)
    both(text)


def test_without_lark_s_internals_tokens_come_from_lark_parse(monkeypatch):
    # Another Lark may keep its table and lexers elsewhere: then the tokens come from Lark.parse.
    text = "# syntax=x\nFROM a\nRUN <<EOF\nbody\nEOF\n# end\n"
    want = parse_raw(text).dump()
    monkeypatch.setattr(scan, "_tables", lambda escape: None)
    assert tokens(text, "\\") == lark_tokens(text, "\\")
    assert parse_raw(text).dump() == want


PROBE = ("import sys, json\n"
         "from buildkit_py.syntax import parse\n"
         "df = parse('# escape=`\\nFROM a\\nRUN x `\\n  y\\n')\n"
         "print(json.dumps([df.instructions[1].line, any(m.startswith('lark') for m in sys.modules)]))\n")


def _probe(cache: Path) -> list:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_tables_are_cached_so_that_parsing_needs_no_lark_import(tmp_path):
    cache = tmp_path / "cache"
    assert _probe(cache) == ["RUN x   y", True]  # the first process builds the tables with Lark
    files = sorted((cache / "pybuild").glob("dockerfile-tables-*"))
    assert [re.sub("[0-9a-f]{8}", "CRC", p.name) for p in files] == ["dockerfile-tables-backtick-CRC.marshal"]
    assert _probe(cache) == ["RUN x   y", False]  # the next one reads them: Lark is not imported

    table = files[0]
    table.write_bytes(b"\x00garbage")  # a damaged cache is rebuilt
    assert _probe(cache) == ["RUN x   y", True]
    assert _probe(cache) == ["RUN x   y", False]

    import marshal

    data = marshal.loads(table.read_bytes())
    data["grammar"] += "\n// another grammar\n"  # tables of another grammar are not used
    table.write_bytes(marshal.dumps(data))
    assert _probe(cache) == ["RUN x   y", True]
    assert marshal.loads(table.read_bytes())["grammar"] != data["grammar"]
    assert len(list((cache / "pybuild").glob("dockerfile-tables-*"))) == 1


def test_each_grammar_keeps_its_own_table_file():
    from buildkit_py.syntax.scan import _cache_file

    assert _cache_file("\\", "grammar a") != _cache_file("\\", "grammar b") != _cache_file("`", "grammar b")

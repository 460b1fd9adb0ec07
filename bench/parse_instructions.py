#!/usr/bin/env python3
"""Count the machine instructions each parser spends on the corpus, with valgrind's callgrind.

    .venv/bin/python bench/parse_instructions.py [--corpus ../shared/corpus]

bench/parse.py times the parsers, and on a shared machine its times swing by a third from one
minute to the next. Instruction counts do not: this script runs each parser in a child process
under callgrind twice, once parsing every file of the corpus after a warm-up and once with the
warm-up alone, and prints the difference (start-up and imports cancel out) and pybuild's ratio to
dockerfile-parse. It needs `valgrind` (apt install valgrind) and takes a few minutes.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The child: parse the first files (imports, grammar tables, caches), then, when asked, every file.
CHILD = r"""
import io, sys
from pathlib import Path
corpus, which, full = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
files = sorted(p for p in corpus.glob("*/*") if p.is_file() and "Dockerfile" in p.name)
texts = [p.read_bytes().decode("utf-8", "surrogateescape") for p in files]
if which == "typed":
    from buildkit_py.syntax import parse as fn
elif which == "tree":
    from buildkit_py.syntax.raw import parse_raw as fn
else:
    from dockerfile_parse import DockerfileParser
    def fn(t):
        DockerfileParser(fileobj=io.BytesIO(t.encode("utf-8", "surrogateescape"))).structure
for t in texts[:20]:
    fn(t)
if full:
    for t in texts:
        fn(t)
"""

PARSERS = {"typed": "pybuild (typed AST)", "tree": "pybuild (node tree)", "dfp": "dockerfile-parse"}


def instructions(corpus: Path, which: str, full: bool, env: dict[str, str]) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", CHILD,
         str(corpus), which, "1" if full else "0"],
        env=env, capture_output=True, text=True, check=True,
    )
    m = re.search(r"Collected : (\d+)", out.stderr)
    if m is None:
        raise SystemExit(f"no instruction count from callgrind:\n{out.stderr[-2000:]}")
    return int(m.group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as cache:
        # the same hash seed for every run; a private cache directory, written by a first run
        env = {**os.environ, "PYTHONHASHSEED": "0", "XDG_CACHE_HOME": cache, "PYTHONPATH": str(ROOT)}
        counts = {}
        for which, name in PARSERS.items():
            subprocess.run([sys.executable, "-c", CHILD, str(args.corpus), which, "1"], env=env, check=True)
            counts[name] = instructions(args.corpus, which, True, env) - instructions(args.corpus, which, False, env)
            print(f"{name:22} {counts[name] / 1e6:8.0f}M instructions", flush=True)
    dfp = counts["dockerfile-parse"]
    for name in ("pybuild (typed AST)", "pybuild (node tree)"):
        print(f"{name} vs dockerfile-parse: {dfp / counts[name]:.2f}x (fewer instructions is higher)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

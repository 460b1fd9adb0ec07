#!/usr/bin/env python3
"""Parse the corpus of real Dockerfiles with pybuild, dockerfile-parse and BuildKit's Go parser.

    .venv/bin/python bench/parse.py [--corpus ../shared/corpus] [--rounds 9]

Prints files/s and ms per file for each parser and pybuild's ratio to the others. All of them run
in this one process, interleaved: the files are taken in batches of 16, each batch is parsed by each
parser in turn, in an order shuffled afresh for every batch of every round, and a parser's time is
the sum over the batches of its best time for each. On a shared machine, whose speed changes from
one moment to the next, a slow spell then costs every parser the batches it lasted over, instead of
one parser a whole round; a batch is long enough for a parser's own code and data to be warm, as
they are when a program parses many files. The order is shuffled because the parser that ran just
before leaves the caches cold for the next one (the Go parser most of all): with a fixed or rotated
order, each parser would always follow the same one. pybuild is measured twice: the typed AST
(`buildkit_py.parse`, what `pybuild parse` and the linter use) and BuildKit's node tree alone
(`parse_raw`).
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


BATCH = 16  # files timed together


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.glob("*/*") if p.is_file() and "Dockerfile" in p.name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    files = corpus_files(args.corpus)
    if not files:
        print(f"no Dockerfiles under {args.corpus}", file=sys.stderr)
        return 2
    texts = [p.read_bytes().decode("utf-8", "surrogateescape") for p in files]
    lines = sum(t.count("\n") for t in texts) / len(texts)

    from buildkit_py.syntax import parse
    from buildkit_py.syntax.raw import parse_raw

    parsers = {"pybuild (typed AST)": lambda t: parse(t), "pybuild (node tree)": parse_raw}
    try:
        from dockerfile_parse import DockerfileParser

        def dfp(t: str) -> None:
            DockerfileParser(fileobj=io.BytesIO(t.encode("utf-8", "surrogateescape"))).structure

        parsers["dockerfile-parse"] = dfp
    except ImportError:
        print("dockerfile-parse is not installed: skipped", file=sys.stderr)
    try:
        import dockerfile

        parsers["dockerfile (BuildKit, Go)"] = dockerfile.parse_string
    except ImportError:
        print("the `dockerfile` package is not installed: skipped", file=sys.stderr)

    for fn in parsers.values():  # warm up: grammar construction, imports, caches
        for t in texts[:20]:
            fn(t)
    batches = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]
    names = list(parsers)
    shuffle = random.Random(0).shuffle  # the same orders in every run
    fastest = {name: [float("inf")] * len(batches) for name in names}
    for r in range(args.rounds):
        for i, batch in enumerate(batches):
            order = names[:]
            shuffle(order)
            for name in order:
                fn = parsers[name]
                start = time.perf_counter()
                for t in batch:
                    fn(t)
                fastest[name][i] = min(fastest[name][i], time.perf_counter() - start)
    best = {name: sum(times) for name, times in fastest.items()}

    print(f"{len(files)} Dockerfiles, {lines:.0f} lines on average, best of {args.rounds} rounds per batch of {BATCH}")
    print(f"{'parser':28} {'files/s':>10} {'ms/file':>9}")
    for name, seconds in best.items():
        print(f"{name:28} {len(files) / seconds:10.0f} {seconds / len(files) * 1000:9.3f}")
    ours = best["pybuild (typed AST)"]
    for name, seconds in best.items():
        if not name.startswith("pybuild"):
            print(f"pybuild (typed AST) vs {name}: {seconds / ours:.2f}x the throughput")
    return 0


if __name__ == "__main__":
    sys.exit(main())

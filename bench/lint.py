"""Lint throughput: pybuild against hadolint on the same corpus of real Dockerfiles, in one run.

    .venv/bin/python bench/lint.py [--corpus DIR] [--repeat N] [--skip-hadolint] [--api] [--breakdown]

Each tool lints every file in ONE process (`pybuild lint --no-fail FILES...`, as users run
it; `hadolint --no-fail FILES...`), output discarded; the time is wall-clock, process start
included; the CPU time (user + system) is printed too, since it depends less on the
machine's load. pybuild's time is the best of --repeat runs (hadolint's is one run: it is slow).
--api also times the Python API (`buildkit_py.lint.lint` over the texts, in this process),
which leaves out interpreter start and imports; --breakdown splits pybuild's CPU time into
imports, parsing, shell parsing and rules (the slowest ten named). Target: pybuild >= 30x hadolint's files/s,
without --shellcheck.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_DOCKERFILES = ("LICENSE", "README", "SOURCES")
TARGET = 30.0


def corpus_files(corpus: Path) -> list[Path]:
    files = [p for p in sorted(corpus.rglob("*")) if p.is_file() and not p.name.startswith(NOT_DOCKERFILES)]
    if not files:
        sys.exit(f"no Dockerfiles under {corpus}")
    return files


def time_command(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):  # 1: findings (should not happen with --no-fail)
        sys.exit(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def tool(name: str) -> str:
    local = ROOT / ".venv" / "bin" / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found (looked in {local.parent} and PATH)")
    return found


def time_api(files: list[Path]) -> float:
    sys.path.insert(0, str(ROOT))
    from buildkit_py.lint import lint

    texts = [(str(p), p.read_text(encoding="utf-8", errors="surrogateescape")) for p in files]
    start = time.perf_counter()
    for path, text in texts:
        lint(text, path=path)
    return time.perf_counter() - start


def breakdown(files: list[Path]) -> None:
    """Where pybuild's CPU time goes, in this process: imports, parsing, shell parsing, each rule."""
    sys.path.insert(0, str(ROOT))
    start = time.process_time()
    from buildkit_py.lint.config import LintConfig
    from buildkit_py.lint.context import LintContext
    from buildkit_py.lint.rule import all_rules
    from buildkit_py.syntax import ast as A
    from buildkit_py.syntax import parse

    rules = [r for r in all_rules().values() if not r.needs_context and not r.experimental]
    imports = time.process_time() - start
    parse_s = shell_s = 0.0
    per_rule: dict[str, float] = {}
    per_origin: dict[str, float] = {}
    for path in files:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        t0 = time.process_time()
        df = parse(text, path=str(path), strict=False)
        t1 = time.process_time()
        ctx = LintContext(df, LintConfig())
        for ins in df.instructions:
            if isinstance(ins, A.Run):
                ctx.shell(ins)  # parsed once here, so that no rule is charged for it
        parse_s, shell_s = parse_s + t1 - t0, shell_s + time.process_time() - t1
        for r in rules:
            t0 = time.process_time()
            list(r.check(ctx))
            spent = time.process_time() - t0
            per_rule[r.code] = per_rule.get(r.code, 0.0) + spent
            per_origin[r.origin] = per_origin.get(r.origin, 0.0) + spent
    print(f"CPU breakdown: imports and rule loading {imports:.2f} s, parsing {parse_s:.2f} s, "
          f"shell parsing {shell_s:.2f} s, rules {sum(per_rule.values()):.2f} s ("
          + ", ".join(f"{k} {v:.2f}" for k, v in sorted(per_origin.items())) + ")")
    top = sorted(per_rule.items(), key=lambda kv: -kv[1])[:10]
    print("  slowest rules: " + ", ".join(f"{code} {t:.3f}" for code, t in top))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--repeat", type=int, default=3, help="pybuild runs (the best counts)")
    ap.add_argument("--skip-hadolint", action="store_true", help="time pybuild only")
    ap.add_argument("--api", action="store_true", help="also time the in-process Python API")
    ap.add_argument("--breakdown", action="store_true", help="also show where pybuild's CPU time goes")
    args = ap.parse_args()

    files = corpus_files(args.corpus)
    names = [str(p) for p in files]
    n = len(files)
    print(f"corpus: {args.corpus} ({n} files)")

    pybuild = tool("pybuild")
    env_note = f"({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})"
    runs = [time_command([pybuild, "lint", "--no-fail", *names]) for _ in range(max(args.repeat, 1))]
    best, best_cpu = min(runs)
    print(f"pybuild lint:   {best:7.2f} s  {n / best:8.1f} files/s   CPU {best_cpu:6.2f} s  {n / best_cpu:8.1f} files/s"
          f"  (best of {len(runs)}) {env_note}")
    if args.api:
        api = time_api(files)
        print(f"pybuild API:    {api:7.2f} s  {n / api:8.1f} files/s  (lint() in one process, after imports)")
    if args.breakdown:
        breakdown(files)
    if args.skip_hadolint:
        return 0

    hadolint = tool("hadolint")
    elapsed, cpu = time_command([hadolint, "--no-fail", *names])
    print(f"hadolint:       {elapsed:7.2f} s  {n / elapsed:8.1f} files/s   CPU {cpu:6.2f} s  {n / cpu:8.1f} files/s")
    ratio, cpu_ratio = elapsed / best, cpu / best_cpu
    verdict = "meets" if ratio >= TARGET else "below"
    print(f"ratio: pybuild is {ratio:.1f}x hadolint's throughput, wall clock ({verdict} the {TARGET:.0f}x target); "
          f"{cpu_ratio:.1f}x by CPU time")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Lint throughput: pybuild against hadolint on the same corpus of real Dockerfiles, in one run.

    .venv/bin/python bench/lint.py [--corpus DIR] [--repeat N] [--skip-hadolint] [--api] [--breakdown]
                                   [--no-bytecode-cache]

As the issue asks: each tool lints every file in ONE process, from its command line
(`pybuild lint --no-fail --jobs 1 FILES...`, `hadolint --no-fail FILES...`), output discarded,
process start included. For each tool it prints wall-clock and CPU (user + system) time and
files/s, then pybuild's ratio to hadolint by both. The machine may be shared: its load is printed
before and after, and the CPU ratio is the one to trust on a busy machine (wall time there
measures the queue). On an idle machine hadolint's runtime spreads its work over the cores
(CPU > wall), while pybuild with --jobs 1 uses one. pybuild's numbers are the best of --repeat
runs (wall and CPU each); hadolint's are one run (it is slow).

Two more pybuild runs put the main one in context: "fresh files" forgets at every file the RUN
scripts parsed so far (the corpus repeats most of them across an image's variants, and pybuild
parses a script once per process), and "default jobs" is `pybuild lint` as a user runs it, which
shares a long file list out among one forked process per CPU.

pybuild runs as an installed package does, from compiled bytecode (pip compiles it at install):
the bench keeps the bytecode in a cache of its own (PYTHONPYCACHEPREFIX under the temp directory,
nothing written to the tree) and warms it with one untimed run. --no-bytecode-cache measures the
compile too, as this tree runs with PYTHONDONTWRITEBYTECODE=1.

--api also times the Python API (`buildkit_py.lint.lint` over the texts, in this process),
which leaves out interpreter start and imports; --breakdown splits pybuild's CPU time into
imports, parsing, shell parsing, work shared by several rules, and each rule (the slowest named).
Last, one typical file (the corpus's median size) linted by one process of each tool, best of five:
what a pre-commit hook or an editor pays per file, start-up included.
Target: pybuild >= 30x hadolint's files/s, without --shellcheck.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_DOCKERFILES = ("LICENSE", "README", "SOURCES")
TARGET = 30.0
PYCACHE = Path(tempfile.gettempdir()) / "pybuild-bench-pycache"


def corpus_files(corpus: Path) -> list[Path]:
    files = [p for p in sorted(corpus.rglob("*")) if p.is_file() and not p.name.startswith(NOT_DOCKERFILES)]
    if not files:
        sys.exit(f"no Dockerfiles under {corpus}")
    return files


def time_command(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):  # 1: findings (should not happen with --no-fail)
        sys.exit(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


ONE_FILE_RUNS = 5


def median_file(files: list[Path]) -> Path:
    """The corpus file of median size: what linting one typical Dockerfile costs."""
    return sorted(files, key=lambda p: p.stat().st_size)[len(files) // 2]


def tool(name: str) -> str:
    local = ROOT / ".venv" / "bin" / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found (looked in {local.parent} and PATH)")
    return found


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def pybuild_env(bytecode_cache: bool) -> dict[str, str]:
    env = dict(os.environ)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def line(name: str, n: int, wall: float, cpu: float, note: str = "") -> str:
    return (f"{name:<21}{wall:7.2f} s wall {n / wall:7.1f} files/s   CPU {cpu:6.2f} s {n / cpu:7.1f} files/s"
            + (f"  {note}" if note else ""))


def time_api(files: list[Path]) -> tuple[float, float]:
    from buildkit_py.lint import lint

    texts = [(str(p), p.read_text(encoding="utf-8", errors="surrogateescape")) for p in files]
    start, cpu = time.perf_counter(), time.process_time()
    for path, text in texts:
        lint(text, path=path)
    return time.perf_counter() - start, time.process_time() - cpu


def breakdown(files: list[Path]) -> None:
    """Where pybuild's CPU time goes, in this process: imports, parsing, shell parsing, each rule."""
    start = time.process_time()
    from buildkit_py.lint.config import LintConfig
    from buildkit_py.lint.context import LintContext
    from buildkit_py.lint.rule import all_rules
    from buildkit_py.lint.rules.hadolint._common import run_commands, runs
    from buildkit_py.shell import script  # noqa: F401 - imported here, not charged to the first RUN
    from buildkit_py.syntax import ast as A
    from buildkit_py.syntax import parse

    rules = [r for r in all_rules().values() if not r.needs_context and not r.experimental]
    imports = time.process_time() - start
    parse_s = shell_s = shared_s = 0.0
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
        t2 = time.process_time()
        # what several rules share, computed once per file, charged to no rule
        ctx.scope.dispatched()
        list(ctx.scope.all_steps())
        for _, run in runs(ctx):
            run_commands(ctx, run)
        t3 = time.process_time()
        parse_s, shell_s, shared_s = parse_s + t1 - t0, shell_s + t2 - t1, shared_s + t3 - t2
        for r in rules:
            t0 = time.process_time()
            list(r.check(ctx))
            spent = time.process_time() - t0
            per_rule[r.code] = per_rule.get(r.code, 0.0) + spent
            per_origin[r.origin] = per_origin.get(r.origin, 0.0) + spent
    print(f"CPU breakdown: imports and rule loading {imports:.2f} s, parsing {parse_s:.2f} s, "
          f"shell parsing {shell_s:.2f} s, shared by rules (scope, RUN commands) {shared_s:.2f} s, "
          f"rules {sum(per_rule.values()):.2f} s ("
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
    ap.add_argument("--no-bytecode-cache", action="store_true",
                    help="let pybuild compile its modules on every run (PYTHONDONTWRITEBYTECODE as set)")
    args = ap.parse_args()

    files = corpus_files(args.corpus)
    names = [str(p) for p in files]
    n = len(files)
    print(f"corpus: {args.corpus} ({n} files); machine: {load()} before")

    pybuild = tool("pybuild")
    cached = not args.no_bytecode_cache
    env = pybuild_env(cached)
    argv = [pybuild, "lint", "--no-fail", "--jobs", "1", *names]  # one process, as the issue measures
    if cached:
        time_command(argv, env)  # warm-up: compiles into the bench's bytecode cache
    runs = [time_command(argv, env) for _ in range(max(args.repeat, 1))]
    wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
    how = "bytecode cached" if cached else "bytecode compiled each run"
    print(line("pybuild lint", n, wall, cpu, f"(best of {len(runs)}; {how})"))
    # The corpus repeats itself (the variants of one official image share most RUN scripts), and
    # pybuild parses a script it has seen once per process. The same run with that memory cleared
    # at every file shows what a corpus without repeats would cost.
    fresh_env = {**env, "PYBUILD_LINT_FRESH_FILES": "1"}
    fresh = [time_command(argv, fresh_env) for _ in range(max(args.repeat, 1))]
    f_wall, f_cpu = min(r[0] for r in fresh), min(r[1] for r in fresh)
    print(line("pybuild, fresh files", n, f_wall, f_cpu, "(no script remembered from one file to the next)"))
    # What a user gets by default: long file lists shared out among one process per CPU.
    par_argv = [pybuild, "lint", "--no-fail", *names]
    par = [time_command(par_argv, env) for _ in range(max(args.repeat, 1))]
    p_wall, p_cpu = min(r[0] for r in par), min(r[1] for r in par)
    print(line("pybuild, default jobs", n, p_wall, p_cpu, "(forked workers, one per CPU; CPU time counts them all)"))
    if args.api or args.breakdown:
        sys.path.insert(0, str(ROOT))
        if cached:
            sys.dont_write_bytecode, sys.pycache_prefix = False, str(PYCACHE)
    if args.breakdown:  # first, so that it is charged for the imports
        breakdown(files)
    if args.api:
        from buildkit_py.lint.context import clear_script_memo

        clear_script_memo()  # as in a fresh process: no script parsed yet
        api_wall, api_cpu = time_api(files)
        print(line("pybuild API", n, api_wall, api_cpu, "(lint() in this process, after imports)"))
    if args.skip_hadolint:
        print(f"machine: {load()} after")
        return 0

    hadolint = tool("hadolint")
    h_wall, h_cpu = time_command([hadolint, "--no-fail", *names])
    print(line("hadolint", n, h_wall, h_cpu, "(one run)"))
    if h_cpu > 1.1 * h_wall:
        print(f"note: hadolint kept {h_cpu / h_wall:.1f} cores busy on average (its runtime is parallel); "
              "pybuild runs on one, so on an idle machine its wall-clock ratio is the lower one")
    ratio, cpu_ratio = h_wall / wall, h_cpu / cpu
    print(f"machine: {load()} after")
    print(f"ratio: pybuild is {cpu_ratio:.1f}x hadolint's throughput by CPU time "
          f"({'meets' if cpu_ratio >= TARGET else 'below'} the {TARGET:.0f}x target), "
          f"{ratio:.1f}x by wall clock ({'meets' if ratio >= TARGET else 'below'})")
    print(f"       with fresh files: {h_cpu / f_cpu:.1f}x by CPU time, {h_wall / f_wall:.1f}x by wall clock")
    print(f"       with default jobs: {h_cpu / p_cpu:.1f}x by CPU time, {h_wall / p_wall:.1f}x by wall clock "
          f"(both tools on every core)")
    # What a pre-commit hook or an editor pays: one process per file, start-up included.
    one = str(median_file(files))
    p_one = min(time_command([pybuild, "lint", "--no-fail", one], env)[0] for _ in range(ONE_FILE_RUNS))
    h_one = min(time_command([hadolint, "--no-fail", one])[0] for _ in range(ONE_FILE_RUNS))
    print(f"one file ({Path(one).parent.name}/{Path(one).name}), best of {ONE_FILE_RUNS}: pybuild {p_one * 1000:.0f} ms, "
          f"hadolint {h_one * 1000:.0f} ms wall ({h_one / p_one:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

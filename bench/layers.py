#!/usr/bin/env python3
"""Layer writing and applying: pybuild against GNU tar with gzip/zstd on the same tree.

Builds a tree of --size-mb MiB (half in many small files, half in a few large ones; a mix of
incompressible, base64-like and repetitive content), then times, each in its own process under
/usr/bin/time (wall seconds, CPU seconds, peak RSS):

  tar -c | gzip -6        vs  pybuild write_layer_from_dir(compression="gzip")
  tar -c | zstd -3        vs  pybuild write_layer_from_dir(compression="zstd")
  tar -xzf / tar --zstd -x vs pybuild apply_layer of the same blobs

Usage: bench/layers.py [--size-mb 1024] [--dir /tmp] [--repeat 1] [--json]
Targets: pybuild within 1.3x of the GNU pipelines' wall time, peak RSS under 200 MB.
The page cache is warm for every run (the tree is read once first); nothing is dropped.

Fairness: pybuild runs from compiled bytecode, as an installed package does (a cache of the
bench's own under the work directory, warmed by an untimed import; this machine's environment
sets PYTHONDONTWRITEBYTECODE). Every apply unpacks into a directory of its own and nothing is
deleted until the end: ext4 without a journal (as here) skips inodes freed in the last seconds
to minutes when it allocates new ones, so creating files right after removing a large tree
costs several times more kernel time, and removing the previous run's tree before each
measurement charged that to whichever tool ran later. With --repeat, the order alternates.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POOL = 8 << 20


def make_tree(root: Path, size: int, seed: int = 42) -> tuple[int, int]:
    """Half the bytes in 1-64 KiB files (100 per directory), half in 8 large files."""
    rng = random.Random(seed)
    pools = [os.urandom(POOL),                                        # incompressible
             base64.b64encode(os.urandom(POOL * 3 // 4)),             # ~75% after compression
             (b"".join(b"line %d of some fairly repetitive log text\n" % i
                       for i in range(4096)) * 64)[:POOL]]            # very compressible

    def chunk(n: int) -> bytes:
        pool = pools[rng.randrange(3)]
        start = rng.randrange(0, POOL - n) if n < POOL else 0
        return pool[start:start + n]

    files = total = 0
    small_budget = size // 2
    d = 0
    while total < small_budget:
        folder = root / f"pkg{d // 20:03d}" / f"mod{d:04d}"
        folder.mkdir(parents=True)
        for i in range(100):
            n = min(rng.randint(1 << 10, 64 << 10), small_budget - total)
            if n <= 0:
                break
            (folder / f"file{i:03d}.dat").write_bytes(chunk(n))
            files += 1
            total += n
        d += 1
    big = root / "big"
    big.mkdir()
    per = (size - total) // 8
    for i in range(8):
        with open(big / f"blob{i}.bin", "wb") as f:
            left = per
            while left > 0:
                n = min(left, 1 << 20)
                f.write(chunk(n))
                left -= n
        files += 1
        total += per
    return files, total


def timed(cmd: list[str] | str, *, shell: bool = False, env: dict[str, str] | None = None
          ) -> dict[str, float]:
    """Run under /usr/bin/time: wall and CPU seconds and peak RSS of the command's processes.

    /usr/bin/time forks the command from a small process, so the peak RSS it reports is the
    command's own (a child forked straight from this Python would inherit our high-water mark).
    """
    with tempfile.NamedTemporaryFile("r") as out:
        argv = ["/usr/bin/time", "-q", "-o", out.name, "-f", "%e %U %S %M"]
        argv += ["sh", "-c", cmd] if shell else cmd  # type: ignore[list-item]
        start = time.perf_counter()
        res = subprocess.run(argv, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        if res.returncode != 0:
            raise SystemExit(f"failed: {cmd}\n{res.stderr}")
        e, u, s, m = out.read().split()[-4:]
    return {"wall": wall, "cpu": float(u) + float(s), "rss_mb": int(m) / 1024}


def child_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--dir", default=None, help="where to build the tree (default: $TMPDIR)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best counts")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    for tool in ("tar", "gzip", "zstd", "/usr/bin/time"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (scripts/setup.sh installs what is needed)")

    work = Path(tempfile.mkdtemp(prefix="pybuild-bench-", dir=args.dir))
    try:
        tree = work / "tree"
        t0 = time.perf_counter()
        files, total = make_tree(tree, args.size_mb << 20)
        made = time.perf_counter() - t0
        subprocess.run(f"tar -C {tree} -cf - . > /dev/null", shell=True, check=True)  # warm cache
        py = [sys.executable, str(Path(__file__).resolve().parent / "layers_child.py")]
        env = child_env(work)
        subprocess.run([*py, "import"], check=True, env=env)  # warm the bytecode cache
        out = work / "out"
        out.mkdir()

        def best(gnu, ours) -> tuple[dict[str, float], dict[str, float]]:
            """Best of --repeat runs of each, GNU first on even rounds and pybuild first on odd."""
            g, p = [], []
            for i in range(args.repeat):
                for run, into in ((gnu, g), (ours, p))[::1 if i % 2 == 0 else -1]:
                    os.sync()  # dirty pages of the previous run would be flushed during this one
                    into.append(run())
            return min(g, key=lambda r: r["wall"]), min(p, key=lambda r: r["wall"])

        def fresh(who: str) -> str:
            """A new empty directory to unpack into (the module docs say why none is reused)."""
            return tempfile.mkdtemp(prefix=f"{who}-", dir=work)

        rows: list[tuple[str, dict, dict, int, int]] = []
        load_before = os.getloadavg()
        for comp, gnu in (("gzip", f"tar -C {tree} -cf - . | gzip -6 > {out}/gnu.tgz"),
                          ("zstd", f"tar -C {tree} -cf - . | zstd -3 -q > {out}/gnu.tzst")):
            ext = "tgz" if comp == "gzip" else "tzst"
            g, p = best(lambda: timed(gnu, shell=True),
                        lambda: timed([*py, "write", comp, str(tree), str(out / f"py.{ext}")],
                                      env=env))
            rows.append((f"write tar+{comp}", g, p, (out / f"gnu.{ext}").stat().st_size,
                         (out / f"py.{ext}").stat().st_size))
        for comp, flag in (("gzip", "-z"), ("zstd", "--zstd")):
            ext = "tgz" if comp == "gzip" else "tzst"
            g, p = best(lambda: timed(f"tar {flag} -xf {out}/py.{ext} -C {fresh('gnu')}",
                                      shell=True),
                        lambda: timed([*py, "apply", str(out / f"py.{ext}"), fresh("py")],
                                      env=env))
            rows.append((f"apply {comp} layer", g, p, 0, 0))
        load_after = os.getloadavg()
        report(rows, files, total, made, load_before, load_after, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(rows, files, total, made, load_before, load_after, args) -> None:
    if args.json:
        print(json.dumps({"size_bytes": total, "files": files, "rows": [
            {"what": w, "gnu": g, "pybuild": p, "gnu_bytes": gb, "pybuild_bytes": pb}
            for w, g, p, gb, pb in rows], "loadavg": [load_before, load_after]}, indent=2))
        return
    print(f"tree: {total / (1 << 20):.0f} MiB in {files} files (made in {made:.1f}s); "
          f"{os.cpu_count()} CPUs; load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after")
    print(f"{'measurement':<18} {'GNU s':>6} {'py s':>6} {'ratio':>5} {'GNU cpu':>7} "
          f"{'py cpu':>6} {'ratio':>5} {'GNU MB':>6} {'py MB':>5} {'GNU out':>8} {'py out':>8}")
    ok = True
    for what, g, p, gb, pb in rows:
        ratio = p["wall"] / g["wall"]
        ok &= ratio <= 1.3 and p["rss_mb"] < 200
        sizes = f"{gb / (1 << 20):7.1f}M {pb / (1 << 20):7.1f}M" if gb else ""
        print(f"{what:<18} {g['wall']:6.2f} {p['wall']:6.2f} {ratio:5.2f} {g['cpu']:7.2f} "
              f"{p['cpu']:6.2f} {p['cpu'] / g['cpu']:5.2f} {g['rss_mb']:6.1f} {p['rss_mb']:5.1f} "
              f"{sizes}")
    print("targets (ratio <= 1.3, pybuild RSS < 200 MB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()

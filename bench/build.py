#!/usr/bin/env python3
"""Build the same Dockerfile and context with pybuild, buildah and (when a docker engine is up)
docker's BuildKit, in one run: cold, --no-cache, fully cached, after `touch` of one file and
after editing one file. Prints seconds per tool and scenario, and pybuild's ratios.

    .venv/bin/python bench/build.py [--small-files 200] [--big-mb 50] [--repeat 3]

Peers come from ../shared/peers/setup-peers.sh (run it first; `--with-docker` for docker):
buildah uses the busybox image that script pushes to 127.0.0.1:5000; docker uses the busybox
rootfs it imports. pybuild imports the same busybox rootfs into a fresh store. Each tool's
Dockerfile differs only in its FROM line.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = Path(os.environ.get("PEERS_DIR", "/tmp/peers"))
DOCKER = os.environ.get("DOCKER", "/usr/bin/docker")  # the 20.10 CLI, with BuildKit built in
BODY = """WORKDIR /app
COPY . .
RUN find /app -type f | wc -l > /app/count && cat /app/count
CMD ["sh"]
"""


def make_context(dest: Path, small: int, big_mb: int) -> None:
    dest.mkdir(parents=True)
    for i in range(small):
        d = dest / f"src/dir{i % 10}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"file{i}.txt").write_text(f"file {i}\n" * (1 + i % 50))
    block = os.urandom(1 << 20)
    with open(dest / "big.bin", "wb") as f:
        for i in range(big_mb):
            f.write(block[i:] + block[:i])


def timed(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> float:
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()[-2000:]}")
    return elapsed


class Tool:
    name = ""

    def setup(self, work: Path) -> None: ...
    def build(self, ctx: Path, no_cache: bool = False) -> float: ...
    def reset(self) -> None: ...


class Pybuild(Tool):
    name = "pybuild"

    def setup(self, work: Path) -> None:
        self.root = work / "pybuild-store"
        # Users' Pythons keep compiled bytecode; this machine's environment turns that off.
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYBUILD_ROOT"] = str(self.root)
        sys.path.insert(0, str(ROOT))
        from tests.helpers.rootfs import busybox_rootfs_tar

        self.base = busybox_rootfs_tar(work / "busybox.tar")
        self.reset()

    def reset(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        timed([str(ROOT / ".venv/bin/pybuild"), "import", str(self.base), "busybox:latest"], env=self.env)

    def dockerfile(self) -> str:
        return "FROM busybox\n" + BODY

    def build(self, ctx: Path, no_cache: bool = False) -> float:
        cmd = [str(ROOT / ".venv/bin/pybuild"), "build", "--network=none", "-q", "-t", "bench:1", "-f",
               str(ctx / "Dockerfile.pybuild")]
        return timed(cmd + (["--no-cache"] if no_cache else []) + [str(ctx)], env=self.env)


class Buildah(Tool):
    name = "buildah"

    def setup(self, work: Path) -> None:
        if shutil.which("buildah") is None:
            raise RuntimeError("buildah is not installed (run ../shared/peers/setup-peers.sh)")
        self.image = "127.0.0.1:5000/busybox:latest"
        subprocess.run(["buildah", "pull", "--tls-verify=false", self.image], check=True, capture_output=True)

    def reset(self) -> None:
        subprocess.run(["buildah", "rmi", "-f", "bench:1"], capture_output=True)
        subprocess.run(["buildah", "rmi", "--prune"], capture_output=True)

    def dockerfile(self) -> str:
        return f"FROM {self.image}\n" + BODY

    def build(self, ctx: Path, no_cache: bool = False) -> float:
        cmd = ["buildah", "bud", "--layers", "--network=none", "--tls-verify=false", "-q", "-t", "bench:1",
               "-f", str(ctx / "Dockerfile.buildah")]
        return timed(cmd + (["--no-cache"] if no_cache else []) + [str(ctx)])


class Docker(Tool):
    name = "docker (BuildKit)"

    def setup(self, work: Path) -> None:
        self.env = dict(os.environ, DOCKER_BUILDKIT="1", DOCKER_HOST=f"unix://{PEERS / 'docker.sock'}")
        if subprocess.run([DOCKER, "info"], env=self.env, capture_output=True).returncode != 0:
            raise RuntimeError("no docker engine (setup-peers.sh --with-docker starts one)")

    def reset(self) -> None:
        subprocess.run([DOCKER, "rmi", "-f", "bench:1"], env=self.env, capture_output=True)
        subprocess.run([DOCKER, "builder", "prune", "-af"], env=self.env, capture_output=True)

    def dockerfile(self) -> str:
        return "FROM busybox-imported:latest\n" + BODY

    def build(self, ctx: Path, no_cache: bool = False) -> float:
        cmd = [DOCKER, "build", "--network=none", "-q", "-t", "bench:1", "-f", str(ctx / "Dockerfile.docker")]
        return timed(cmd + (["--no-cache"] if no_cache else []) + [str(ctx)], env=self.env)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small-files", type=int, default=200)
    ap.add_argument("--big-mb", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3, help="runs per warm scenario (the median counts)")
    ap.add_argument("--only", action="append", help="pybuild, buildah or docker")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pybuild-bench-"))
    ctx = work / "ctx"
    make_context(ctx, args.small_files, args.big_mb)
    tools: list[Tool] = []
    for cls in (Pybuild, Buildah, Docker):
        t = cls()
        if args.only and not any(o in t.name for o in args.only):
            continue
        try:
            t.setup(work)
        except (RuntimeError, subprocess.CalledProcessError) as err:
            print(f"{t.name}: skipped: {err}", file=sys.stderr)
            continue
        suffix = {"pybuild": "pybuild", "buildah": "buildah"}.get(t.name, "docker")
        (ctx / f"Dockerfile.{suffix}").write_text(t.dockerfile())
        tools.append(t)
    (ctx / ".dockerignore").write_text("Dockerfile.*\n")

    scenarios = ["cold", "no-cache", "cached", "touch", "edit"]
    results: dict[str, dict[str, float]] = {t.name: {} for t in tools}
    small = ctx / "src/dir3/file3.txt"
    for t in tools:
        t.reset()
        results[t.name]["cold"] = t.build(ctx)
        results[t.name]["no-cache"] = statistics.median(t.build(ctx, no_cache=True) for _ in range(args.repeat))
        t.build(ctx)
        results[t.name]["cached"] = statistics.median(t.build(ctx) for _ in range(args.repeat))
        runs = []
        for _ in range(args.repeat):
            now = time.time() + 10 * (len(runs) + 1)
            os.utime(small, (now, now))
            runs.append(t.build(ctx))
        results[t.name]["touch"] = statistics.median(runs)
        runs = []
        for i in range(args.repeat):
            small.write_text(f"edited {t.name} {i} {time.time()}\n")
            runs.append(t.build(ctx))
        results[t.name]["edit"] = statistics.median(runs)

    print(f"context: {args.small_files} small files + one {args.big_mb} MB file; median of {args.repeat} "
          f"(cold: one run); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'scenario':10}" + "".join(f"{t.name:>20}" for t in tools))
    for sc in scenarios:
        print(f"{sc:10}" + "".join(f"{results[t.name][sc]:19.2f}s" for t in tools))
    ours = results.get("pybuild")
    if ours:
        for t in tools:
            if t.name == "pybuild":
                continue
            ratios = ", ".join(f"{sc} {ours[sc] / results[t.name][sc]:.2f}x" for sc in scenarios)
            print(f"pybuild / {t.name}: {ratios}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

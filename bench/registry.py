#!/usr/bin/env python3
"""Push and pull a multi-layer image to a local registry with pybuild and with `skopeo copy`.

    .venv/bin/python bench/registry.py [--size-mb 500] [--layers 5] [--rounds 1] [--repeat 5] [--full-path]

Makes an image of incompressible uncompressed-tar layers, pushed as they are by both tools
(`pybuild push --compression=none`; skopeo copies without recompressing), loads it into a
pybuild store and keeps the same OCI layout for skopeo, and starts two Debian docker-registry
instances on 127.0.0.1 (one per tool, so neither finds the other's blobs). Then, per tool:

  push (cold)                every blob uploaded to repository a/img
  push (other repo: mount)   the same image to a new repository of that registry: blobs mounted
  push (already there)       the same image to a/img again: every blob found with a HEAD
  pull (cold)                a/img into an empty store (skopeo: an empty OCI layout)
  pull (already local)       the same again: the manifest digest checked, nothing fetched

pybuild runs as users run it, through its console script (so its fast paths for pulls that
find the image up to date and pushes that upload nothing take part), with compiled modules;
--full-path runs `python -m buildkit_py.cli` instead, to see what the fast paths save.
The quick steps are repeated (--repeat, fresh repositories for the mount step) and the best
time counts, since a few tens of milliseconds are easily disturbed on a shared machine.
Target (issue 6): pybuild/skopeo at most 1.2 for the cold steps, below 1.0 for the steps that
skip or mount blobs. Prints seconds, ratios and the machine's load average.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.registry.servers import RegistryProcess  # noqa: E402 - after the path set-up

LAYER = "application/vnd.oci.image.layer.v1.tar"


def make_layout(dest: Path, size_mb: int, layers: int) -> None:
    """An OCI layout with `layers` layers of random data, `size_mb` in all, tagged `bench`."""
    blobs = dest / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(path: Path) -> tuple[str, int]:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        digest = h.hexdigest()
        os.replace(path, blobs / digest)
        return "sha256:" + digest, (blobs / digest).stat().st_size

    descs, diff_ids = [], []
    per = (size_mb << 20) // layers
    for i in range(layers):
        tmp = dest / f"layer{i}.tmp"
        with open(tmp, "wb") as f, tarfile.open(fileobj=f, mode="w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo(f"data/layer{i}.bin")
            info.size, info.mtime, info.mode = per, 1_700_000_000, 0o644
            tar.addfile(info, _RandomReader(per))
        digest, size = put(tmp)
        descs.append({"mediaType": LAYER, "digest": digest, "size": size})
        diff_ids.append(digest)
    config = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}}).encode()
    (dest / "config.tmp").write_bytes(config)
    cdigest, csize = put(dest / "config.tmp")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdigest,
                                      "size": csize}, "layers": descs}).encode()
    (dest / "manifest.tmp").write_bytes(manifest)
    mdigest, msize = put(dest / "manifest.tmp")
    (dest / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (dest / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdigest, "size": msize,
         "annotations": {"org.opencontainers.image.ref.name": "bench",
                         "io.containerd.image.name": "docker.io/library/bench:bench"}}]}))


class _RandomReader(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return os.urandom(n)


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stderr}")
    return took


COLD = ("push (cold)", "pull (cold)")


def pybuild_command() -> list[str]:
    """The console script next to this Python (what `pip install` makes), else the same entry point."""
    script = Path(sys.executable).with_name("pybuild")
    return [str(script)] if script.exists() else [sys.executable, "-m", "buildkit_py.entry"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=500)
    ap.add_argument("--layers", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=1, help="repeat everything; each step's best round counts")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each quick (non-cold) step per round")
    ap.add_argument("--full-path", action="store_true",
                    help="run pybuild without its fast paths (python -m buildkit_py.cli), for comparison")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    if not shutil.which("skopeo") or not shutil.which("docker-registry"):
        print("skopeo and docker-registry are needed (scripts/setup.sh installs them)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="pybuild-bench-registry-"))
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    regs: list[RegistryProcess] = []
    try:
        t0 = time.perf_counter()
        layout = work / "layout"
        make_layout(layout, args.size_mb, args.layers)
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env.update(PYBUILD_ROOT=str(work / "store"), HOME=str(work / "home"), NO_COLOR="1")
        # An installed pybuild has compiled modules; let this run write and use them too.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        pybuild = [sys.executable, "-m", "buildkit_py.cli"] if args.full_path else pybuild_command()
        timed([sys.executable, "-c", "import buildkit_py.cli, buildkit_py.commands.registry, buildkit_py.entry, "
               "buildkit_py.registry.push, buildkit_py.registry.pull, buildkit_py.registry.fastpath"], env)
        timed(pybuild + ["load", "-q", "-i", str(layout)], env)
        print(f"made a {args.size_mb} MB image of {args.layers} layers in {time.perf_counter() - t0:.1f}s")
        print(f"pybuild: {' '.join(pybuild)}")
        results: dict[str, dict[str, float]] = {}
        for rnd in range(args.rounds):
            pb_reg = RegistryProcess(work / f"reg-pybuild-{rnd}").start()
            sk_reg = RegistryProcess(work / f"reg-skopeo-{rnd}").start()
            regs += [pb_reg, sk_reg]
            sk = ["skopeo", "copy", "--quiet", "--src-tls-verify=false", "--dest-tls-verify=false"]
            pull_env = dict(env, PYBUILD_ROOT=str(work / f"pulled-{rnd}"))
            pb_push = pybuild + ["push", "-q", "--compression=none", "bench:bench"]
            src = f"oci:{layout}:bench"
            sk_pulled = f"oci:{work}/sk-pulled-{rnd}:bench"
            # (step, pybuild argv, skopeo argv, env), as functions of the repetition number.
            steps = [
                ("push (cold)", lambda i: pb_push + [f"{pb_reg.address}/a/img:1"],
                 lambda i: sk + [src, f"docker://{sk_reg.address}/a/img:1"], env),
                ("push (other repo: mount)", lambda i: pb_push + [f"{pb_reg.address}/b{i}/img:1"],
                 lambda i: sk + [src, f"docker://{sk_reg.address}/b{i}/img:1"], env),
                ("push (already there)", lambda i: pb_push + [f"{pb_reg.address}/a/img:1"],
                 lambda i: sk + [src, f"docker://{sk_reg.address}/a/img:1"], env),
                ("pull (cold)", lambda i: pybuild + ["pull", "-q", f"{pb_reg.address}/a/img:1"],
                 lambda i: sk + [f"docker://{sk_reg.address}/a/img:1", sk_pulled], pull_env),
                ("pull (already local)", lambda i: pybuild + ["pull", "-q", f"{pb_reg.address}/a/img:1"],
                 lambda i: sk + [f"docker://{sk_reg.address}/a/img:1", sk_pulled], pull_env),
            ]
            for name, pb_argv, sk_argv, step_env in steps:
                for i in range(1 if name in COLD else args.repeat):
                    # Alternate who goes first, so neither always runs on a warmer page cache.
                    order = [("pybuild", pb_argv(i)), ("skopeo", sk_argv(i))]
                    if (rnd + i) % 2:
                        order.reverse()
                    for tool, argv in order:
                        took = timed(argv, step_env)
                        best = results.setdefault(name, {}).get(tool)
                        results[name][tool] = took if best is None else min(best, took)
            pb_reg.stop()
            sk_reg.stop()
        report(results, args.size_mb)
    finally:
        for r in regs:
            r.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")
    return 0


def report(results: dict[str, dict[str, float]], mb: int) -> None:
    print(f"\n{'step':<28}{'pybuild':>10}{'skopeo':>10}{'ratio':>8}  target")
    for name, r in results.items():
        ratio = r["pybuild"] / r["skopeo"]
        target, met = ("<= 1.2", ratio <= 1.2) if name in COLD else ("<  1.0", ratio < 1.0)
        print(f"{name:<28}{r['pybuild']:>9.3f}s{r['skopeo']:>9.3f}s{ratio:>8.2f}  {target} {'met' if met else 'MISSED'}")
    cold = results["push (cold)"], results["pull (cold)"]
    print("\nratio = pybuild time / skopeo time, each the best of its runs")
    print(f"throughput, cold: push {mb / cold[0]['pybuild']:.0f} MB/s (skopeo {mb / cold[0]['skopeo']:.0f}), "
          f"pull {mb / cold[1]['pybuild']:.0f} MB/s (skopeo {mb / cold[1]['skopeo']:.0f})")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())

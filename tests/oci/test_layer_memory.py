"""Layers stream: writing, rewriting and applying a layer far larger than the memory it may use."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SIZE = 192 << 20
LIMIT = 80 << 20  # the interpreter, zstandard and a few 1 MiB chunks take ~40 MiB

CHILD = r"""
import json, os, sys
from pathlib import Path
from buildkit_py.oci.layer import apply_layer, rewrite_tar_as_layer, write_layer_from_dir
base = Path(sys.argv[1])
with open(base / "tree" / "huge", "r+b") as f:
    f.seek(int(sys.argv[2]) // 2)
    f.write(os.urandom(1 << 20))  # something that is not zeros, in the middle
with open(base / "layer.tgz", "wb") as out:
    info = write_layer_from_dir(base / "tree", out, compression="gzip", level=1)
with open(base / "layer.tgz", "rb") as src, open(os.devnull, "wb") as out:
    again = rewrite_tar_as_layer(src, out, compression="zstd", spool_dir=str(base))
(base / "root").mkdir()
with open(base / "layer.tgz", "rb") as src:
    apply_layer(src, base / "root", expected_diff_id=info.diff_id)
# VmHWM is this process's own peak; ru_maxrss would include pytest's, inherited through exec.
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"maxrss": hwm * 1024,
                  "same": again.diff_id == info.diff_id,
                  "size": (base / "root" / "huge").stat().st_size}))
"""


def test_a_large_layer_takes_little_memory(tmp_path: Path) -> None:
    (tmp_path / "tree").mkdir()
    with open(tmp_path / "tree" / "huge", "wb") as f:
        f.truncate(SIZE)  # sparse: cheap to make, still SIZE bytes to read, hash and compress
    res = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), str(SIZE)],
                         capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    assert got["same"] and got["size"] == SIZE
    print(f"peak RSS {got['maxrss'] >> 20} MiB")
    assert got["maxrss"] < LIMIT, f"peak RSS {got['maxrss'] >> 20} MiB for a {SIZE >> 20} MiB layer"

#!/usr/bin/env python3
"""The pybuild side of one bench/layers.py measurement, a script of its own so that the
process imports what pybuild needs and none of the harness (argparse, subprocess, pathlib...).

Usage: layers_child.py import | write gzip|zstd TREE OUT | apply BLOB DEST
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(argv: list[str]) -> None:
    from buildkit_py.oci.layer import apply_layer, write_layer_from_dir

    if argv[0] == "import":  # warms the bytecode cache
        return
    if argv[0] == "write":
        _, compression, tree, out = argv
        with open(out, "wb", buffering=1 << 20) as f:
            info = write_layer_from_dir(tree, f, compression=compression)
        print(info.digest)
    else:
        _, blob, dest = argv
        with open(blob, "rb", buffering=1 << 20) as f:
            apply_layer(f, dest)


if __name__ == "__main__":
    main(sys.argv[1:])

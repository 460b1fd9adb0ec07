"""leanargs.scan: the command lines the console script's lean paths take, and the ones they leave to click."""
from __future__ import annotations

import pytest

from buildkit_py.leanargs import scan

FLAGS = {"-q": "quiet", "--quiet": "quiet"}
OPTIONS = {"-t": "tags", "--tag": "tags", "--format": "fmt"}


def test_flags_options_and_arguments():
    given, values, positional = scan(["-q", "-t", "a:1", "--tag=b:2", ".", "--format", "json", "x"], FLAGS, OPTIONS)
    assert given == {"quiet"}
    assert values == {"tags": ["a:1", "b:2"], "fmt": ["json"]}
    assert positional == [".", "x"]
    assert scan([], FLAGS, OPTIONS) == (set(), {}, [])
    assert scan(["--tag", "-"], FLAGS, OPTIONS) == (set(), {"tags": ["-"]}, [])  # a value may be `-`


@pytest.mark.parametrize("args", [
    ["--help"],             # an option only the full CLI knows
    ["-"],                  # standard input
    ["--", "x"],            # the end of options
    ["--quiet=yes"],        # a flag given a value
    ["x", "--tag"],         # an option without its value
    ["-tx"],                # short options run together
])
def test_anything_else_is_left_to_click(args):
    assert scan(args, FLAGS, OPTIONS) is None

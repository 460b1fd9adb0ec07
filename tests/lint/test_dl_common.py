"""How the hadolint helpers read images and RUN scripts (buildkit_py/lint/rules/hadolint/_common.py)."""
from __future__ import annotations

import pytest

from buildkit_py.lint.rules.hadolint._common import (
    Cmd,
    ImageRef,
    commands_of,
    hadolint_script,
    image_from_string,
    is_pip_install,
    parse_image,
)
from buildkit_py.syntax import parse


@pytest.mark.parametrize(("text", "ref"), [
    ("debian", ImageRef(None, "debian")),
    ("debian:12-slim", ImageRef(None, "debian", "12-slim")),
    ("python:3.8@sha256:ab", ImageRef(None, "python", "3.8", "sha256:ab")),
    ("debian@sha256:ab", ImageRef(None, "debian", None, "sha256:ab")),
    ("mcr.microsoft.com/windows/servercore:ltsc2022", ImageRef("mcr.microsoft.com", "windows/servercore", "ltsc2022")),
    ("docker.io/library/python", ImageRef("docker.io", "library/python")),
    ("library/python:3", ImageRef(None, "library/python", "3")),
    # language-docker's quirk: a registry needs a dot, so `localhost:5000/x` is image localhost, tag 5000/x
    ("localhost:5000/app", ImageRef(None, "localhost", "5000/app")),
    ("${REGISTRY}/app", ImageRef(None, "${REGISTRY}/app")),
    ("${REG:-a.b}/app:1", ImageRef(None, "${REG:-a.b}/app", "1")),
    ("app:${TAG:-1.0}", ImageRef(None, "app", "${TAG:-1.0}")),
])
def test_parse_image_splits_as_hadolint(text: str, ref: ImageRef) -> None:
    assert parse_image(text) == ref


def test_image_from_string_is_the_looser_reading() -> None:
    assert image_from_string("quay.io/org/img:1") == ImageRef("quay.io", "org/img:1")
    assert image_from_string("builder") == ImageRef(None, "builder")
    assert image_from_string("org/img") == ImageRef(None, "org/img")


def names(script: str) -> list[str]:
    return [c.name for c in commands_of(script)]


def test_commands_include_nested_ones_in_order() -> None:
    assert names("set -e; a && (b | c) || { d; }; for x in 1; do e $(f); done") == ["set", "a", "b", "c", "d", "e", "f"]


def test_command_names_must_be_literal() -> None:
    assert names('$CC -o x; "${X}" y; z') == ["z"]
    assert names("FOO=1 bar") == ["bar"] and names("FOO=1") == []


def test_shellcheck_names_the_command_that_command_exec_busybox_run() -> None:
    assert names("command sudo x; builtin cd; busybox wget u; exec -a n gosu; run sudo") == \
        ["sudo", "cd", "wget", "gosu", "sudo"]
    assert names("command -v apt-get; exec --foo bar; env sudo x") == ["command", "exec", "env"]


def test_arguments_spell_variables_as_hadolint() -> None:
    (cmd,) = commands_of('apt-get install "foo=$VERSION" $PKG')
    assert cmd.args == ("install", "foo=${VERSION}", "${PKG}")


def test_flags_read_as_hadolint() -> None:
    cmd = Cmd("apt-get", ("-qq", "--no-install-recommends", "install", "-t", "bookworm", "-o=x", "--", "-", "pkg"))
    assert cmd.flags == ("q", "q", "no-install-recommends", "t", "o", "=", "x")  # hadolint splits `-o=x` too
    assert cmd.count_flag("q") == 2 and cmd.has_flag("t", "zzz") and not cmd.has_flag("y")
    assert cmd.args_no_flags() == ["install", "bookworm", "--", "-", "pkg"]
    assert cmd.args_no_flags(("t",)) == ["install", "--", "-", "pkg"]
    assert cmd.flag_args("t") == ["bookworm"]


def test_pip_install_detection() -> None:
    assert is_pip_install(Cmd("pip3", ("install", "x")))
    assert is_pip_install(Cmd("python3.12", ("-m", "pip", "install", "x")))
    assert not is_pip_install(Cmd("pipenv", ("install",)))
    assert not is_pip_install(Cmd("python", ("-m", "venv", "install")))


def test_hadolint_script_of_each_form() -> None:
    a, b, c = parse("FROM x\nRUN [\"a\", \"b c\"]\nRUN <<EOF\n  sudo x\nEOF\nRUN python3 <<EOF\nimport os\nEOF\n").instructions[1:]
    assert hadolint_script(a) == "a b c"
    assert hadolint_script(b) == "sudo x"
    assert hadolint_script(c) == "python3 <<EOF"


def test_time_lists_itself_and_the_timed_command() -> None:
    assert names("time -p sudo make") == ["time", "sudo"]


def test_a_script_shellcheck_cannot_parse_has_no_commands() -> None:
    assert names("echo a) && sudo x") == []
    assert names("if true; then sudo x") == []
    assert names("sudo x; fi") == ["sudo"]  # a stray keyword: ShellCheck reads on

"""DL3008, DL3009, DL3014, DL3015: apt-get installs."""
from __future__ import annotations

from .dl_helpers import df, findings, fixed, lines


def test_dl3008_unpinned_package() -> None:
    assert lines(df("FROM a:1", "RUN apt-get install -y python"), "DL3008") == [2]
    (f,) = findings(df("FROM a:1", "RUN apt-get install -y python"), "DL3008")
    assert f.message == ("Pin versions in apt get install. Instead of `apt-get install <package>` use "
                         "`apt-get install <package>=<version>`")


def test_dl3008_pinned_release_or_deb_file() -> None:
    text = df("FROM a:1", "RUN apt-get install -y python=2.7 curl/bookworm-backports ./x.deb",
              "RUN apt-get install -t bookworm-backports -y curl=7", "RUN apt-get update")
    assert lines(text, "DL3008") == []


def test_dl3008_target_release_value_is_no_package_but_others_are() -> None:
    assert lines(df("FROM a:1", "RUN apt-get install --target-release bookworm -y curl"), "DL3008") == [2]


def test_dl3008_onbuild_and_exec_form() -> None:
    assert lines(df("FROM a:1", "ONBUILD RUN apt-get install -y x", 'RUN ["apt-get", "install", "y"]'),
                 "DL3008") == [2, 3]


def test_dl3009_lists_left_in_last_stage() -> None:
    assert lines(df("FROM scratch", "RUN apt-get update && apt-get install -y python"), "DL3009") == [2]
    text = df("FROM scratch", "RUN apt-get update && apt-get install -y python && rm -rf /var/lib/apt/lists/*")
    assert lines(text, "DL3009") == []


def test_dl3009_stage_only_copied_from_is_fine_but_a_base_stage_is_not() -> None:
    assert lines(df("FROM ubuntu:24.04 AS foo", "RUN apt-get update", "FROM scratch", "RUN x"), "DL3009") == []
    assert lines(df("FROM ubuntu:24.04 AS foo", "RUN apt-get update", "FROM foo", "RUN x"), "DL3009") == [2]
    assert lines(df("FROM ubuntu:24.04 AS foo", "RUN x", "FROM scratch", "RUN apt-get update"), "DL3009") == [4]


def test_dl3009_cache_and_tmpfs_mounts() -> None:
    ok = ["--mount=type=cache,target=/var/lib/apt/lists",
          "--mount=type=cache,target=/var/lib/apt --mount=type=tmpfs,target=/var/cache/apt",
          "--mount=type=tmpfs,target=/var/lib/apt/lists"]
    for flags in ok:
        assert lines(df("FROM a:1", f"RUN {flags} apt-get update"), "DL3009") == [], flags
    for flags in ("--mount=type=cache,target=/var/cache/apt", "--mount=type=bind,target=/var/lib/apt/lists"):
        assert lines(df("FROM a:1", f"RUN {flags} apt-get update"), "DL3009") == [2], flags


def test_dl3009_onbuild_is_always_a_final_stage() -> None:
    assert lines(df("FROM a:1 AS x", "ONBUILD RUN apt-get update", "FROM b:1"), "DL3009") == [2]


def test_dl3014_yes_switch() -> None:
    assert lines(df("FROM a:1", "RUN apt-get install python=1"), "DL3014") == [2]
    for flags in ("-y", "--yes", "--assume-yes", "-qq", "-q -q", "-q=2", "--quiet --quiet", "-yq"):
        assert lines(df("FROM a:1", f"RUN apt-get {flags} install python=1"), "DL3014") == [], flags
    assert lines(df("FROM a:1", "RUN apt-get -q install python=1"), "DL3014") == [2]


def test_dl3015_no_install_recommends() -> None:
    text = df("FROM a:1", "RUN apt-get install -y x=1", "RUN apt-get install -y --no-install-recommends x=1",
              "RUN apt-get -o APT::Install-Recommends=false install -y x=1", "RUN apt-get update")
    assert lines(text, "DL3015") == [2]


def test_dl3014_and_dl3015_fixes_add_the_flag_unsafely() -> None:
    text = df("FROM a:1", "RUN apt-get update && \\", "    apt-get install x=1 && apt-get install -y y=1")
    assert fixed(text, "DL3014") == text
    assert fixed(text, "DL3014", unsafe=True) == text.replace("apt-get install x", "apt-get install -y x")
    assert fixed(text, "DL3015", unsafe=True) == text.replace("install ", "install --no-install-recommends ")
    assert lines(fixed(text, "DL3015", unsafe=True), "DL3015") == []


def test_dl3014_no_fix_in_exec_form_or_onbuild() -> None:
    for line in ('RUN ["apt-get", "install", "x=1"]', "ONBUILD RUN apt-get install x=1"):
        (f,) = findings(df("FROM a:1", line), "DL3014")
        assert f.fix is None, line

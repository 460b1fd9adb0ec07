"""DL3002, DL3012, DL3022, DL3023, DL3024: users, healthchecks and stage references per stage."""
from __future__ import annotations

from .dl_helpers import df, lines


def test_dl3002_last_user_root() -> None:
    for user in ("root", "0", "root:root", "0:0"):
        assert lines(df("FROM scratch", f"USER {user}"), "DL3002") == [2]
    assert lines(df("FROM scratch", "USER root", "RUN x", "USER app"), "DL3002") == []


def test_dl3002_checks_every_stage_and_reports_the_last_root_user() -> None:
    text = df("FROM debian:12 AS base", "USER root", "USER 0", "FROM scratch", "USER app", "FROM base", "RUN x")
    assert lines(text, "DL3002") == [3]


def test_dl3002_user_before_any_from_is_ignored() -> None:
    assert lines(df("USER root", "FROM scratch"), "DL3002") == []


def test_dl3012_second_healthcheck_in_a_stage() -> None:
    text = df("FROM a:1", "HEALTHCHECK CMD a", "HEALTHCHECK NONE", "FROM b:1", "HEALTHCHECK CMD b",
              "HEALTHCHECK CMD c")
    assert lines(text, "DL3012") == [3, 6]
    assert lines(df("FROM a:1", "HEALTHCHECK CMD a", "FROM b:1", "HEALTHCHECK CMD b"), "DL3012") == []


def test_dl3022_copy_from_unknown_stage() -> None:
    text = df("FROM a:1 AS build", "COPY --from=biuld /x /x", "COPY --from=build /x /x",
              "COPY --from=nginx:1.27 /x /x", "COPY --from=0 /x /x", "COPY --from=1 /x /x")
    assert lines(text, "DL3022") == [2, 6]


def test_dl3022_stage_defined_later_is_flagged() -> None:
    assert lines(df("FROM a:1", "COPY --from=later /x /x", "FROM b:1 AS later"), "DL3022") == [2]


def test_dl3022_case_and_variables_as_buildkit_reads_them() -> None:
    # BuildKit finds stage `build` for `--from=Build`; a variable is only known at build time.
    assert lines(df("FROM a:1 AS build", "FROM b:1", "COPY --from=Build /x /x", "COPY --from=$S /x /x"),
                 "DL3022") == []


def test_dl3023_copy_from_own_stage() -> None:
    text = df("FROM a:1 AS build", "COPY --from=build /x /x", "FROM b:1 AS final", "COPY --from=build /x /x",
              "COPY --from=FINAL /y /y")
    assert lines(text, "DL3023") == [2, 5]


def test_dl3024_duplicate_stage_names_regardless_of_case() -> None:
    text = df("FROM a:1 AS build", "FROM b:1 AS test", "FROM c:1 AS Build", "FROM d:1 AS build")
    assert lines(text, "DL3024") == [3, 4]
    assert lines(df("FROM a:1 AS x", "FROM b:1 AS y"), "DL3024") == []

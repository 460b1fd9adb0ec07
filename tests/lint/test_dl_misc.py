"""DL1001, DL3000, DL3011, DL3020, DL3021, DL3025: pragmas, WORKDIR, EXPOSE, ADD, COPY, CMD."""
from __future__ import annotations

from buildkit_py.lint import all_rules
from buildkit_py.lint.model import Severity

from .dl_helpers import df, findings, fixed, lines


def test_dl1001_inline_ignore_pragmas() -> None:
    text = df("# hadolint ignore=DL3006", "FROM debian", "  # hadolint ignore=DL3008,SC2086 # why",
              "# hadolint ignore=DL3008 because", "# hadolint global ignore=DL3008", "RUN a \\",
              "# hadolint ignore=DL3009", "  b", "#hadolint ignore = DL3009 , DL3010")
    assert lines(text, "DL1001") == [1, 3, 9]


def test_dl1001_is_off_unless_raised() -> None:
    assert all_rules()["DL1001"].severity is Severity.NONE


def test_dl3000_relative_workdir() -> None:
    text = df("FROM a:1", "WORKDIR /app", "WORKDIR app", "WORKDIR $HOME/x", 'WORKDIR "/q"', "WORKDIR C:\\\\x",
              "WORKDIR ./x", "WORKDIR 'rel'", "WORKDIR a")
    assert lines(text, "DL3000") == [3, 7, 8, 9]  # hadolint crashes on `WORKDIR a`


def test_dl3011_ports_out_of_range() -> None:
    text = df("FROM a:1", "EXPOSE 80 443/tcp 65535", "EXPOSE 65536", "EXPOSE 1-70000/udp", "EXPOSE $PORT 8080/udp",
              "EXPOSE 80 \\", "  99999")
    assert lines(text, "DL3011") == [3, 4, 6]


def test_dl3020_add_for_files() -> None:
    text = df("FROM a:1", "ADD a.txt /x", "ADD https://x/y.zip /y", "ADD app.tar.gz /z", "ADD app.tar.gz b.txt /z/",
              "ADD http://a/b c.txz /d/", "ADD git@github.com:a/b.git /src")
    assert lines(text, "DL3020") == [2, 5, 7]


def test_dl3020_fix_is_safe_for_plain_files() -> None:
    text = df("FROM a:1", "add --chown=1:1 a.txt b/ /x/", "ADD *.txt /y/", "ADD app.tar.gz b.txt /z/",
              "ADD --checksum=sha256:ab c.txt /w")
    f2, f3, f4, f5 = findings(text, "DL3020")
    assert f2.fix.safe and not f3.fix.safe and f4.fix is None and f5.fix is None
    assert fixed(text, "DL3020") == text.replace("add --chown", "COPY --chown")
    assert fixed(text, "DL3020", unsafe=True) == text.replace("add --chown", "COPY --chown").replace(
        "ADD *.txt", "COPY *.txt")


def test_dl3021_many_sources_need_a_directory() -> None:
    text = df("FROM a:1", "COPY a b /c", "COPY a b /c/", "COPY a /c", 'COPY ["a", "b", "/c"]', 'COPY a b "/c/"')
    assert lines(text, "DL3021") == [2, 5]


def test_dl3021_fix_adds_the_slash() -> None:
    text = df("FROM a:1", "COPY a b /c", 'COPY ["a", "b", "/c"]', 'COPY a b "/d"')
    assert fixed(text, "DL3021") == df("FROM a:1", "COPY a b /c/", 'COPY ["a", "b", "/c/"]', 'COPY a b "/d/"')
    assert lines(fixed(text, "DL3021"), "DL3021") == []


def test_dl3025_shell_form_cmd_entrypoint_healthcheck() -> None:
    text = df("FROM a:1", "CMD python app.py", 'CMD ["python", "app.py"]', "ENTRYPOINT x y", 'ENTRYPOINT ["x"]',
              "HEALTHCHECK CMD curl -f http://localhost/", 'HEALTHCHECK CMD ["curl", "x"]', "HEALTHCHECK NONE",
              "ONBUILD CMD x y")
    assert lines(text, "DL3025") == [2, 4, 6]


def test_dl3021_no_fix_when_a_continuation_swallowed_the_next_line() -> None:
    text = df("FROM a:1", "COPY a \\", "  b \\", "", "ENV X 1")
    (f,) = findings(text, "DL3021")
    assert f.fix is None


def test_dl3021_windows_directory_with_backslash() -> None:
    assert lines(df("FROM a:1", "COPY a.dll b.dll C:\\\\Windows\\\\System32\\\\"), "DL3021") == []
    assert lines(df("# escape=`", "FROM a:1", "COPY a.dll b.dll C:\\Windows\\System32\\"), "DL3021") == []

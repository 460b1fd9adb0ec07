"""DL3001, DL3003, DL3004, DL3010, DL3027: what a RUN script runs."""
from __future__ import annotations

from .dl_helpers import df, findings, fixed, lines


def test_dl3001_pointless_commands() -> None:
    for cmd in ("ssh host", "vim /etc/x", "service nginx start", "ps aux", "free -m", "top -b", "kill 1",
                "mount -a", "shutdown now"):
        assert lines(df("FROM a:1", f"RUN {cmd}"), "DL3001") == [2], cmd
    assert lines(df("FROM a:1", "RUN apt-get install -y vim=2 openssh-client=1", "RUN echo ps"), "DL3001") == []


def test_dl3001_looks_into_compound_commands_and_onbuild() -> None:
    assert lines(df("FROM a:1", "RUN if true; then service x start; fi", "ONBUILD RUN echo $(ps)"), "DL3001") == [2, 3]


def test_dl3003_cd() -> None:
    text = df("FROM a:1", "RUN cd /usr/src/app && make", "RUN [ -d x ] && (cd x; make)", "RUN make -C /x",
              "ONBUILD RUN cd /x")
    assert lines(text, "DL3003") == [2, 3]  # hadolint does not look at ONBUILD for DL3003


def test_dl3003_line_is_the_instruction_start() -> None:
    assert lines(df("FROM a:1", "RUN set -e; \\", "    cd /x; \\", "    make"), "DL3003") == [2]


def test_dl3004_sudo_also_behind_command_and_in_exec_form() -> None:
    text = df("FROM a:1", "RUN sudo apt-get update", 'RUN ["sudo", "x"]', "RUN command sudo x",
              "RUN echo sudo", "ONBUILD RUN sudo x", "RUN $SUDO x")
    assert lines(text, "DL3004") == [2, 3, 4, 6]


def test_dl3004_heredoc_script() -> None:
    assert lines(df("FROM a:1", "RUN <<EOF", "set -e", "sudo make install", "EOF"), "DL3004") == [2]


def test_dl3010_copy_then_extract() -> None:
    text = df("FROM a:1", "COPY app.tar.gz /tmp/", "COPY b.txt /tmp/", "RUN tar -xzf /tmp/app.tar.gz -C /opt")
    assert lines(text, "DL3010") == [2]
    assert lines(df("FROM a:1", "COPY foo/bar/app.tar /foo.tar", "RUN tar -xf /foo.tar"), "DL3010") == [2]
    assert lines(df("FROM a:1", "COPY a.tar.xz /tmp/", "RUN unxz /tmp/a.tar.xz"), "DL3010") == [2]
    # ADD does not unpack zip files, so COPY + unzip is right
    assert lines(df("FROM a:1", "COPY a.zip /tmp/", "RUN unzip /tmp/a.zip"), "DL3010") == []


def test_dl3010_not_without_extraction_or_from_another_stage() -> None:
    assert lines(df("FROM a:1", "COPY app.tar /x/", "RUN cp /x/app.tar /y"), "DL3010") == []
    assert lines(df("FROM a:1", "COPY --from=b /x/app.tar /y/", "RUN tar -xf /y/app.tar"), "DL3010") == []
    assert lines(df("FROM a:1", "COPY app.tar /x/", "FROM b:1", "RUN tar -xf app.tar"), "DL3010") == []


def test_dl3010_reports_every_stage_unlike_hadolint() -> None:
    # hadolint forgets the first stage's archives at the second FROM; the double storage is real.
    text = df("FROM a:1", "COPY app.tgz /x/", "RUN tar -xf /x/app.tgz", "FROM b:1", "RUN true")
    assert lines(text, "DL3010") == [2]


def test_dl3027_apt() -> None:
    assert lines(df("FROM a:1", "RUN apt update && apt install -y x", "RUN apt-get update", "ONBUILD RUN apt list"),
                 "DL3027") == [2, 4]


def test_dl3027_fix_renames_apt_unsafely() -> None:
    text = df("FROM a:1", "RUN apt update && \\", "    apt install -y x && rm -rf /var/lib/apt/lists/*")
    (f,) = findings(text, "DL3027")
    assert f.fix is not None and not f.fix.safe
    assert fixed(text, "DL3027") == text
    assert fixed(text, "DL3027", unsafe=True) == df(
        "FROM a:1", "RUN apt-get update && \\", "    apt-get install -y x && rm -rf /var/lib/apt/lists/*")


def test_dl3027_no_fix_when_apt_get_has_no_such_subcommand() -> None:
    (f,) = findings(df("FROM a:1", "RUN apt update && apt search x"), "DL3027")
    assert f.fix is None

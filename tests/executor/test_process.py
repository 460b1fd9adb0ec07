"""The process a RUN step starts: exit status, environment, working dir, user, hostname, PID 1, /proc, /dev."""
from __future__ import annotations

import os

import pytest

from buildkit_py.executor import ExecError
from buildkit_py.executor.spec import DEFAULT_PATH


def test_exit_status_is_the_commands(sh):
    assert sh("exit 0").result.exit_code == 0
    assert sh("exit 3").result.exit_code == 3
    assert sh("exit 255").result.exit_code == 255


def test_stdout_and_stderr_are_merged_in_order(sh):
    out = sh("echo one; echo two >&2; echo three")
    assert out.text == "one\ntwo\nthree\n"


def test_env_is_passed_and_path_and_home_filled_in(sh):
    out = sh("env", env=("FOO=bar baz", "EMPTY="), secret_env=("TOKEN=s3cret",))
    env = dict(line.split("=", 1) for line in out.text.splitlines())
    assert env["FOO"] == "bar baz" and env["EMPTY"] == "" and env["TOKEN"] == "s3cret"
    assert env["PATH"] == DEFAULT_PATH
    assert env["HOME"] == "/root"


def test_a_given_path_and_home_are_kept(sh):
    out = sh('echo "$PATH|$HOME"', env=("PATH=/bin", "HOME=/tmp"))
    assert out.text == "/bin|/tmp\n"


def test_exec_form_runs_argv_without_a_shell(sh):
    out = sh(("echo", "$HOME", "a  b"))
    assert out.text == "$HOME a  b\n"


def test_cwd_is_the_working_directory(sh):
    assert sh("pwd", cwd="/tmp").text == "/tmp\n"


def test_a_missing_working_directory_is_a_clear_error(sh):
    with pytest.raises(ExecError) as e:
        sh("true", cwd="/no/such/dir")
    assert "/no/such/dir" in e.value.message


def test_a_missing_executable_is_a_clear_error(sh):
    with pytest.raises(ExecError) as e:
        sh(("no-such-program", "x"))
    assert 'exec: "no-such-program": executable file not found in $PATH' in e.value.message


@pytest.mark.parametrize("user, expected", [
    ("root", "uid=0(root) gid=0(root) groups=0(root)"),
    ("", "uid=0(root) gid=0(root) groups=0(root)"),
    ("app", "uid=1000(app) gid=1000(app) groups=10(wheel),50(staff),1000(app)"),
    ("1000", "uid=1000(app) gid=1000(app) groups=10(wheel),50(staff),1000(app)"),
    ("app:staff", "uid=1000(app) gid=50(staff) groups=50(staff)"),
    ("1000:50", "uid=1000(app) gid=50(staff) groups=50(staff)"),
    ("4242", "uid=4242 gid=0(root) groups=0(root)"),
    ("4242:4343", "uid=4242 gid=4343 groups=4343"),
    ("nobody", "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)"),
])
def test_user_is_resolved_through_the_images_passwd_and_group(sh, user, expected):
    assert sh("id", user=user).text.strip() == expected


def test_home_comes_from_the_users_passwd_entry(sh):
    assert sh("echo $HOME; touch $HOME/x && echo ok", user="app").text == "/home/app\nok\n"


def test_an_unknown_user_name_is_an_error(sh):
    with pytest.raises(ExecError) as e:
        sh("true", user="ghost")
    assert e.value.message == "unable to find user ghost: no matching entries in passwd file"


def test_an_unknown_group_name_is_an_error(sh):
    with pytest.raises(ExecError) as e:
        sh("true", user="app:ghosts")
    assert e.value.message == "unable to find group ghosts: no matching entries in group file"


def test_a_non_root_user_has_no_capabilities(sh):
    out = sh("grep -E '^Cap(Eff|Prm)' /proc/self/status", user="app")
    assert out.text.split() == ["CapPrm:", "0000000000000000", "CapEff:", "0000000000000000"]


def test_hostname_is_set_and_resolves_in_etc_hosts(sh):
    assert sh("hostname").text == "buildkitsandbox\n"
    assert sh("hostname", hostname="").text == "buildkitsandbox\n"
    out = sh("hostname; grep -w builder7 /etc/hosts", hostname="builder7")
    assert out.text.splitlines() == ["builder7", "127.0.0.1\tlocalhost builder7"]


def test_the_command_is_pid_1_and_sees_only_its_own_processes(sh):
    out = sh("echo $$; ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '")
    pid1, pids = out.text.splitlines()
    assert pid1 == "1"
    # only the sandbox's own few processes (runc's set-up uses a handful of pids): no host pids
    assert len(pids.split()) < 12 and all(int(p) < 64 for p in pids.split()), pids


def test_proc_is_the_sandboxs_own(sh):
    out = sh("tr '\\0' ' ' < /proc/1/cmdline; echo; grep -c . /proc/meminfo; readlink /proc/self; true")
    cmdline, meminfo_lines, self_pid = out.text.splitlines()
    assert cmdline.startswith("/bin/sh -c tr ")
    assert int(meminfo_lines) > 10
    assert 1 < int(self_pid) < 10


def test_dev_has_the_usual_nodes(sh):
    out = sh("echo x > /dev/null && head -c 5 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c"
             " && ls /dev/ptmx /dev/fd/ /dev/pts /dev/shm > /dev/null && echo ok")
    assert out.text.split() == ["5", "4", "ok"]


def test_shm_is_writable(sh):
    assert sh("echo hi > /dev/shm/x && cat /dev/shm/x").text == "hi\n"


def test_passwd_links_are_followed_inside_the_root_only(sh, busybox_root, tmp_path):
    """An image whose /etc/passwd links to a host path must not read the host's file."""
    host_passwd = tmp_path / "host-passwd"
    host_passwd.write_text("intruder:x:4321:4321::/:/bin/sh\n")
    layer = tmp_path / "layer"
    (layer / "etc").mkdir(parents=True)
    (layer / "etc" / "passwd").symlink_to(host_passwd)
    with pytest.raises(ExecError) as e:
        sh("id", user="intruder", lower=[layer, busybox_root])
    assert e.value.message == "unable to find user intruder: no matching entries in passwd file"


def test_a_fifo_as_etc_group_does_not_hang(sh, busybox_root, tmp_path, executor):
    layer = tmp_path / "layer"
    (layer / "etc").mkdir(parents=True)
    os.mkfifo(layer / "etc" / "group")
    out = sh("id -u", user="app", lower=[layer, busybox_root], timeout=5)
    if executor == "runc":
        # runc 1.1 itself opens the image's /etc/group and blocks on the FIFO: only the
        # timeout ends it, and it must leave nothing behind (the fixture checks).
        assert out.result.timed_out
    else:
        assert out.text == "1000\n" and not out.result.timed_out

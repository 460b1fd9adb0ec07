"""USER resolution over small passwd/group texts, with docker's (BuildKit's and moby/sys/user's) rules."""
from __future__ import annotations

import pytest

from buildkit_py.executor import ExecError
from buildkit_py.executor.users import ExecUser, home_of, parse_group, parse_passwd, resolve_user

PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1::/usr/sbin:/usr/sbin/nologin
app:x:1000:1000:App:/home/app:/bin/sh
app2:x:1000:1001::/home/app2:/bin/sh
"""
GROUP = """root:x:0:
# a comment
daemon:x:1:
wheel:x:10:app,other
staff:x:50:app
app:x:1000:
appgrp2:x:1001:
"""


def test_parse_passwd_fields_and_blank_lines():
    entries = parse_passwd(PASSWD + "\n  \nbroken:x:notanumber\n")
    assert entries[2].name == "app" and entries[2].uid == 1000 and entries[2].gid == 1000
    assert entries[2].home == "/home/app"
    assert entries[-1].uid == 0 and entries[-1].home == ""  # junk numbers read as 0, as Go's parser


def test_parse_group_skips_comments_and_splits_members():
    groups = {g.name: g for g in parse_group(GROUP)}
    assert "# a comment" not in groups
    assert groups["wheel"].members == ("app", "other") and groups["root"].members == ()


@pytest.mark.parametrize("spec, expected", [
    ("", ExecUser(0, 0, (0,), "/root")),
    ("root", ExecUser(0, 0, (0,), "/root")),
    ("0", ExecUser(0, 0, (0,), "/root")),
    ("app", ExecUser(1000, 1000, (1000, 10, 50), "/home/app")),
    ("1000", ExecUser(1000, 1000, (1000, 10, 50), "/home/app")),  # first entry with the uid wins
    ("app2", ExecUser(1000, 1001, (1001,), "/home/app2")),
    ("app:staff", ExecUser(1000, 50, (50,), "/home/app")),  # an explicit group: no supplementary ones
    ("app:50", ExecUser(1000, 50, (50,), "/home/app")),
    ("app:777", ExecUser(1000, 777, (777,), "/home/app")),  # numeric gid needs no entry
    ("1000:50", ExecUser(1000, 50, (50,), "/home/app")),  # BuildKit's fast path: no group lookup
    ("root:root", ExecUser(0, 0, (0,), "/root")),
    ("4242", ExecUser(4242, 0, (0,), "/")),
    ("4242:staff", ExecUser(4242, 50, (50,), "/")),
    ("daemon", ExecUser(1, 1, (1,), "/usr/sbin")),
    ("app:staff:extra", ExecUser(1000, 50, (50,), "/home/app")),  # fields past the group are ignored
])
def test_resolve_user(spec, expected):
    assert resolve_user(spec, PASSWD, GROUP) == expected


def test_unknown_user_name_is_an_error():
    with pytest.raises(ExecError) as e:
        resolve_user("ghost", PASSWD, GROUP)
    assert e.value.message == "unable to find user ghost: no matching entries in passwd file"


def test_unknown_group_name_is_an_error():
    with pytest.raises(ExecError) as e:
        resolve_user("app:ghosts", PASSWD, GROUP)
    assert e.value.message == "unable to find group ghosts: no matching entries in group file"


def test_ids_out_of_range_are_errors():
    with pytest.raises(ExecError, match="range"):
        resolve_user("4294967296", PASSWD, GROUP)
    with pytest.raises(ExecError, match="range"):
        resolve_user("app:-1", PASSWD, GROUP)


def test_without_files_numbers_work_and_names_do_not():
    assert resolve_user("123", None, None) == ExecUser(123, 0, (0,), "/")
    assert resolve_user("123:456", None, None) == ExecUser(123, 456, (456,), "/")
    assert resolve_user("", None, None) == ExecUser(0, 0, (0,), "/")
    assert resolve_user("root", None, None) == ExecUser(0, 0, (0,), "/")  # the default user works on scratch
    with pytest.raises(ExecError, match="unable to find user app"):
        resolve_user("app", None, None)
    with pytest.raises(ExecError, match="unable to find group staff"):
        resolve_user("123:staff", None, None)


def test_home_of_uid():
    assert home_of(1000, PASSWD) == "/home/app"
    assert home_of(5, PASSWD) == "/" and home_of(0, None) == "/"

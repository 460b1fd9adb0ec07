"""The sandbox's walls: host files, the upper dir, the network, devices, kernel settings."""
from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

import pytest


def _net_devices(text: str) -> set[str]:
    return {line.split(":")[0].strip() for line in text.splitlines()[2:] if ":" in line}


def test_changes_land_in_the_upper_dir_only(sh, busybox_root):
    before = {str(p.relative_to(busybox_root)) for p in busybox_root.rglob("*")}
    out = sh("echo data > /tmp/new && mkdir -p /opt/app && rm /etc/group && echo x >> /etc/passwd")
    assert out.result.exit_code == 0
    assert out.upper_entries() == {"tmp", "tmp/new", "opt", "opt/app", "etc", "etc/group", "etc/passwd"}
    assert (out.upper / "tmp/new").read_text() == "data\n"
    whiteout = os.lstat(out.upper / "etc/group")
    assert stat.S_ISCHR(whiteout.st_mode) and whiteout.st_rdev == 0
    assert {str(p.relative_to(busybox_root)) for p in busybox_root.rglob("*")} == before
    assert (busybox_root / "etc/group").exists() and not (busybox_root / "tmp/new").exists()


def test_the_sandboxs_own_mount_points_leave_no_trace(sh):
    # The busybox image has no /proc, /dev, /sys, /etc/hosts or /etc/resolv.conf.
    out = sh("ls -d /proc /dev /sys /etc/hosts /etc/resolv.conf && touch /etc/marker")
    assert out.result.exit_code == 0, out.text
    assert out.upper_entries() == {"etc", "etc/marker"}


def test_a_host_file_outside_the_root_cannot_be_read_or_found(sh):
    name = f"host-secret-{uuid.uuid4().hex}"
    secret = Path("/tmp") / name
    secret.write_text("top secret\n")
    try:
        out = sh(f"cat /tmp/{name} /../../tmp/{name}; echo status=$?; find / -name '{name}' 2>/dev/null; "
                 f"echo overwritten > /tmp/{name}; echo done")
        assert "top secret" not in out.text
        assert out.text.splitlines()[-1] == "done"
        assert "status=1" in out.text
        found = [line for line in out.text.splitlines() if not line.startswith("cat: can't open")]
        assert not any(name in line for line in found), out.text  # find saw nothing
        assert secret.read_text() == "top secret\n"  # the write went to the sandbox's own /tmp
        assert (out.upper / "tmp" / name).read_text() == "overwritten\n"
    finally:
        secret.unlink()


def test_the_hosts_root_disk_cannot_be_read_through_a_device_node(sh):
    dev = os.stat("/").st_dev
    major, minor = os.major(dev), os.minor(dev)
    out = sh(f"mknod /tmp/disk b {major} {minor} 2>&1; head -c 512 /tmp/disk | wc -c")
    assert out.text.splitlines()[-1].strip() == "0", out.text


def test_mount_and_kernel_settings_are_out_of_reach(sh):
    out = sh("{ mount -t tmpfs none /tmp && echo mounted; "
             "echo x > /proc/sys/kernel/domainname && echo wrote-sysctl; "
             "touch /sys/x && echo wrote-sys; "
             "echo x > /etc/hosts && echo wrote-hosts; "
             "hostname other && echo renamed; } 2>/dev/null; "
             "cat /proc/kcore 2>/dev/null | head -c 1 | wc -c")
    assert out.text.split() == ["0"], out.text


def test_network_none_has_only_loopback_and_it_is_up(sh):
    out = sh("cat /proc/net/dev; ping -c 1 -W 2 127.0.0.1 > /dev/null && echo ping-ok", network="none")
    assert _net_devices(out.text) == {"lo"}
    assert "ping-ok" in out.text


@pytest.mark.parametrize("network", ["default", "host"])
def test_default_network_is_the_hosts(sh, network):
    host = _net_devices(Path("/proc/net/dev").read_text())
    assert len(host) > 1, "this check needs a host with an interface besides lo"
    out = sh("cat /proc/net/dev", network=network)
    assert _net_devices(out.text) == host

"""Extra mounts (bind, tmpfs), scratch roots, and mount points that must leave no trace in the layer."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from buildkit_py.executor import ExecError, MountSpec, ProcessSpec, run


@pytest.fixture
def hostdir(tmp_path: Path) -> Path:
    d = tmp_path / "hostdir"
    d.mkdir()
    (d / "f").write_text("from the host\n")
    return d


def test_read_only_bind_can_be_read_not_written(sh, hostdir):
    out = sh("cat /data/f; touch /data/new 2>/dev/null && echo wrote; rm /data/f 2>/dev/null && echo removed; echo end",
             mounts=(MountSpec("/data", "bind", str(hostdir), readonly=True),))
    assert out.text == "from the host\nend\n"
    assert sorted(os.listdir(hostdir)) == ["f"]
    assert out.upper_entries() == set()  # /data came from the stub layer, not the upper dir


def test_read_write_bind_writes_through_to_the_host(sh, hostdir):
    out = sh("echo new > /mnt/data/g", mounts=(MountSpec("/mnt/data", "bind", str(hostdir)),))
    assert out.result.exit_code == 0
    assert (hostdir / "g").read_text() == "new\n"
    assert out.upper_entries() == set()


def test_a_file_can_be_bound_over_a_missing_path(sh, hostdir):
    out = sh("cat /run/secrets/token; ls -l /run/secrets/token | cut -c1-10",
             mounts=(MountSpec("/run/secrets/token", "bind", str(hostdir / "f"), readonly=True),))
    assert out.text.splitlines()[0] == "from the host"
    assert out.upper_entries() == set()


def test_tmpfs_mount_is_writable_and_leaves_nothing(sh):
    out = sh("echo x > /cache/file && grep ' /cache ' /proc/mounts | cut -d' ' -f3,4",
             mounts=(MountSpec("/cache", "tmpfs", options=("size=1m", "mode=0755")),))
    fstype, opts = out.text.split()
    assert fstype == "tmpfs" and "size=1024k" in opts and "mode=755" in opts
    assert out.upper_entries() == set()


def test_nested_mounts_are_made_parent_first(sh, hostdir):
    out = sh("cat /a/b/f; echo ok > /a/x",
             mounts=(MountSpec("/a/b", "bind", str(hostdir), readonly=True), MountSpec("/a", "tmpfs")))
    assert out.text == "from the host\n" and out.result.exit_code == 0


def test_a_missing_bind_source_is_a_clear_error(sh, tmp_path):
    with pytest.raises(ExecError) as e:
        sh("true", mounts=(MountSpec("/data", "bind", str(tmp_path / "absent")),))
    assert "absent" in e.value.message


def test_a_relative_target_is_refused(sh, hostdir):
    with pytest.raises(ExecError) as e:
        sh("true", mounts=(MountSpec("data", "bind", str(hostdir)),))
    assert "not an absolute path" in e.value.message


def test_scratch_root_works(sh, tmp_path):
    """FROM scratch: no lower dirs at all; the only program is bound in."""
    out = sh(("/bin/busybox", "sh", "-c", "echo hi > /x; /bin/busybox ls /"), lower=[],
             mounts=(MountSpec("/bin/busybox", "bind", "/bin/busybox", readonly=True),))
    assert out.text.split() == ["bin", "dev", "etc", "proc", "sys", "x"]
    assert out.upper_entries() == {"x"}


def test_mount_points_behind_an_image_symlink_are_removed_afterwards(sh, busybox_root, tmp_path):
    """/etc -> /private/etc hides the stub layer's /etc: the mount point is made, then cleaned up."""
    layer = tmp_path / "symlinked-etc"
    layer.mkdir()
    (layer / "etc").symlink_to("/private/etc")
    out = sh("ls /private/etc; readlink /etc", lower=[layer, busybox_root])
    assert out.text.split() == ["hosts", "resolv.conf", "/private/etc"]
    assert out.upper_entries() == set()


def test_a_mount_target_symlink_cannot_point_out_of_the_root(sh, busybox_root, tmp_path, hostdir):
    """A target that is a link to an absolute host path resolves inside the root, not on the host."""
    layer = tmp_path / "evil"
    (layer / "srv").mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.mkdir()
    (layer / "srv" / "data").symlink_to(victim)
    out = sh(f"cat {victim}/f", lower=[layer, busybox_root],
             mounts=(MountSpec("/srv/data", "bind", str(hostdir), readonly=True),))
    assert out.text == "from the host\n"
    assert os.listdir(victim) == []
    assert out.upper_entries() == set()


def test_upper_and_work_on_different_filesystems_is_a_clear_error(executor, busybox_root, tmp_path):
    with tempfile.TemporaryDirectory(dir="/dev/shm") as other_fs:
        work = tmp_path / "work"
        work.mkdir()
        with pytest.raises(ExecError) as e:
            run([busybox_root], Path(other_fs), work, ProcessSpec(args=("true",), env=()), executor=executor)
    assert e.value.message.startswith("cannot mount the overlay root filesystem")
    assert "one filesystem" in (e.value.hint or "")

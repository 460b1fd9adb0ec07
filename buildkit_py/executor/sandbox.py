"""The builtin sandbox: the code that runs in the forked children, from namespaces to exec.

Child A leaves the caller's session, unshares the mount, PID, UTS, IPC (and for network=none
net) namespaces and forks B, the first process of the new PID namespace. B mounts the root
filesystem and the system mounts, pivots into the root, becomes the step's user and execs the
command, which is PID 1 as in docker build; when it exits the kernel kills the rest of the
namespace. A reports B's pid to the parent and exits with B's status.
"""
from __future__ import annotations

import fcntl
import os
import select
import signal
import socket
import stat
import struct

from buildkit_py.executor import linux, rootfs
from buildkit_py.executor.control import Channel, fail
from buildkit_py.executor.process import build_env, env_value, lookup_executable
from buildkit_py.executor.mountpoints import Made, ensure_target
from buildkit_py.executor.rootfs import Plan
from buildkit_py.executor.users import read_user_file, resolve_user

# docker's default capabilities, less CAP_MKNOD (27): there is no device cgroup to stop a
# node for the host's disk from being opened.
KEEP_CAPS = frozenset({0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 29, 31})
MASKED = ("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
          "/sys/firmware", "/sys/devices/virtual/powercap")
READONLY = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")
DEVICES = (("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0))
DEV_LINKS = (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
             ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx"))
_NOSUID_NODEV_NOEXEC = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
_MS_STRICTATIME = 1 << 24
_FLAG_WORDS = {"nosuid": linux.MS_NOSUID, "nodev": linux.MS_NODEV, "noexec": linux.MS_NOEXEC, "ro": linux.MS_RDONLY}
_SKIP_WORDS = {"rw", "suid", "dev", "exec", "bind", "rbind", "private", "rprivate"}


def namespace_flags(network: str) -> int:
    flags = linux.CLONE_NEWNS | linux.CLONE_NEWPID | linux.CLONE_NEWUTS | linux.CLONE_NEWIPC
    return flags | (linux.CLONE_NEWNET if network == "none" else 0)


def loopback_up() -> None:
    """Bring lo up in a new network namespace (ioctl SIOCGIFFLAGS / SIOCSIFFLAGS)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = fcntl.ioctl(s.fileno(), 0x8913, struct.pack("16sH14x", b"lo", 0))
        flags = struct.unpack("16sH14x", req)[1] | 0x1 | 0x40  # IFF_UP | IFF_RUNNING
        fcntl.ioctl(s.fileno(), 0x8914, struct.pack("16sH14x", b"lo", flags))


def child_a(plan: Plan, chan: Channel) -> None:
    """First child: namespaces, then fork the sandbox's PID 1 and wait for it. Never returns."""
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        linux.unshare(namespace_flags(plan.spec.network))
        if plan.spec.network == "none":
            loopback_up()
        lifeline = os.pidfd_open(os.getpid())  # lets B see if A died before B armed its death signal
        pid = os.fork()
        if pid == 0:
            child_b(plan, chan, lifeline)
        os.close(lifeline)
        chan.send(pid=pid)
        chan.close()
        os.close(1)
        os.close(2)
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                break
            except InterruptedError:
                continue
        code = os.waitstatus_to_exitcode(status)
        os._exit(code if code >= 0 else 128 - code)
    except BaseException as e:  # noqa: BLE001 - everything goes to the parent as an ExecError
        fail(chan, e, "cannot create the sandbox's namespaces")


def _mount_system(plan: Plan, rootfd: int, made: Made) -> None:
    """/proc, /dev with its few nodes, /sys read-only, and docker's masked and read-only paths."""
    root = plan.root
    proc = ensure_target(rootfd, root, plan.upperdir, "/proc", True, made)
    linux.mount("proc", proc, "proc", _NOSUID_NODEV_NOEXEC)
    dev = ensure_target(rootfd, root, plan.upperdir, "/dev", True, made)
    linux.mount("tmpfs", dev, "tmpfs", linux.MS_NOSUID | _MS_STRICTATIME, "mode=755,size=65536k")
    for name, major, minor in DEVICES:
        os.mknod(f"{dev}/{name}", stat.S_IFCHR | 0o666, os.makedev(major, minor))
    for name, target in DEV_LINKS:
        os.symlink(target, f"{dev}/{name}")
    for name in ("pts", "shm", "mqueue"):
        os.mkdir(f"{dev}/{name}", 0o755)
    linux.mount("devpts", f"{dev}/pts", "devpts", linux.MS_NOSUID | linux.MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620,gid=5")
    linux.mount("shm", f"{dev}/shm", "tmpfs", _NOSUID_NODEV_NOEXEC, "mode=1777,size=65536k")
    linux.mount("mqueue", f"{dev}/mqueue", "mqueue", _NOSUID_NODEV_NOEXEC)
    sys_ = ensure_target(rootfd, root, plan.upperdir, "/sys", True, made)
    try:
        linux.mount("sysfs", sys_, "sysfs", _NOSUID_NODEV_NOEXEC | linux.MS_RDONLY)
    except PermissionError:
        linux.mount("/sys", sys_, None, linux.MS_BIND)
        linux.mount(None, sys_, None, linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY | _NOSUID_NODEV_NOEXEC)
    for path in READONLY:  # kernel-made trees: no links to follow in them
        p = root + path
        if os.path.lexists(p):
            linux.mount(p, p, None, linux.MS_BIND | linux.MS_REC)
            linux.mount(None, p, None, linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY | _NOSUID_NODEV_NOEXEC)
    for path in MASKED:
        p = root + path
        if os.path.isdir(p):
            linux.mount("tmpfs", p, "tmpfs", linux.MS_RDONLY, "size=0")
        elif os.path.lexists(p):
            linux.mount(f"{dev}/null", p, None, linux.MS_BIND)


def _split_options(options: tuple[str, ...]) -> tuple[int, str]:
    flags, data = 0, []
    for opt in options:
        if opt in _FLAG_WORDS:
            flags |= _FLAG_WORDS[opt]
        elif opt not in _SKIP_WORDS:
            data.append(opt)
    return flags, ",".join(data)


def _bind(source: str, target: str, flags: int) -> None:
    linux.mount(source, target, None, linux.MS_BIND)
    if flags:
        # Keep the source mount's own nosuid/nodev/noexec; a remount sets the flags afresh.
        vfs = os.statvfs(target).f_flag
        kept = vfs & (os.ST_NOSUID | os.ST_NODEV | os.ST_NOEXEC)
        linux.mount(None, target, None, linux.MS_BIND | linux.MS_REMOUNT | flags | kept)


def _mount_user(plan: Plan, rootfd: int, made: Made) -> None:
    """/etc/resolv.conf and /etc/hosts (read-only, generated) and the step's extra mounts."""
    root = plan.root
    for path, name in (("/etc/resolv.conf", rootfs.RESOLV), ("/etc/hosts", rootfs.HOSTS)):
        target = ensure_target(rootfd, root, plan.upperdir, path, False, made)
        _bind(os.path.join(plan.private, name), target, linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV)
    for m in plan.mounts:
        target = ensure_target(rootfd, root, plan.upperdir, m.target, rootfs.target_is_dir(m), made)
        flags, data = _split_options(m.options)
        if m.readonly:
            flags |= linux.MS_RDONLY
        try:
            if m.type == "tmpfs":
                linux.mount("tmpfs", target, "tmpfs", flags | linux.MS_NOSUID | linux.MS_NODEV, data or None)
            else:
                assert m.source is not None
                if not os.path.lexists(m.source):
                    raise FileNotFoundError(2, "no such file or directory", m.source)
                _bind(m.source, target, flags)
        except OSError as e:
            raise OSError(e.errno, f"cannot mount {m.type} {m.source or ''} on {m.target}: {e.strerror}") from None


def _enter_root(root: str) -> None:
    """pivot_root into the overlay and drop the host's tree; chroot only where pivot_root cannot work."""
    os.chdir(root)
    try:
        linux.pivot_root(".", ".")  # the old root ends up stacked on "." and is then detached
        linux.umount2(".", linux.MNT_DETACH)
    except OSError as e:
        if e.errno != 22:  # EINVAL: e.g. the host root is an initramfs
            raise
        linux.mount(root, "/", None, linux.MS_MOVE)
        os.chroot(".")
    os.chdir("/")


def _reset_signals() -> None:
    for sig in signal.valid_signals():
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            try:
                signal.signal(sig, signal.SIG_DFL)
            except (OSError, ValueError):
                pass
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def child_b(plan: Plan, chan: Channel, lifeline: int) -> None:
    """PID 1 of the sandbox: mounts, pivot_root, user, exec. Never returns."""
    step = "cannot set up the sandbox"
    try:
        linux.set_pdeathsig(signal.SIGKILL)
        if select.select([lifeline], [], [], 0)[0]:
            os._exit(128 + signal.SIGKILL)  # A was killed before the line above: nobody waits for us
        os.close(lifeline)
        os.umask(0)
        rootfd = rootfs.mount_root(plan)
        made = Made()
        _mount_system(plan, rootfd, made)
        _mount_user(plan, rootfd, made)
        socket.sethostname(plan.hostname)
        for msg in made.messages():
            chan.send(**msg)
        os.close(rootfd)
        cap_last = int(open("/proc/sys/kernel/cap_last_cap").read())
        _enter_root(plan.root)

        step = "cannot start the process"
        newroot = os.open("/", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        user = resolve_user(plan.spec.user, read_user_file(newroot, "/etc/passwd"),
                            read_user_file(newroot, "/etc/group"))
        os.close(newroot)
        env = build_env(plan.spec, user.home)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        linux.drop_bounding_caps(KEEP_CAPS, cap_last)
        linux.clear_inheritable_caps()
        os.setgroups(list(user.groups))
        os.setgid(user.gid)
        os.setuid(user.uid)
        linux.set_pdeathsig(signal.SIGKILL)  # a change of credentials cleared it
        try:
            os.chdir(plan.spec.cwd)
        except OSError as e:
            raise OSError(e.errno, f"cannot change to the working directory {plan.spec.cwd}: {e.strerror}") from None
        exe = lookup_executable(plan.spec.args[0], env_value(env, "PATH"))
        os.umask(0o022)
        _reset_signals()
        try:
            os.execve(exe, list(plan.spec.args), dict(e.split("=", 1) for e in env))
        except OSError as e:
            raise OSError(e.errno, f"exec {exe}: {e.strerror.lower()}") from None
    except BaseException as e:  # noqa: BLE001
        fail(chan, e, step)

"""Linux isolation primitives for one submission: namespaces, a read-only root, rlimits."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

#: The folder, inside the sandbox, where the submission's files are and the code runs.
WORKDIR = "/bai_lam"

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None):
    _check(
        _libc.mount(
            source.encode(),
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent goes (no orphan survives)."""
    _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)


def no_new_privileges() -> None:
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


@dataclass
class Limits:
    """What one submission may use; built from the ``SandboxExecute`` traitlets."""

    cpu_seconds: int = 300
    memory_mb: int = 1024
    max_processes: int = 32
    file_mb: int = 64
    max_open_files: int = 256
    network: bool = False
    uid: int = 0  # 0: chosen per sandbox (a uid no other process uses)
    hidden_paths: list[str] = field(default_factory=list)
    visible_paths: list[str] = field(default_factory=list)


def _current_address_space() -> int:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def set_rlimits(limits: Limits) -> None:
    """CPU, memory (on top of what the pre-warmed interpreter already maps), files, processes."""
    mb = 1024 * 1024
    address_space = _current_address_space() + limits.memory_mb * mb
    for name, value in (
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, address_space),
        (resource.RLIMIT_FSIZE, limits.file_mb * mb),
        (resource.RLIMIT_NOFILE, limits.max_open_files),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, limits.max_processes),
    ):
        try:
            resource.setrlimit(name, (value, value))
        except (ValueError, OSError):
            pass  # a hard limit already lower than ours: keep the stricter one


def _inside(path: str, others: list[str]) -> bool:
    """Whether ``path`` contains (or is) one of ``others``: binding it would expose them."""
    path = path.rstrip("/") + "/"
    return any((o.rstrip("/") + "/").startswith(path) for o in others)


def runtime_paths(hidden: list[str]) -> list[str]:
    """The folders code needs to run: the system, this Python and its import path."""
    wanted = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc", "/opt"]
    wanted += [sys.prefix, sys.base_prefix, sys.exec_prefix]
    wanted += [p for p in sys.path if p and os.path.isabs(p)]
    kept: list[str] = []
    for path in wanted:
        if not os.path.lexists(path) or path in kept:
            continue
        if not os.path.islink(path) and _inside(os.path.realpath(path), hidden):
            continue  # e.g. a sys.path entry that is the course folder itself
        kept.append(path)
    return kept


def build_root(new_root: Path, files_from: Path | None, uid: int, limits: Limits) -> None:
    """Make ``new_root`` a minimal read-only tree with a private, writable ``WORKDIR``.

    Must run as root inside new mount and PID namespaces. Nothing of the course (source,
    gradebook, exchange, other learners) is mounted, so it cannot be reached by any path.
    """
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", str(new_root), "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=755")
    # The executor's own folder (its socket, this new root) is on sys.path as its cwd.
    hidden = [os.path.realpath(p) for p in [*limits.hidden_paths, str(new_root.parent)]]
    # The private, empty /tmp and working folder come first: a runtime folder that lives under
    # /tmp (a checkout cloned there, its .venv) is then bound on top of them, not hidden.
    size = f"size={limits.file_mb}m,mode=700,uid={uid},gid={uid}"
    for folder in (WORKDIR, "/tmp"):
        target = new_root / folder.lstrip("/")
        target.mkdir(parents=True, exist_ok=True)
        mount("tmpfs", str(target), "tmpfs", MS_NOSUID | MS_NODEV, size)
    for path in runtime_paths(hidden) + list(limits.visible_paths):
        target = str(new_root) + path
        if os.path.islink(path):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.lexists(target):
                os.symlink(os.readlink(path), target)
            continue
        if os.path.lexists(target):
            continue  # already inside an earlier bind mount
        os.makedirs(target, exist_ok=True)
        mount(path, target, None, MS_BIND | MS_REC)
        mount("none", target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_REC)
    dev = new_root / "dev"
    dev.mkdir(exist_ok=True)
    for name in ("null", "zero", "random", "urandom"):
        (dev / name).touch()
        mount(f"/dev/{name}", str(dev / name), None, MS_BIND)
    (new_root / "proc").mkdir(exist_ok=True)
    mount("proc", str(new_root / "proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    if files_from is not None:
        copy_files(files_from, new_root / WORKDIR.lstrip("/"), uid)
    os.chroot(str(new_root))
    os.chdir(WORKDIR)


def copy_files(files_from: Path, target: Path, uid: int) -> None:
    """Copy the submission's files, except notebooks (the graded one holds hidden tests)."""
    for src in sorted(files_from.rglob("*")):
        rel = src.relative_to(files_from)
        if src.suffix == ".ipynb" or ".ipynb_checkpoints" in rel.parts or src.is_symlink():
            continue
        dest = target / rel
        if src.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        os.chown(dest, uid, uid)
    os.chown(target, uid, uid)


def drop_privileges(uid: int) -> None:
    """Become ``uid`` with no groups and no capabilities, for good."""
    if os.getuid() != 0:
        return
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    no_new_privileges()

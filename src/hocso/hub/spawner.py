"""Starting a user's or a grader's Jupyter server as their own system account.

JupyterHub's ``LocalProcessSpawner`` switches to the user's account and runs
``jupyterhub-singleuser`` from this environment. That only works if every folder on the way to
this Python can be entered by that account. A Python installed under root's home (pyenv in
``/root/.pyenv``, the usual case on CI machines) cannot: ``/root`` is closed to others. Rather
than open root's home to every trainee, each server gets its own mount namespace in which the
closed folder is covered by an empty in-memory folder holding only what the server needs
(the Python installation), bound read-only. The rest of that folder does not exist for it.
Where nothing is closed (Python in ``/usr`` or ``/opt``) nothing is mounted.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import sys
import sysconfig
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode

from hocso.grading.sandbox import (
    CLONE_NEWNS,
    MS_BIND,
    MS_NODEV,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    mount,
    unshare,
)

MS_MOVE = 8192


def runtime_paths() -> list[str]:
    """The folders a server of this environment reads: the Python, the venv, the import path."""
    paths = {
        sys.prefix,
        sys.base_prefix,
        os.path.realpath(sys.executable),
        *(sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")),
        *(p for p in sys.path if p and os.path.isdir(p)),
    }
    return sorted(os.path.realpath(p) for p in paths if os.path.exists(p))


def closed_folder(path: str) -> tuple[str, str] | None:
    """The first folder on the way to ``path`` that others cannot enter, and its next step."""
    parts = Path(path).parts
    for depth in range(1, len(parts)):
        folder = Path(*parts[:depth])
        mode = os.stat(folder).st_mode
        if not mode & stat.S_IXOTH:
            return str(folder), str(Path(*parts[: depth + 1]))
    return None


def plan_reveal(paths: list[str]) -> dict[str, list[str]]:
    """Closed folder -> the entries in it that must stay visible (computed before forking)."""
    needed: dict[str, set[str]] = {}
    for path in paths:
        found = closed_folder(path)
        if found:
            needed.setdefault(found[0], set()).add(found[1])
    return {folder: sorted(entries) for folder, entries in needed.items()}


def reveal(plan: dict[str, list[str]], stage: str) -> None:
    """In a new mount namespace, cover each closed folder, keeping only the needed entries.

    ``stage`` is an existing empty folder of root's where the entries wait while their parent
    is covered. Runs as root, in the child, before the switch to the user's account.
    """
    if not plan:
        return
    unshare(CLONE_NEWNS)
    # Nothing mounted here may leak back to the hub's namespace.
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=700")
    # One waiting spot per entry across all closed folders (a checkout in a 0700 temporary
    # folder and a Python under /root are two of them).
    spots = iter(range(sum(len(entries) for entries in plan.values())))
    for folder, entries in plan.items():
        waiting = []
        for entry in entries:
            spot = os.path.join(stage, str(next(spots)))
            os.mkdir(spot)
            mount(entry, spot, None, MS_BIND | MS_REC)
            waiting.append((spot, entry))
        mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
        for spot, entry in waiting:
            os.mkdir(entry) if os.path.isdir(spot) else open(entry, "w").close()
            mount(spot, entry, None, MS_MOVE)
            mount("none", entry, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC)
        mount("none", folder, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def become(user: str) -> None:
    """Switch this process to ``user`` for good: its groups, its gid, its uid, its home."""
    account = pwd.getpwnam(user)
    groups = [g.gr_gid for g in grp.getgrall() if user in g.gr_mem]
    os.setgroups([account.pw_gid, *groups])
    os.setgid(account.pw_gid)
    os.setuid(account.pw_uid)
    os.environ.update(HOME=account.pw_dir, USER=user, LOGNAME=user, SHELL=account.pw_shell)


def prepare(user: str, stage: str, plan: dict[str, list[str]], chdir: str | None) -> None:
    reveal(plan, stage)
    become(user)
    os.chdir(chdir or pwd.getpwnam(user).pw_dir)
    # Files a trainee creates are theirs alone; nbgrader sets the exchange's modes itself.
    os.umask(0o077)


class HocsoSpawner(LocalProcessSpawner):
    """``LocalProcessSpawner`` that makes this environment's Python reachable for the user."""

    stage = Unicode(
        help="An empty folder of root's used while mounting (see hocso.hub.spawner)."
    ).tag(config=True)

    def make_preexec_fn(self, name):
        plan = plan_reveal(runtime_paths())
        stage = self.stage

        def preexec() -> None:
            prepare(name, stage, plan, None)

        return preexec


def main(argv: list[str] | None = None) -> None:
    """``python -m hocso.hub.spawner USER STAGE -- COMMAND...``: run COMMAND as USER.

    A JupyterHub service (the formgrader of a course) is started by the hub as root; this
    puts it in the same kind of namespace as the users' servers before it becomes the grader.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    split = args.index("--")
    user, stage = args[:split]
    command = args[split + 1 :]
    prepare(user, stage, plan_reveal(runtime_paths()), os.getcwd())
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()

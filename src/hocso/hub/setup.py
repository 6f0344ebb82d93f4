"""Preparing a machine for the hub: accounts, course folders, the shared exchange, configs.

Everything lives under one root folder::

    <root>/                 0711 root
      hub/                  0700 root: hub database, cookie secret, state, initial passwords
      etc/jupyter/          nbgrader config of every server: exchange, JupyterHub auth plugin
      etc/hoc-vien/         server config of the users' own servers (no formgrader there)
      exchange/             1777 root: nbgrader's exchange; exchange/<course> 2750 grader:group
      courses/<course>/     0700 grader: the nbgrader course (source, release, gradebook...)
      home/<user>/          0700 user: each instructor's and trainee's home

System accounts are created with ``useradd`` under a prefix (``hs-``) and marked with the
comment ``hocso hub <root>``, so :func:`remove` deletes exactly the ones it made.
"""

from __future__ import annotations

import csv
import grp
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from hocso.course import Course, CourseError, ensure_tools_on_path, give_tree
from hocso.hub.plan import HubCourse, HubPlan
from hocso.hub.spawner import closed_folder
from hocso.term import roster

COURSE_PARTS = ("nbgrader_config.py", "source", "release", "curriculum")
STATE_FILE = "hub.json"
PASSWORDS_FILE = "mat_khau_ban_dau.csv"
APPS = "notebooks/apps"


def require_root() -> None:
    if os.geteuid() != 0:
        raise CourseError(
            "Hub cần chạy với quyền root: mỗi học viên và giảng viên là một tài khoản riêng "
            "trên máy (tạo bằng useradd), để không ai đọc được bài của người khác hay đáp án "
            "của lớp. Hãy chạy lại lệnh bằng sudo, trên một máy dành riêng cho hub."
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _marker(root: Path) -> str:
    return f"hocso hub {root}"


def _account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CourseError(f"Lệnh {' '.join(args)} thất bại: {done.stderr.strip()}")


def ensure_account(name: str, home: Path, root: Path) -> None:
    """Create system account ``name`` (own group, home ``home``) unless it is ours already."""
    if _account_exists(name):
        if pwd.getpwnam(name).pw_gecos != _marker(root):
            raise CourseError(
                f"Trên máy đã có tài khoản {name} không do hub này tạo: đổi user_prefix trong "
                "tệp mô tả hub để tránh trùng."
            )
    else:
        _run(
            [
                "useradd",
                "--comment",
                _marker(root),
                "--home-dir",
                str(home),
                "--no-create-home",
                "--user-group",
                "--shell",
                "/bin/bash",
                name,
            ]
        )
    home.mkdir(parents=True, exist_ok=True)
    account = pwd.getpwnam(name)
    os.chown(home, account.pw_uid, account.pw_gid)
    home.chmod(0o700)


def ensure_group(name: str, members: list[str]) -> None:
    if not _group_exists(name):
        _run(["groupadd", name])
    _run(["gpasswd", "--members", ",".join(members), name])


def chown_tree(path: Path, user: str) -> None:
    account = pwd.getpwnam(user)
    give_tree(path, account.pw_uid, account.pw_gid)


HUB_BLOCK = """
# --- Added by `hocso hub` for this course on the hub (hocso.hub.setup) ---
# The course is this folder; its id names its exchange folder and its JupyterHub groups
# (formgrade-{course_id} for instructors, nbgrader-{course_id} for trainees).
c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = {course_id!r}
# The exchange shared by every course of the hub, instead of this folder's own.
c.Exchange.root = {exchange!r}
c.Exchange.assignment_dir = "."
"""


def write_course(course: Course, hub_course: HubCourse, root: Path) -> Path:
    """Copy the course for one class, owned by its grader account, and import its roster."""
    home = root / "courses" / hub_course.id
    ensure_account(hub_course.grader, home, root)
    if not (home / "nbgrader_config.py").exists():
        for part in COURSE_PARTS:
            src = course.root / part
            if src.is_dir():
                shutil.copytree(src, home / part)
            else:
                shutil.copy2(src, home / part)
        block = HUB_BLOCK.format(course_id=hub_course.id, exchange=str(root / "exchange"))
        if hub_course.gradebook_url:
            block += f"c.CourseDirectory.db_url = {hub_course.gradebook_url!r}\n"
        with open(home / "nbgrader_config.py", "a", encoding="utf-8") as f:
            f.write(block)
    ensure_tools_on_path()
    roster.save(Course.open(home), hub_course.trainees)
    chown_tree(home, hub_course.grader)
    home.chmod(0o700)
    return home


def write_exchange(plan: HubPlan, root: Path) -> None:
    exchange = root / "exchange"
    exchange.mkdir(exist_ok=True)
    # Like /tmp: everyone may create (nbgrader checks it is writable), nobody may delete
    # what another made. nbgrader's release keeps the sticky bit (it compares only 0o777).
    exchange.chmod(0o1777)
    for course in plan.courses:
        ensure_group(course.group, [*course.instructors, *(t.id for t in course.trainees)])
        folder = exchange / course.id
        folder.mkdir(exist_ok=True)
        grader = pwd.getpwnam(course.grader)
        os.chown(folder, grader.pw_uid, grp.getgrnam(course.group).gr_gid)
        # Only the course's members enter it; inside, nbgrader makes outbound/ readable and
        # inbound/ writable but not listable (0733), and the setgid bit gives new folders
        # the course's group.
        folder.chmod(0o2750)


def write_jupyter_config(root: Path) -> None:
    etc = root / "etc" / "jupyter"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "nbgrader_config.py").write_text(
        "# Every server on the hub (written by hocso.hub.setup).\n"
        "c = get_config()  # noqa: F821\n"
        "# One exchange for all courses, shared through the file system.\n"
        f"c.Exchange.root = {str(root / 'exchange')!r}\n"
        "# Several courses share it: fetched work goes to ~/<course>/<assignment>.\n"
        "c.Exchange.path_includes_course = True\n"
        "# A user sees the courses of their JupyterHub groups (nbgrader-<course>,\n"
        "# formgrade-<course>), and nothing else.\n"
        "from nbgrader.auth import JupyterHubAuthPlugin\n"
        "c.Authenticator.plugin_class = JupyterHubAuthPlugin\n",
        encoding="utf-8",
    )
    users = root / "etc" / "hoc-vien"
    (users / "jupyter_server_config.d").mkdir(parents=True, exist_ok=True)
    (users / "labconfig").mkdir(parents=True, exist_ok=True)
    # A user's own server has no course: formgrader and the course list belong to the
    # course's service, where its instructors reach them.
    (users / "jupyter_server_config.d" / "hocso-hub.json").write_text(
        json.dumps(
            {
                "ServerApp": {
                    "jpserver_extensions": {
                        "nbgrader.server_extensions.formgrader": False,
                        "nbgrader.server_extensions.course_list": False,
                    }
                }
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    (users / "labconfig" / "page_config.json").write_text(
        json.dumps(
            {
                "disabledExtensions": {
                    "@jupyter/nbgrader:formgrader": True,
                    "@jupyter/nbgrader:create-assignment": True,
                    "@jupyter/nbgrader:course-list": True,
                }
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    for folder in (root / "etc", etc, users, *users.iterdir()):
        folder.chmod(0o755)


def write_passwords(plan: HubPlan, path: Path) -> dict[str, str]:
    """Keep the passwords already given; a new user gets a random one."""
    from hocso.hub.auth import read_passwords

    known = read_passwords(path)
    logins = {hub: login for login, hub in plan.login_names().items()}
    passwords = {name: known.get(name) or secrets.token_urlsafe(9) for name in plan.users()}
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        writer = csv.writer(f)
        writer.writerow(["ten_dang_nhap", "ten_tren_hub", "mat_khau_ban_dau"])
        for name, password in passwords.items():
            writer.writerow([logins[name], name, password])
    return passwords


def setup(course: Course, plan: HubPlan, root: Path, port: int, description: Path) -> dict:
    """Prepare everything under ``root``; return the state the JupyterHub config reads."""
    require_root()
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o711)
    closed = closed_folder(str(root))
    if closed:
        raise CourseError(
            f"Thư mục {closed[0]} đóng với người khác "
            f"(quyền {oct(os.stat(closed[0]).st_mode & 0o777)}): "
            f"tài khoản của học viên không vào được {root}. Chọn --root ở nơi khác (ví dụ "
            "/srv/hocso-hub) hoặc mở quyền đi qua: chmod o+x " + closed[0] + "."
        )
    hub = root / "hub"
    hub.mkdir(exist_ok=True)
    hub.chmod(0o700)
    (hub / "stage").mkdir(exist_ok=True)
    write_jupyter_config(root)
    for name in plan.users():
        ensure_account(name, root / "home" / name, root)
    (root / "home").chmod(0o711)
    (root / "courses").mkdir(exist_ok=True)
    (root / "courses").chmod(0o711)
    courses = []
    for hub_course in plan.courses:
        folder = write_course(course, hub_course, root)
        courses.append(
            {
                "id": hub_course.id,
                "title": hub_course.title,
                "root": str(folder),
                "grader": hub_course.grader,
                "instructors": hub_course.instructors,
                "trainees": [t.id for t in hub_course.trainees],
                "port": free_port(),
            }
        )
    write_exchange(plan, root)
    apps = course.root / APPS
    for name in plan.users():
        home = root / "home" / name
        # Voila: the course's web apps in every home, opened at /user/<name>/voila/.
        if apps.is_dir() and not (home / "ung_dung").exists():
            shutil.copytree(apps, home / "ung_dung", ignore=shutil.ignore_patterns(".*"))
            chown_tree(home / "ung_dung", name)
    write_passwords(plan, hub / PASSWORDS_FILE)
    state = {
        "root": str(root),
        "description": str(description),
        "python": sys.executable,
        "bin": str(Path(sys.executable).parent),
        "port": port,
        "hub_port": free_port(),
        "proxy_api_port": free_port(),
        "prefix": plan.prefix,
        "idle_timeout": plan.idle_timeout,
        "logins": plan.login_names(),
        "users": plan.users(),
        "instructors": plan.instructors(),
        "courses": courses,
        "passwords_file": str(hub / PASSWORDS_FILE),
    }
    (hub / STATE_FILE).write_text(json.dumps(state, indent=2, ensure_ascii=False), "utf-8")
    return state


def remove(root: Path) -> list[str]:
    """Delete the accounts and groups this hub created, then its folder; return the accounts."""
    require_root()
    root = root.resolve()
    removed = []
    for account in pwd.getpwall():
        if account.pw_gecos == _marker(root):
            subprocess.run(["pkill", "-KILL", "-u", account.pw_name], check=False)
            _run(["userdel", account.pw_name])
            removed.append(account.pw_name)
    state_file = root / "hub" / STATE_FILE
    if state_file.exists():
        state = json.loads(state_file.read_text("utf-8"))
        for course in state["courses"]:
            group = state["prefix"] + course["id"]
            if _group_exists(group):
                _run(["groupdel", group])
    if root.exists():
        shutil.rmtree(root)
    return removed

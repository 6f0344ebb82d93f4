"""``hocso hub``: start a JupyterHub for several courses on this machine, or remove it."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from hocso.course import Course, CourseError
from hocso.hub import plan as hub_plan
from hocso.hub import setup

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy" / "hub"
DEFAULT_ROOT = Path("/srv/hocso-hub")
PROXY_PACKAGE = "configurable-http-proxy@5"


def proxy_command() -> Path:
    return Path(sys.executable).parent / "configurable-http-proxy"


def ensure_proxy() -> Path:
    """configurable-http-proxy (npm) in this environment's scripts, installed if missing."""
    command = proxy_command()
    if command.exists():
        return command
    npm = shutil.which("npm")
    if npm is None:
        raise CourseError(
            "Thiếu configurable-http-proxy và không có npm để cài. Debian: "
            "apt-get install -y nodejs npm, rồi chạy lại lệnh."
        )
    print(f"Đang cài {PROXY_PACKAGE} bằng npm vào {Path(sys.prefix)}…", flush=True)
    prefix = str(Path(sys.prefix))
    done = subprocess.run(
        [npm, "install", "--global", "--prefix", prefix, "--no-fund", "--no-audit", PROXY_PACKAGE],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not command.exists():
        raise CourseError(f"Không cài được {PROXY_PACKAGE} bằng npm:\n{done.stderr[-2000:]}")
    return command


def _running_hub(root: Path) -> int | None:
    """The pid of a hub still running in ``root``: two hubs would fight over its proxy."""
    try:
        pid = int((root / "hub" / "jupyterhub.pid").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _default_signals() -> None:
    # A shell starts background commands with SIGINT ignored, and ignored signals survive
    # exec: the servers would then ignore the hub's SIGINT when it stops them, and each stop
    # would wait out the hub's timeouts before SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def _start(course: Course, args: argparse.Namespace) -> int:
    setup.require_root()
    description = Path(args.description).resolve()
    plan = hub_plan.load(description, course)
    ensure_proxy()
    root = Path(args.root).resolve()
    running = _running_hub(root)
    if running:
        raise CourseError(
            f"Một hub đang chạy trong {root} (tiến trình {running}). Dừng nó trước (Ctrl-C "
            "ở cửa sổ của nó), rồi chạy lại lệnh."
        )
    print(f"Đang chuẩn bị hub trong {root} (tài khoản, thư mục lớp, exchange)…", flush=True)
    state = setup.setup(course, plan, root, args.port, description)
    env = dict(os.environ)
    env["HOCSO_HUB_STATE"] = str(root / "hub" / setup.STATE_FILE)
    env["PATH"] = state["bin"] + os.pathsep + env.get("PATH", "")
    courses = ", ".join(f"{c['id']} ({len(c['trainees'])} học viên)" for c in state["courses"])
    print(
        f"✅ Hub: http://127.0.0.1:{args.port}/ — lớp: {courses}.\n"
        f"   Mật khẩu ban đầu của từng người: {state['passwords_file']} (chỉ root đọc được).\n"
        "   Giảng viên mở Formgrader của lớp tại /services/<mã lớp>/formgrader.\n"
        "   Nhấn Ctrl-C để dừng hub và mọi máy chủ Jupyter nó đã mở.",
        flush=True,
    )
    command = [
        str(Path(state["bin"]) / "jupyterhub"),
        "-f",
        str(DEPLOY / "jupyterhub_config.py"),
    ]
    hub = subprocess.Popen(command, cwd=root / "hub", env=env, preexec_fn=_default_signals)

    def forward(signum, _frame):
        # The hub stops its proxy, its services and every user's server on SIGTERM/SIGINT.
        hub.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = hub.wait()
    print("Hub đã dừng.", flush=True)
    return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code


def _remove(course: Course, args: argparse.Namespace) -> int:
    root = Path(args.root).resolve()
    removed = setup.remove(root)
    print(f"✅ Đã xóa {len(removed)} tài khoản của hub và thư mục {root}.")
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("hub", help="JupyterHub cho nhiều lớp, giảng viên và học viên (cần root)")
    hub_sub = p.add_subparsers(dest="hub_command", metavar="VIỆC", required=True)

    s = hub_sub.add_parser("start", help="chuẩn bị máy và mở JupyterHub trên 127.0.0.1")
    s.add_argument(
        "--description",
        default=str(DEPLOY / "lop_demo.yaml"),
        metavar="TỆP",
        help="tệp mô tả các lớp (mặc định: lớp mẫu deploy/hub/lop_demo.yaml)",
    )
    s.add_argument(
        "--root",
        default=str(DEFAULT_ROOT),
        metavar="THƯ_MỤC",
        help=f"nơi đặt thư mục nhà, các lớp và exchange (mặc định {DEFAULT_ROOT})",
    )
    s.add_argument("--port", type=int, default=8000, help="cổng của hub (mặc định 8000)")
    s.set_defaults(run=_start)

    r = hub_sub.add_parser("remove", help="xóa tài khoản và thư mục mà hub đã tạo")
    r.add_argument("--root", default=str(DEFAULT_ROOT), metavar="THƯ_MỤC")
    r.set_defaults(run=_remove)

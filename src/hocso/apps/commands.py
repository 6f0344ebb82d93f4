"""The ``hocso serve`` subcommand."""

from __future__ import annotations

import argparse

from hocso.course import Course


def _serve(course: Course, args: argparse.Namespace) -> int:
    from hocso.apps import server

    return server.serve(
        course,
        port=args.port,
        open_browser=not args.no_browser,
        max_kernels=args.max_visitors,
        pool_size=args.preheat,
        fork_kernels=not args.no_fork,
        light_frontend=not args.voila_frontend,
    )


def add_commands(subparsers) -> None:
    p = subparsers.add_parser(
        "serve", help="mở các ứng dụng web cho người dân (Voila) trên 127.0.0.1"
    )
    p.add_argument("--port", type=int, default=8866, help="cổng (mặc định 8866)")
    p.add_argument("--no-browser", action="store_true", help="không tự mở trình duyệt")
    p.add_argument(
        "--max-visitors",
        type=int,
        default=40,
        metavar="N",
        help="số người dùng cùng lúc tối đa; người đến sau thấy trang chờ (mặc định 40)",
    )
    p.add_argument(
        "--preheat",
        type=int,
        default=1,
        metavar="N",
        help="số kernel khởi động sẵn cho mỗi ứng dụng, 0 để tắt (mặc định 1)",
    )
    p.add_argument(
        "--no-fork",
        action="store_true",
        help="khởi động mỗi kernel bằng một tiến trình Python mới thay vì tách ra từ tiến trình "
        "mẫu đã nạp sẵn thư viện (chậm hơn nhiều; để so sánh hoặc khi tách tiến trình gặp lỗi)",
    )
    p.add_argument(
        "--voila-frontend",
        action="store_true",
        help="dùng giao diện JavaScript đầy đủ của Voila (JupyterLab) thay vì giao diện nhẹ của "
        "hocso (chậm hơn nhiều trên điện thoại; để so sánh)",
    )
    p.set_defaults(run=_serve)

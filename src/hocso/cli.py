"""The ``hocso`` command: one entry for every instructor step, messages in Vietnamese."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

# jsonschema checks the "iri" string format with rfc3987_syntax when it is installed (Jupyter's
# jupyter-events pulls it in), and importing that builds an Earley grammar: 2.5 s at every start
# of every command, measured. No schema hocso or nbgrader validates uses "iri"; marking the
# module absent makes jsonschema leave out that one format check.
sys.modules.setdefault("rfc3987_syntax", None)

from hocso import notebooks  # noqa: E402 (after the line above, which must come first)
from hocso.course import Course, CourseError  # noqa: E402

#: Modules that add their own subcommands; each defines ``add_commands(subparsers)``, whose
#: parsers set ``run=function(course, args) -> exit code`` like the ones below.
COMMAND_MODULES = [
    "hocso.syllabus",
    "hocso.term.commands",
    "hocso.apps.commands",
    "hocso.grading.cli",
    "hocso.hub.commands",
    # new command modules go above this line
]


def _release(course: Course, args: argparse.Namespace) -> int:
    from hocso import release

    ids = course.require(args.ids)
    total = len(ids)
    done = release.release(
        course,
        ids,
        progress=lambda i: print(
            f"[{ids.index(i) + 1}/{total}] Đang tạo bản cho học viên: {i}", flush=True
        ),
    )
    print(f"✅ Đã cập nhật release/ cho {len(done)} bài: {', '.join(done)}.")
    if args.exchange:
        release.publish(course, done)
        print(f"✅ Đã đưa {len(done)} bài vào exchange: học viên thấy chúng ở thẻ Assignments.")
    return 0


def _check(course: Course, args: argparse.Namespace) -> int:
    from hocso import lint

    print("Đang kiểm tra khóa học (notebook, metadata nbgrader, chương trình, release/)…")
    problems = lint.run(course, check_release=not args.skip_release)
    if problems:
        print(f"❌ Có {len(problems)} vấn đề cần sửa:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"✅ Khóa học ổn: {len(course.assignment_ids())} bài, không có vấn đề nào.")
    return 0


def _clean(course: Course, args: argparse.Namespace) -> int:
    found = [*course.source_dir.glob("*/*.ipynb"), *(course.root / "notebooks").glob("**/*.ipynb")]
    paths = [Path(p) for p in args.paths] or sorted(
        p for p in found if ".ipynb_checkpoints" not in p.parts
    )
    # Read everything first: one broken file must not leave the others half cleaned.
    loaded = [(path, notebooks.read(path)) for path in paths]
    cleaned = [path for path, nb in loaded if notebooks.clean(nb)]
    for path, nb in loaded:
        if path in cleaned:
            notebooks.write(nb, path)
            print(f"  đã làm sạch {path}")
    print(f"✅ {len(cleaned)} notebook được làm sạch, {len(loaded) - len(cleaned)} đã sạch sẵn.")
    return 0


def _lab(course: Course, args: argparse.Namespace) -> int:
    from hocso import lab

    return lab.start(course, port=args.port, open_browser=args.browser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hocso",
        description="Công cụ của khóa học hocso (Bình dân học vụ số), dựa trên nbgrader.",
    )
    parser.add_argument(
        "--course",
        default=".",
        metavar="THƯ_MỤC",
        help="thư mục gốc của khóa học (mặc định: thư mục hiện tại)",
    )
    sub = parser.add_subparsers(dest="command", metavar="LỆNH", required=True)

    p = sub.add_parser("release", help="tạo lại release/ từ source/ bằng nbgrader")
    p.add_argument("ids", nargs="*", metavar="BÀI", help="mã bài, ví dụ bai01 (mặc định: tất cả)")
    p.add_argument(
        "--exchange", action="store_true", help="đưa thêm các bài vào exchange cho học viên tải về"
    )
    p.set_defaults(run=_release)

    p = sub.add_parser("check", help="kiểm tra notebook, metadata, chương trình học và release/")
    p.add_argument(
        "--skip-release", action="store_true", help="không so release/ với source/ (nhanh hơn)"
    )
    p.set_defaults(run=_check)

    p = sub.add_parser("clean", help="xóa kết quả chạy và metadata thừa khỏi notebook")
    p.add_argument("paths", nargs="*", metavar="NOTEBOOK", help="mặc định: source/ và notebooks/")
    p.set_defaults(run=_clean)

    p = sub.add_parser("lab", help="mở lớp học: JupyterLab với nbgrader trên 127.0.0.1")
    p.add_argument("--port", type=int, default=8888, help="cổng (mặc định 8888)")
    p.add_argument("--browser", action="store_true", help="tự mở trình duyệt")
    p.set_defaults(run=_lab)

    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        course = Course.open(args.course)
        return args.run(course, args)
    except CourseError as exc:
        print(f"❌ {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

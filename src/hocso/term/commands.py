"""The term's subcommands: roster, collect, feedback, report, certificates, demo."""

from __future__ import annotations

import argparse
from pathlib import Path

from hocso.course import Course


def _roster(course: Course, args: argparse.Namespace) -> int:
    from hocso.term import roster

    result = roster.import_file(course, Path(args.file))
    print(
        f"✅ Đã thêm {len(result.added)} học viên mới, cập nhật {len(result.updated)} học viên "
        "trong sổ điểm."
    )
    if result.problems:
        print(f"⚠️  {len(result.problems)} dòng không nhập được (sửa rồi chạy lại lệnh):")
        for number, message in result.problems:
            print(f"  - dòng {number}: {message}")
        return 1
    return 0


def _collect(course: Course, args: argparse.Namespace) -> int:
    from hocso.term import collect

    result = collect.collect(course, args.assignment, Path(args.path), force=args.force)
    print(collect.describe(result))
    return 0 if not result.problems else 1


def _feedback(course: Course, args: argparse.Namespace) -> int:
    from hocso.reports import feedback

    ids = course.require([args.assignment])
    pages = feedback.generate(course, ids[0], Path(args.out) if args.out else None)
    where = pages[0].parents[2] if pages else "feedback/"
    print(f"✅ Đã tạo {len(pages)} trang nhận xét cho bài {ids[0]} trong {where}.")
    return 0


def _report(course: Course, args: argparse.Namespace) -> int:
    from hocso.reports import export

    out = Path(args.out) if args.out else course.root / "bao_cao"
    files = export.write(course, out)
    print(f"✅ Đã xuất báo cáo vào {out}: " + ", ".join(p.name for p in files) + ".")
    return 0


def _certificates(course: Course, args: argparse.Namespace) -> int:
    from hocso.reports import certificates

    out = Path(args.out) if args.out else course.root / "chung_nhan"
    result = certificates.write(course, out)
    print(
        f"✅ {len(result.awarded)} học viên đạt, {len(result.not_yet)} chưa đạt "
        f"(ngưỡng {result.threshold:.0%}). Giấy chứng nhận và danh sách khen thưởng: {out}."
    )
    return 0


def _demo(course: Course, args: argparse.Namespace) -> int:
    from hocso.term import demo

    out = Path(args.out) if args.out else Path("hocso_demo")
    index = demo.run(course, out, learners=args.learners, modules=args.modules)
    print(f"✅ Lớp mẫu đã sẵn sàng. Mở {index} trong trình duyệt.")
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("roster", help="danh sách học viên của lớp")
    roster_sub = p.add_subparsers(dest="roster_command", metavar="VIỆC", required=True)
    q = roster_sub.add_parser(
        "import", help="nhập học viên từ tệp CSV hoặc Excel vào sổ điểm nbgrader"
    )
    q.add_argument(
        "file",
        metavar="TỆP",
        help="cột: ma_hoc_vien, ho_ten, don_vi, xa, doi_tuong, email (không bắt buộc)",
    )
    q.set_defaults(run=_roster)

    p = sub.add_parser("collect", help="nhận bài nộp qua USB hoặc tin nhắn (thư mục hoặc tệp zip)")
    p.add_argument("assignment", metavar="BÀI", help="mã bài, ví dụ bai01")
    p.add_argument("path", metavar="ĐƯỜNG_DẪN", help="thư mục hoặc tệp .zip chứa các tệp .ipynb")
    p.add_argument("--force", action="store_true", help="thay bài đã có (bài cũ vẫn được lưu lại)")
    p.set_defaults(run=_collect)

    p = sub.add_parser("feedback", help="trang nhận xét tiếng Việt cho từng học viên")
    p.add_argument("assignment", metavar="BÀI", help="mã bài, ví dụ bai01")
    p.add_argument("--out", metavar="THƯ_MỤC", help="mặc định: feedback/ của khóa học")
    p.set_defaults(run=_feedback)

    p = sub.add_parser("report", help="báo cáo CSV và Excel theo học viên, năng lực, đơn vị")
    p.add_argument("--out", metavar="THƯ_MỤC", help="mặc định: bao_cao/")
    p.set_defaults(run=_report)

    p = sub.add_parser("certificates", help="giấy chứng nhận PDF và danh sách khen thưởng")
    p.add_argument("--out", metavar="THƯ_MỤC", help="mặc định: chung_nhan/")
    p.set_defaults(run=_certificates)

    p = sub.add_parser("demo", help="chạy thử cả học kỳ trên một lớp giả lập")
    p.add_argument("--out", metavar="THƯ_MỤC", help="mặc định: hocso_demo/")
    p.add_argument(
        "--learners", type=int, default=120, help="số học viên giả lập (mặc định 120, 6 đơn vị)"
    )
    p.add_argument(
        "--modules",
        nargs="+",
        default=["bai01", "bai02"],
        metavar="BÀI",
        help="các bài dùng trong lớp mẫu (mặc định: bai01 bai02)",
    )
    p.set_defaults(run=_demo)

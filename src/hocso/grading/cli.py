"""``hocso grade``: progress bar, summary table and exit code around :func:`grader.grade`."""

from __future__ import annotations

import argparse
import sys
import time

from tqdm import tqdm

from hocso.course import Course
from hocso.grading import grader, warm


def _grade(course: Course, args: argparse.Namespace) -> int:
    started = time.monotonic()
    bar: tqdm | None = None
    done: list[grader.Outcome] = []

    def on_start(to_grade: int, skipped: int, isolation_problem: str) -> None:
        nonlocal bar
        if isolation_problem:
            if isolation_problem == warm.ISOLATION_DISABLED:
                why = "cách ly đã bị tắt trong nbgrader_config.py (c.Grader.isolate = False)"
                fix = "bật lại cách ly"
            else:
                why = (
                    f"máy này không cho tạo không gian tên (namespace) Linux ({isolation_problem})"
                )
                fix = "chạy lệnh với quyền root"
            print(
                f"⚠️  CẢNH BÁO: {why}. Bài làm sẽ chạy KHÔNG bị chặn mạng và CÓ THỂ đọc "
                "các tệp khác trên máy (kể cả test ẩn). Chỉ chấm bài của người tin cậy, hoặc "
                f"{fix}.",
                file=sys.stderr,
                flush=True,
            )
        if skipped:
            print(f"Bỏ qua {skipped} bài đã chấm (dùng --force để chấm lại).")
        if to_grade:
            bar = tqdm(total=to_grade, desc=f"Chấm {args.assignment}", unit=" bài", ncols=90)

    try:
        for outcome in grader.grade(
            course,
            args.assignment,
            students=args.student,
            workers=args.workers,
            force=args.force,
            on_start=on_start,
        ):
            done.append(outcome)
            if bar is not None and not outcome.skipped:
                bar.update(1)
                if outcome.error:
                    bar.write(f"❌ {outcome.student}: {outcome.error}")
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        print(
            f"\n⏹  Đã dừng sau {len(done)} bài. Chạy lại cùng lệnh để chấm tiếp: "
            "bài đã chấm xong không bị chấm lại.",
            file=sys.stderr,
        )
        return 130
    if bar is not None:
        bar.close()
    graded = [o for o in done if not o.skipped and not o.error]
    failed = [o for o in done if o.error]
    skipped = [o for o in done if o.skipped]
    elapsed = time.monotonic() - started
    timed = graded + failed
    slowest = max(timed, key=lambda o: o.seconds) if timed else None
    rows = [
        ("Đã chấm", str(len(graded))),
        ("Đã chấm từ trước (bỏ qua)", str(len(skipped))),
        ("Lỗi", str(len(failed))),
        ("Thời gian", f"{elapsed:.1f} giây"),
    ]
    if timed:
        rows.append(
            ("Trung bình mỗi bài", f"{sum(o.seconds for o in timed) / len(timed):.2f} giây")
        )
    if slowest:
        rows.append(("Chậm nhất", f"{slowest.student} ({slowest.seconds:.1f} giây)"))
    width = max(len(label) for label, _ in rows)
    print(f"\nKết quả chấm bài {args.assignment}:")
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
    if failed:
        print(
            "\nCác bài chưa chấm được (chạy lại lệnh sau khi sửa; bài đã chấm không bị chấm lại):"
        )
        for outcome in failed:
            print(f"  - {outcome.student}: {outcome.error}")
        return 1
    print("✅ Mọi bài đã được chấm; điểm nằm trong sổ điểm của nbgrader (gradebook).")
    return 0


def add_commands(subparsers) -> None:
    p = subparsers.add_parser(
        "grade", help="chấm tự động mọi bài nộp của một bài, nhanh và an toàn (thay autograde)"
    )
    p.add_argument("assignment", metavar="BÀI", help="mã bài, ví dụ bai01")
    p.add_argument(
        "--student",
        action="append",
        metavar="HỌC_VIÊN",
        help="chỉ chấm bài của học viên này (dùng nhiều lần được)",
    )
    p.add_argument(
        "--workers", type=int, metavar="N", help="số bài chấm cùng lúc (mặc định: số lõi CPU)"
    )
    p.add_argument("--force", action="store_true", help="chấm lại cả những bài đã chấm")
    p.set_defaults(run=_grade)

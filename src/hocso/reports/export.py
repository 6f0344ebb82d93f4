"""``hocso report``: the term's results as CSV files and one Excel workbook, in Vietnamese.

Sheets (and the CSV file of each): learners (``hoc_vien``), assignments (``bai``), items
(``cau_hoi``), competences (``nang_luc``), units (``don_vi``), communes (``xa``) and a
summary (``tong_hop``) to send upward. Scores are the gradebook's own, unrounded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from hocso.course import Course, CourseError
from hocso.reports.results import Results, cronbach_alpha, item_statistics, load

WORKBOOK = "bao_cao.xlsx"
#: CSV file name -> Excel sheet title.
SHEETS = {
    "hoc_vien": "Học viên",
    "bai": "Bài",
    "cau_hoi": "Câu hỏi",
    "nang_luc": "Năng lực",
    "don_vi": "Đơn vị",
    "xa": "Xã",
    "tong_hop": "Tổng hợp",
}


def _pct(value: float) -> float:
    return round(100 * float(value), 1) if pd.notna(value) else float("nan")


def learners_sheet(r: Results) -> pd.DataFrame:
    scores = r.scores()
    maxima = r.max_scores()
    completion = r.completion()
    mastery = r.mastery("id")
    rows = []
    for _, learner in r.learners.iterrows():
        required = r.required_for(learner["audience"])
        row = {
            "Mã học viên": learner["id"],
            "Họ tên": learner["full_name"],
            "Đơn vị": learner["unit"],
            "Xã": learner["commune"],
            "Đối tượng": learner["audience"],
            "Email": learner["email"],
        }
        for a in r.assignments:
            row[f"{a} (điểm)"] = scores.at[learner["id"], a]
        earned = sum(
            scores.at[learner["id"], a] for a in required if pd.notna(scores.at[learner["id"], a])
        )
        possible = sum(maxima.get(a, 0) for a in required)
        row["Điểm các bài bắt buộc"] = earned
        row["Điểm tối đa"] = possible
        row["Tỉ lệ điểm (%)"] = _pct(earned / possible) if possible else float("nan")
        row["Số bài đã nộp"] = int(sum(pd.notna(scores.at[learner["id"], a]) for a in required))
        row["Số bài bắt buộc"] = len(required)
        row["Hoàn thành (%)"] = _pct(completion[learner["id"]])
        for code in mastery.columns:
            value = mastery.at[learner["id"], code] if learner["id"] in mastery.index else None
            row[f"Năng lực {code} (%)"] = _pct(value) if value is not None else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def assignments_sheet(r: Results) -> pd.DataFrame:
    scores = r.scores()
    maxima = r.max_scores()
    rows = []
    for a in r.assignments:
        expected = r.required_learners(a)
        got = scores[a].dropna()
        waiting = r.grades[(r.grades["assignment"] == a) & r.grades["needs_manual_grade"]]
        rows.append(
            {
                "Bài": a,
                "Tên bài": r.titles[a],
                "Điểm tối đa": maxima.get(a, 0.0),
                "Học viên phải làm": len(expected),
                "Số bài đã nộp": int(got.size),
                "Tỉ lệ nộp (%)": _pct(scores.loc[expected, a].notna().mean())
                if expected
                else float("nan"),
                "Điểm trung bình": float(got.mean()) if got.size else float("nan"),
                "Điểm trung vị": float(got.median()) if got.size else float("nan"),
                "Tỉ lệ điểm trung bình (%)": _pct(got.mean() / maxima[a])
                if got.size and maxima.get(a)
                else float("nan"),
                "Độ tin cậy (Cronbach alpha)": round(cronbach_alpha(r.item_matrix(a)), 3),
                "Câu viết chờ chấm": int(len(waiting)),
            }
        )
    return pd.DataFrame(rows)


def items_sheet(r: Results) -> pd.DataFrame:
    stats = item_statistics(r).set_index(["assignment", "item"])
    rows = []
    for _, item in r.items.iterrows():
        key = (item["assignment"], item["item"])
        found = key in stats.index
        rows.append(
            {
                "Bài": item["assignment"],
                "Mã câu": item["item"],
                "Câu hỏi": item["question"],
                "Loại": "viết, chấm tay" if item["manual"] else "chấm tự động",
                "Năng lực": ", ".join(item["competences"]),
                "Điểm tối đa": item["points"],
                "Số bài chấm": int(stats.at[key, "n"]) if found else 0,
                "Độ dễ (0-1)": round(stats.at[key, "difficulty"], 3) if found else float("nan"),
                "Độ phân biệt": round(stats.at[key, "discrimination"], 3)
                if found
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def competences_sheet(r: Results) -> pd.DataFrame:
    tagged = r.items.explode("competences").dropna(subset=["competences"])
    overall = r.competence_points().groupby("code")[["score", "max_score"]].sum()
    learner_mastery = r.mastery("id")
    rows = []
    for code in sorted(tagged["competences"].unique(), key=lambda c: tuple(map(int, c.split(".")))):
        mine = tagged[tagged["competences"] == code]
        reached = (
            learner_mastery[code].dropna() if code in learner_mastery else pd.Series(dtype=float)
        )
        rows.append(
            {
                "Mã năng lực": code,
                "Tên năng lực": r.competence_names.get(code, ""),
                "Số câu": len(mine),
                "Tổng điểm các câu": float(mine["points"].sum()),
                "Mức thành thạo chung (%)": _pct(
                    overall.at[code, "score"] / overall.at[code, "max_score"]
                )
                if code in overall.index and overall.at[code, "max_score"]
                else float("nan"),
                "Học viên đạt từ 70% (%)": _pct((reached >= 0.7).mean())
                if len(reached)
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def groups_sheet(r: Results, by: str, title: str) -> pd.DataFrame:
    """Completion and mastery per unit or commune."""
    completion = r.completion()
    submitted = r.submitted()
    mastery = r.mastery(by)
    rows = []
    for name, members in r.learners.groupby(by, sort=True):
        ids = list(members["id"])
        row = {
            title: name,
            "Số học viên": len(ids),
            "Hoàn thành tất cả bài bắt buộc": int((completion[ids] >= 1).sum()),
            "Tỉ lệ hoàn thành (%)": _pct((completion[ids] >= 1).mean()),
            "Mức hoàn thành trung bình (%)": _pct(completion[ids].mean()),
        }
        for a in r.assignments:
            row[f"Đã nộp {a}"] = int(submitted.loc[ids, a].sum())
        for code in mastery.columns:
            row[f"Năng lực {code} (%)"] = (
                _pct(mastery.at[name, code]) if name in mastery.index else float("nan")
            )
        rows.append(row)
    return pd.DataFrame(rows)


def summary_sheet(r: Results, course: Course) -> pd.DataFrame:
    scores = r.scores()
    completion = r.completion()
    waiting = int(r.grades["needs_manual_grade"].sum())
    facts = [
        ("Khóa học", "hocso: Bình dân học vụ số"),
        ("Ngày lập báo cáo", dt.date.today().strftime("%d/%m/%Y")),
        ("Số học viên", len(r.learners)),
        ("Số đơn vị", r.learners["unit"].nunique()),
        ("Số xã", r.learners["commune"].nunique()),
        ("Số bài đã phát", len(r.assignments)),
        ("Số bài nộp đã chấm", int(scores.notna().sum().sum())),
        ("Học viên hoàn thành tất cả bài bắt buộc", int((completion >= 1).sum())),
        ("Tỉ lệ hoàn thành (%)", _pct((completion >= 1).mean()) if len(completion) else 0.0),
        ("Câu viết chờ giảng viên chấm", waiting),
    ]
    maxima = r.max_scores()
    for a in r.assignments:
        got = scores[a].dropna()
        mean = _pct(got.mean() / maxima[a]) if got.size and maxima.get(a) else float("nan")
        facts.append((f"Điểm trung bình {a} (%)", mean))
    return pd.DataFrame(facts, columns=["Chỉ số", "Giá trị"])


def build(course: Course) -> dict[str, pd.DataFrame]:
    """Every sheet of the report, keyed by its CSV name."""
    r = load(course)
    if r.learners.empty:
        raise CourseError("Sổ điểm chưa có học viên nào: chạy `hocso roster import TỆP` trước.")
    return {
        "hoc_vien": learners_sheet(r),
        "bai": assignments_sheet(r),
        "cau_hoi": items_sheet(r),
        "nang_luc": competences_sheet(r),
        "don_vi": groups_sheet(r, "unit", "Đơn vị"),
        "xa": groups_sheet(r, "commune", "Xã"),
        "tong_hop": summary_sheet(r, course),
    }


def write(course: Course, out: Path) -> list[Path]:
    """Write one CSV per sheet and ``bao_cao.xlsx``; return the files written."""
    sheets = build(course)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in sheets.items():
        path = out / f"{name}.csv"
        # utf-8-sig: Excel on Windows then opens the CSV with its Vietnamese intact.
        frame.to_csv(path, index=False, encoding="utf-8-sig")
        written.append(path)
    workbook = out / WORKBOOK
    with pd.ExcelWriter(workbook, engine="openpyxl") as writer:
        for name in ("tong_hop", *[n for n in sheets if n != "tong_hop"]):
            frame = sheets[name]
            frame.to_excel(writer, sheet_name=SHEETS[name], index=False)
            sheet = writer.sheets[SHEETS[name]]
            sheet.freeze_panes = "B2"
            for column in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    written.append(workbook)
    return written

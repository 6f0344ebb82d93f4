"""Instructor dashboard (app ``bang_dieu_khien_lop``): completion and scores from the gradebook.

It reads the course through :func:`hocso.reports.results.load` (nbgrader's gradebook, the
roster's unit, commune and audience, the curriculum's required modules), so its numbers are
the ones the reports print. Filters narrow to one unit or one audience.
"""

from __future__ import annotations

import io
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from hocso.apps.nang_luc import course_root
from hocso.apps.ui import esc, full_width, heading, note, page
from hocso.course import Course

__all__ = ["ALL", "app", "gradebook_missing", "module_table", "render_table"]

#: The filter value that keeps everyone.
ALL = "Tất cả"
COLUMNS = ["Mã bài", "Bài", "Phải học", "Đã nộp", "Hoàn thành (%)", "Điểm trung bình (%)"]


def gradebook_missing(course: Course) -> str | None:
    """A Vietnamese message when the course has no gradebook yet, else ``None``."""
    from hocso.reports.gradebook import db_url

    url = db_url(course)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path = path if path.is_absolute() else course.root / path
        if not path.is_file():
            return (
                f"Chưa có sổ điểm ({esc(path.name)}) trong thư mục khóa học. Sổ điểm được tạo khi "
                "giảng viên phát bài và chấm bài lần đầu (<code>hocso release</code>, "
                "<code>nbgrader collect</code>, <code>hocso grade</code>). Khi đã có bài được "
                "chấm, hãy mở lại trang này."
            )
    return None


def module_table(results, unit: str = ALL, audience: str = ALL) -> pd.DataFrame:
    """Per module: learners who must take it, submissions, completion and mean score (%).

    Only learners of the chosen unit and audience count; a learner must take a module when
    the curriculum lists it for their audience. The mean score is over submissions.
    """
    learners = results.learners
    if unit != ALL:
        learners = learners[learners["unit"] == unit]
    if audience != ALL:
        learners = learners[learners["audience"] == audience]
    scores = results.scores()
    maxima = results.max_scores()
    rows = []
    for assignment in results.assignments:
        required = results.required_learners(assignment, learners)
        submitted = [lid for lid in required if pd.notna(scores.at[lid, assignment])]
        mean = (
            100 * scores.loc[submitted, assignment].mean() / maxima[assignment]
            if submitted and maxima.get(assignment)
            else float("nan")
        )
        rows.append(
            [
                assignment,
                results.titles.get(assignment, assignment),
                len(required),
                len(submitted),
                round(100 * len(submitted) / len(required), 1) if required else float("nan"),
                round(mean, 1),
            ]
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def render_table(table: pd.DataFrame) -> str:
    """The table as HTML that scrolls sideways on a phone instead of overflowing."""
    shown = table.fillna("–")
    return (
        "<div style='overflow-x:auto'>"
        + shown.to_html(index=False, border=0, classes="hocso-table", escape=True)
        + "</div><style>.hocso-table{border-collapse:collapse}.hocso-table td,"
        ".hocso-table th{padding:4px 8px;border-bottom:1px solid #ccd;text-align:left}</style>"
    )


def chart_png(table: pd.DataFrame) -> bytes:
    """Completion and mean score per module, side by side bars, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.4), dpi=90)
    ax = fig.add_subplot()
    positions = range(len(table))
    ax.bar([p - 0.2 for p in positions], table["Hoàn thành (%)"].fillna(0), 0.4, label="Hoàn thành")
    ax.bar(
        [p + 0.2 for p in positions], table["Điểm trung bình (%)"].fillna(0), 0.4, label="Điểm TB"
    )
    ax.set_xticks(list(positions))
    ax.set_xticklabels(table["Mã bài"], rotation=0, fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def app(root: Path | None = None) -> widgets.VBox:
    """The dashboard, or a clear message when there is no gradebook or nothing graded yet."""
    course = Course.open(root or course_root())
    title = heading(
        "Bảng điều khiển lớp học",
        "Tỷ lệ hoàn thành và điểm trung bình của từng bài, đọc từ sổ điểm nbgrader của khóa "
        "học. Chọn đơn vị hoặc nhóm học viên để lọc.",
    )
    missing = gradebook_missing(course)
    if missing:
        return page(title, widgets.HTML(note(missing, "warn"), layout=full_width()))
    from hocso.reports import results as results_module

    results = results_module.load(course)
    if not results.assignments or results.learners.empty:
        return page(
            title,
            widgets.HTML(
                note(
                    "Sổ điểm chưa có học viên hoặc bài nào được chấm. Khi có bài nộp đã chấm, "
                    "hãy mở lại trang này.",
                    "warn",
                ),
                layout=full_width(),
            ),
        )
    style = {"description_width": "initial"}
    unit = widgets.Dropdown(
        options=[ALL, *sorted(results.learners["unit"].unique())],
        description="Đơn vị:",
        style=style,
        layout=full_width(),
    )
    audience = widgets.Dropdown(
        options=[ALL, *sorted(results.learners["audience"].unique())],
        description="Nhóm học viên:",
        style=style,
        layout=full_width(),
    )
    table = widgets.HTML(layout=full_width())
    chart = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="560px"))
    count = widgets.HTML(layout=full_width())

    def refresh(_=None):
        frame = module_table(results, unit.value, audience.value)
        chosen = results.learners
        if unit.value != ALL:
            chosen = chosen[chosen["unit"] == unit.value]
        if audience.value != ALL:
            chosen = chosen[chosen["audience"] == audience.value]
        count.value = f"<p>{len(chosen)} học viên được chọn.</p>"
        table.value = render_table(frame)
        chart.value = chart_png(frame)

    unit.observe(refresh, names="value")
    audience.observe(refresh, names="value")
    refresh()
    return page(title, unit, audience, count, table, chart)

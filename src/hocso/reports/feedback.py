"""A Vietnamese feedback page per learner: score per item, what failed and the hint, comments.

Everything comes from the gradebook (scores, formgrader comments) and from the learner's
autograded notebook (the one-line ``AnswerError`` message a failed check printed). The
question of each item is the first line of its cell in ``release/``, which the learner
already has, so the code of hidden tests is never read, let alone shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat

from hocso import curriculum
from hocso.course import Course, CourseError
from hocso.reports.gradebook import open_gradebook, require_gradebook, source_items
from hocso.term import roster

PAGE_NAME = "nhan_xet.html"
HINT_MARK = "💡 Gợi ý:"


@dataclass
class ItemFeedback:
    item: str
    question: str
    score: float
    max_score: float
    manual: bool
    waiting: bool  # a written answer the instructor has not graded yet
    problem: str = ""
    hint: str = ""
    comment: str = ""

    @property
    def passed(self) -> bool:
        return not self.waiting and self.score >= self.max_score


@dataclass
class LearnerFeedback:
    student: str
    full_name: str
    assignment: str
    title: str
    score: float
    max_score: float
    timestamp: str
    items: list[ItemFeedback] = field(default_factory=list)


def split_hint(message: str) -> tuple[str, str]:
    """Split an AnswerError message into what is wrong and the hint.

    >>> split_hint("Câu trả lời `x` chưa đúng: sai.\\n💡 Gợi ý: thử lại.")
    ('Câu trả lời `x` chưa đúng: sai.', 'thử lại.')
    """
    problem, _, hint = message.partition(HINT_MARK)
    return problem.strip(), hint.strip()


def _release_questions(course: Course, assignment_id: str) -> dict[str, str]:
    """The first line of each graded cell in the learner's own copy (release/)."""
    questions = {}
    for path in sorted((course.release_dir / assignment_id).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        previous = ""
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            first = first.strip().strip('"').strip("#").strip()
            if meta.get("grade"):
                # A written answer's own cell holds only the stub: its question is just above.
                questions[meta["grade_id"]] = previous if meta.get("solution") else first
            previous = first
    return questions


def _failures(path: Path) -> dict[str, str]:
    """The error each graded cell of an autograded notebook raised (grade id -> message)."""
    if not path.is_file():
        return {}
    nb = nbformat.read(path, as_version=4)
    failures = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []):
            if grade_id and output.get("output_type") == "error":
                if output.get("ename") == "AnswerError":
                    failures[grade_id] = output.get("evalue", "")
                else:
                    # Any other error means the answer cell did not run as it should.
                    failures[grade_id] = (
                        f"ô trả lời gây lỗi {output.get('ename')}: {output.get('evalue', '')}"
                    )
    return failures


def collect_feedback(course: Course, assignment_id: str) -> list[LearnerFeedback]:
    """What each learner who submitted ``assignment_id`` should read, from the gradebook."""
    require_gradebook(course)
    questions = _release_questions(course, assignment_id)
    manual = {i.item for i in source_items(course, assignment_id) if i.manual}
    modules = curriculum.load(course.curriculum_dir).modules
    title = modules[assignment_id].title if assignment_id in modules else assignment_id
    names = dict(zip(*(roster.load(course)[c] for c in ("id", "full_name")), strict=True))
    pages = []
    with open_gradebook(course) as gb:
        try:
            assignment = gb.find_assignment(assignment_id)
        except Exception as exc:  # nbgrader's MissingEntry
            raise CourseError(
                f"Sổ điểm chưa có bài {assignment_id}: hãy phát bài và chấm bài trước."
            ) from exc
        for sub in sorted(assignment.submissions, key=lambda s: s.student_id):
            page = LearnerFeedback(
                sub.student_id,
                names.get(sub.student_id, sub.student_id),
                assignment_id,
                title,
                float(sub.score),
                float(sub.max_score),
                str(sub.timestamp or ""),
            )
            for snb in sub.notebooks:
                failures = _failures(
                    course.root
                    / "autograded"
                    / sub.student_id
                    / assignment_id
                    / f"{snb.name}.ipynb"
                )
                comments = {c.name: (c.comment or "") for c in snb.comments}
                for grade in snb.grades:
                    problem, hint = split_hint(failures.get(grade.name, ""))
                    page.items.append(
                        ItemFeedback(
                            grade.name,
                            questions.get(grade.name, grade.name),
                            float(grade.score),
                            float(grade.max_score),
                            grade.name in manual,
                            bool(grade.needs_manual_grade),
                            problem,
                            hint,
                            comments.get(grade.name, "").strip(),
                        )
                    )
            order = list(questions)
            page.items.sort(key=lambda i: order.index(i.item) if i.item in order else len(order))
            pages.append(page)
    return pages


TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nhận xét bài {{ p.assignment }}: {{ p.full_name }}</title>
<style>
body { font-family: "Segoe UI", Roboto, "Noto Sans", sans-serif; max-width: 52rem;
       margin: 1.5rem auto; padding: 0 1rem; line-height: 1.5; color: #1b1b1b; }
h1 { font-size: 1.4rem; } .tong { font-size: 1.2rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .5rem; text-align: left; vertical-align: top; }
.dat { color: #17692e; } .chua { color: #a4161a; } .cho { color: #8a5a00; }
.goi-y { background: #fff7d6; padding: .2rem .4rem; border-radius: .3rem; }
.nhan-xet { background: #e8f1ff; padding: .2rem .4rem; border-radius: .3rem; }
</style>
</head>
<body>
<h1>{{ p.title }} ({{ p.assignment }})</h1>
<p>Học viên: <strong>{{ p.full_name }}</strong> (mã {{ p.student }})
{% if p.timestamp %}· nộp lúc {{ p.timestamp }}{% endif %}</p>
<p class="tong">Điểm: {{ fmt(p.score) }} / {{ fmt(p.max_score) }}</p>
<table>
<thead><tr><th>Câu</th><th>Điểm</th><th>Nhận xét</th></tr></thead>
<tbody>
{% for i in p.items %}
<tr>
<td>{{ i.question }}</td>
<td>{{ fmt(i.score) }} / {{ fmt(i.max_score) }}</td>
<td>
{% if i.waiting %}<span class="cho">⏳ Câu trả lời viết: đang chờ giảng viên chấm.</span>
{% elif i.passed %}<span class="dat">✅ Đạt.</span>
{% elif i.manual %}<span class="chua">Câu trả lời viết, giảng viên đã chấm.</span>
{% else %}<span class="chua">❌ {{ i.problem or "Chưa trả lời hoặc chưa đúng." }}</span>
{% if i.hint %}<br><span class="goi-y">💡 Gợi ý: {{ i.hint }}</span>{% endif %}
{% endif %}
{% if i.comment %}<br><span class="nhan-xet">💬 Giảng viên: {{ i.comment }}</span>{% endif %}
</td>
</tr>
{% endfor %}
</tbody>
</table>
<p>Trang này được tạo lúc {{ made }} từ sổ điểm của khóa học.
Xem lại bài học, sửa các câu chưa đạt trong notebook của bạn rồi hỏi giảng viên nếu cần.</p>
</body>
</html>
"""
)


def fmt(number: float) -> str:
    """A score as Vietnamese write it: no needless decimals, a decimal comma.

    >>> fmt(2.0), fmt(1.5)
    ('2', '1,5')
    """
    return f"{number:g}".replace(".", ",")


def render(page: LearnerFeedback) -> str:
    made = dt.datetime.now().strftime("%d/%m/%Y %H:%M")
    return TEMPLATE.render(p=page, fmt=fmt, made=made)


def generate(course: Course, assignment_id: str, out: Path | None = None) -> list[Path]:
    """Write ``<out>/<learner>/<assignment>/nhan_xet.html`` for every submission.

    By default ``out`` is the course's ``feedback/``, beside nbgrader's own feedback, so
    ``nbgrader release_feedback`` hands the page to learners through the exchange.
    """
    out = Path(out) if out else course.root / "feedback"
    written = []
    for page in collect_feedback(course, assignment_id):
        target = out / page.student / assignment_id / PAGE_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(page), encoding="utf-8")
        written.append(target)
    return written

"""Digital-competence self-assessment (app ``tu_danh_gia_nang_luc_so``) over Circular 02.

Two statements per domain of ``curriculum/competences.yaml``, each answered on a four-step
scale; the result is a radar chart of the six domains and the course modules
(``curriculum/modules/``) that teach the competences of the weaker domains. A self-assessment
guides what to learn next: it is not a test and grades nobody.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets

from hocso import curriculum
from hocso.apps.ui import card, esc, full_width, heading, note, page
from hocso.course import CourseError

__all__ = [
    "LEVELS",
    "STATEMENTS",
    "Statement",
    "app",
    "course_root",
    "domain_scores",
    "radar_png",
    "suggest_modules",
]

#: The answer scale, from 0 to 3.
LEVELS = (
    "Chưa làm được",
    "Làm được nếu có người giúp",
    "Tự làm được",
    "Hướng dẫn được người khác",
)
#: A domain scoring below this share of the maximum is a gap to fill.
GAP_THRESHOLD = 2 / 3


@dataclass(frozen=True)
class Statement:
    """An "I can ..." statement about one competence of Circular 02."""

    key: str
    competence: str
    text: str

    @property
    def domain(self) -> str:
        return self.competence.split(".")[0]


STATEMENTS = (
    Statement("tim_kiem", "1.1", "Tìm được thông tin mình cần trên mạng bằng từ khóa phù hợp."),
    Statement("danh_gia_tin", "1.2", "Phân biệt được tin thật với tin giả, quảng cáo trá hình."),
    Statement(
        "nhan_tin", "2.1", "Nhắn tin, gọi video, gửi ảnh và tệp cho người khác qua điện thoại."
    ),
    Statement(
        "dich_vu_cong",
        "2.3",
        "Tra cứu hoặc nộp hồ sơ một thủ tục hành chính trên mạng (dịch vụ công trực tuyến).",
    ),
    Statement("soan_van_ban", "3.1", "Soạn một văn bản, chụp và chỉnh một bức ảnh để gửi đi."),
    Statement(
        "ban_quyen",
        "3.3",
        "Biết khi nào được dùng lại ảnh, bài viết của người khác và cách ghi nguồn.",
    ),
    Statement(
        "mat_khau", "4.1", "Đặt mật khẩu mạnh, khóa màn hình, cập nhật phần mềm cho thiết bị."
    ),
    Statement("lua_dao", "4.2", "Nhận ra tin nhắn, cuộc gọi lừa đảo và không đưa mã OTP cho ai."),
    Statement(
        "su_co", "5.1", "Tự xử lý được sự cố thường gặp: mất mạng, đầy bộ nhớ, ứng dụng bị treo."
    ),
    Statement("tu_hoc", "5.4", "Biết mình còn thiếu kỹ năng số nào và tự tìm cách học thêm."),
    Statement("hieu_ai", "6.1", "Hiểu trí tuệ nhân tạo (AI) làm được gì và có thể sai ở đâu."),
    Statement(
        "dung_ai",
        "6.2",
        "Dùng công cụ AI (trợ lý trò chuyện) có trách nhiệm: kiểm tra lại, không đưa dữ liệu "
        "riêng tư.",
    ),
)


def course_root() -> Path:
    """The course folder: ``$HOCSO_COURSE`` (set by ``hocso serve``), else the nearest parent
    of the working folder that has ``curriculum/``."""
    if os.environ.get("HOCSO_COURSE"):
        return Path(os.environ["HOCSO_COURSE"])
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "curriculum").is_dir():
            return folder
    raise CourseError(f"Không tìm thấy thư mục curriculum/ từ {here} trở lên.")


def domain_scores(answers: dict[str, int], statements=STATEMENTS) -> dict[str, float]:
    """Each domain's share of the maximum (0 to 1), averaged over its answered statements.

    >>> domain_scores({"tim_kiem": 3, "danh_gia_tin": 0})["1"]
    0.5
    """
    totals: dict[str, list[int]] = {}
    for statement in statements:
        if statement.key in answers:
            totals.setdefault(statement.domain, []).append(answers[statement.key])
    top = len(LEVELS) - 1
    return {d: sum(v) / (top * len(v)) for d, v in sorted(totals.items())}


def suggest_modules(
    course: curriculum.Curriculum, scores: dict[str, float], threshold: float = GAP_THRESHOLD
) -> list[tuple[curriculum.Module, list[str]]]:
    """Modules teaching competences of the domains below ``threshold``, those covering the
    weakest domains first, each with the gap competences it covers."""
    gaps = {d for d, s in scores.items() if s < threshold}
    found = []
    for module in course.modules.values():
        covered = [c for c in module.competences if c.split(".")[0] in gaps]
        if covered:
            weakest = min(scores[c.split(".")[0]] for c in covered)
            found.append((weakest, -len(covered), module.id, module, covered))
    return [(module, covered) for *_, module, covered in sorted(found, key=lambda f: f[:3])]


def radar_png(scores: dict[str, float], names: dict[str, str]) -> bytes:
    """A radar chart of the domain scores as PNG bytes, labelled with the domain names."""
    import math
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    domains = list(scores)
    angles = [2 * math.pi * i / len(domains) for i in range(len(domains))]
    values = [scores[d] * 100 for d in domains]
    fig = Figure(figsize=(5.2, 5.2), dpi=90)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(math.pi / 2)  # domain 1 at the top, then clockwise
    ax.set_theta_direction(-1)
    ax.plot([*angles, angles[0]], [*values, values[0]], color="#0b4a8b", linewidth=2)
    ax.fill([*angles, angles[0]], [*values, values[0]], color="#0b4a8b", alpha=0.25)
    ax.set_xticks(angles)
    ax.set_xticklabels(
        [f"{d}. " + "\n".join(textwrap.wrap(names.get(d, d), 16)) for d in domains], fontsize=9
    )
    ax.tick_params(axis="x", pad=14)
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100])
    ax.set_yticklabels(["25%", "50%", "75%", "100%"], fontsize=7, color="#555")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _result_html(
    scores: dict[str, float], names: dict[str, str], suggestions, course: curriculum.Curriculum
) -> str:
    rows = "".join(
        f"<li>{esc(d)}. {esc(names.get(d, d))}: <b>{round(s * 100)}%</b></li>"
        for d, s in scores.items()
    )
    parts = [card("Điểm tự đánh giá theo lĩnh vực", f"<ul>{rows}</ul>")]
    if not suggestions:
        parts.append(
            note(
                "Bạn tự đánh giá khá tốt ở cả 6 lĩnh vực. Hãy thử hướng dẫn người thân, hàng xóm: "
                "đó cũng là một cách học.",
                "ok",
            )
        )
        return "".join(parts)
    items = "".join(
        f"<li><b>{esc(m.id)}: {esc(m.title)}</b> ({m.minutes} phút), giúp ở: "
        + esc(", ".join(f"{c} {course.competences[c].name}" for c in covered))
        + "</li>"
        for m, covered in suggestions
    )
    weak = [d for d, s in scores.items() if s < GAP_THRESHOLD]
    uncovered = [
        d for d in weak if not any(c.startswith(d + ".") for _, cs in suggestions for c in cs)
    ]
    text = f"<ol>{items}</ol>"
    if uncovered:
        text += (
            "<p>Khóa học chưa có bài cho lĩnh vực "
            + esc(", ".join(f"{d}. {names.get(d, d)}" for d in uncovered))
            + "; các bài này đang được soạn.</p>"
        )
    parts.append(card("Bài học nên học tiếp", text))
    return "".join(parts)


def app(root: Path | None = None) -> widgets.VBox:
    """The questionnaire, then the radar chart and the suggested modules."""
    course = curriculum.load((root or course_root()) / "curriculum")
    names = {c.domain: c.domain_name for c in course.competences.values()}
    choices = []
    rows = []
    for number, statement in enumerate(STATEMENTS, 1):
        choice = widgets.RadioButtons(
            options=[(label, i) for i, label in enumerate(LEVELS)],
            value=None,
            layout=widgets.Layout(width="auto"),
        )
        choices.append((statement, choice))
        rows.append(
            widgets.HTML(
                f"<div style='margin-top:10px'><b>{number}.</b> Tôi "
                f"{esc(statement.text[0].lower() + statement.text[1:])} "
                f"<span style='color:#666'>(năng lực "
                f"{esc(statement.competence)})</span></div>",
                layout=full_width(),
            )
        )
        rows.append(choice)
    submit = widgets.Button(description="Xem kết quả", button_style="primary")
    message = widgets.HTML(layout=full_width())
    chart = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="460px"))
    chart.layout.display = "none"
    result = widgets.HTML(layout=full_width())

    def on_submit(_):
        answers = {s.key: c.value for s, c in choices if c.value is not None}
        missing = [str(n) for n, (s, _c) in enumerate(choices, 1) if s.key not in answers]
        if missing:
            message.value = note(
                "Bạn còn chưa chọn câu " + ", ".join(missing) + ". Hãy trả lời đủ các câu.",
                "warn",
            )
            return
        message.value = ""
        scores = domain_scores(answers)
        chart.value = radar_png(scores, names)
        chart.layout.display = None
        result.value = _result_html(scores, names, suggest_modules(course, scores), course)

    submit.on_click(on_submit)
    return page(
        heading(
            "Tự đánh giá năng lực số",
            "Với mỗi câu, chọn mức đúng với bạn nhất. Các câu theo 6 lĩnh vực của khung năng lực "
            "số (Thông tư 02/2025/TT-BGDĐT). Đây là tự đánh giá để biết nên học gì tiếp, "
            "không phải bài kiểm tra; câu trả lời không được lưu lại.",
        ),
        *rows,
        submit,
        message,
        chart,
        result,
    )

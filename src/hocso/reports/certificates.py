"""``hocso certificates``: PDF certificates of completion and each unit's top learners.

A learner is certified when they submitted every module their audience requires (the
modules of ``curriculum/modules/*.yaml`` that list the audience and were released this
term) and earned at least ``Certificates.threshold`` of those modules' points. The PDF uses
DejaVu, shipped with matplotlib, whose fonts carry every Vietnamese letter and tone mark.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import matplotlib
import pandas as pd
from fpdf import FPDF
from traitlets import Float, Int, Unicode
from traitlets.config import Configurable

from hocso.course import Course, CourseError
from hocso.reports.results import Results, load

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
LIST_CSV = "danh_sach.csv"
TOP_CSV = "khen_thuong.csv"
TOP_HTML = "khen_thuong.html"


class Certificates(Configurable):
    """Who earns a certificate, and what it says; set in ``nbgrader_config.py``."""

    threshold = Float(
        0.7,
        min=0.0,
        max=1.0,
        help="Share of the points of the modules required for the learner's audience "
        "(all of them submitted) needed for a certificate, from 0 to 1.",
    ).tag(config=True)
    top_per_unit = Int(
        3, min=0, help="How many of each unit's certified learners to list for commendation."
    ).tag(config=True)
    issuer = Unicode(
        "Khóa học hocso · Bình dân học vụ số",
        help="Who issues the certificate (a training centre, a commune's committee...).",
    ).tag(config=True)
    place = Unicode("Hà Giang", help="The place written before the date.").tag(config=True)


@dataclass
class Standing:
    id: str
    full_name: str
    unit: str
    commune: str
    audience: str
    earned: float
    possible: float
    missing: list[str]
    modules: list[tuple[str, str, float, float]]  # (id, title, score, max)

    @property
    def share(self) -> float:
        return self.earned / self.possible if self.possible else 0.0


@dataclass
class CertificateResult:
    threshold: float
    awarded: list[Standing] = field(default_factory=list)
    not_yet: list[Standing] = field(default_factory=list)
    top: dict[str, list[Standing]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def standings(r: Results) -> list[Standing]:
    """Every learner's points over the modules their audience requires."""
    scores = r.scores()
    maxima = r.max_scores()
    found = []
    for _, learner in r.learners.iterrows():
        required = r.required_for(learner["audience"])
        modules, missing = [], []
        for a in required:
            score = scores.at[learner["id"], a]
            if pd.isna(score):
                missing.append(a)
                score = 0.0
            modules.append((a, r.titles[a], float(score), float(maxima.get(a, 0.0))))
        found.append(
            Standing(
                learner["id"],
                learner["full_name"],
                learner["unit"],
                learner["commune"],
                learner["audience"],
                sum(m[2] for m in modules),
                sum(m[3] for m in modules),
                missing,
                modules,
            )
        )
    return found


def decide(r: Results, settings: Certificates) -> CertificateResult:
    """Split learners into certified and not yet, and pick each unit's top learners."""
    result = CertificateResult(settings.threshold)
    for standing in standings(r):
        certified = standing.possible > 0 and not standing.missing
        certified = certified and standing.share >= settings.threshold - 1e-9
        (result.awarded if certified else result.not_yet).append(standing)
    by_unit: dict[str, list[Standing]] = {}
    for standing in result.awarded:
        by_unit.setdefault(standing.unit, []).append(standing)
    for unit, members in sorted(by_unit.items()):
        members.sort(key=lambda s: (-s.share, s.full_name))
        result.top[unit] = members[: settings.top_per_unit]
    return result


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def render_pdf(standing: Standing, settings: Certificates, number: str, day: dt.date) -> bytes:
    """One A4 landscape certificate."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVuSerif", "B", str(FONTS / "DejaVuSerif-Bold.ttf"))
    pdf.add_font("DejaVuSerif", "I", str(FONTS / "DejaVuSerif-Italic.ttf"))
    pdf.set_title(_nfc(f"Giấy chứng nhận: {standing.full_name}"))
    pdf.add_page()
    red, gold = (165, 28, 36), (191, 144, 0)
    pdf.set_draw_color(*red)
    pdf.set_line_width(2.0)
    pdf.rect(10, 10, 277, 190)
    pdf.set_draw_color(*gold)
    pdf.set_line_width(0.6)
    pdf.rect(14, 14, 269, 182)

    def line(text, font="DejaVu", style="", size=14, color=(30, 30, 30), height=9):
        pdf.set_font(font, style, size)
        pdf.set_text_color(*color)
        pdf.set_x(20)
        pdf.multi_cell(257, height, _nfc(text), align="C")

    pdf.set_y(24)
    line(settings.issuer.upper(), style="B", size=13, color=red)
    line("Phong trào “Bình dân học vụ số”", font="DejaVuSerif", style="I", size=12)
    pdf.ln(6)
    line("GIẤY CHỨNG NHẬN", font="DejaVuSerif", style="B", size=34, color=red, height=16)
    line("HOÀN THÀNH KHÓA HỌC KỸ NĂNG SỐ", style="B", size=15, color=gold)
    pdf.ln(5)
    line("Chứng nhận học viên", size=13)
    line(standing.full_name, font="DejaVuSerif", style="B", size=28, color=(20, 40, 110), height=14)
    line(f"Đơn vị: {standing.unit} · Xã: {standing.commune}", size=12)
    pdf.ln(3)
    line(
        f"đã hoàn thành các bài học bắt buộc với {standing.share:.0%} tổng số điểm:".replace(
            ".", ","
        ),
        size=13,
    )
    for module_id, title, score, maximum in standing.modules:
        points = f"{score:g}/{maximum:g}".replace(".", ",")
        line(f"{module_id}. {title}: {points} điểm", size=12, height=7)
    pdf.set_y(168)
    pdf.set_font("DejaVu", "", 11)
    pdf.set_text_color(60, 60, 60)
    pdf.set_x(20)
    pdf.cell(120, 7, _nfc(f"Số: {number}"), align="L")
    pdf.set_x(150)
    pdf.cell(
        127,
        7,
        _nfc(f"{settings.place}, ngày {day.day} tháng {day.month} năm {day.year}"),
        align="C",
    )
    pdf.ln(8)
    pdf.set_x(150)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(127, 7, _nfc("GIẢNG VIÊN"), align="C")
    return bytes(pdf.output())


TOP_TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Danh sách đề nghị khen thưởng</title>
<style>body{font-family:"Segoe UI",Roboto,"Noto Sans",sans-serif;max-width:50rem;margin:1.5rem auto;
padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;
padding:.4rem;text-align:left}</style></head><body>
<h1>Danh sách học viên tiêu biểu đề nghị khen thưởng</h1>
<p>Ngưỡng chứng nhận: {{ pct(threshold) }} số điểm các bài bắt buộc. Đạt: {{ awarded }} học viên,
chưa đạt: {{ not_yet }}.</p>
{% for unit, members in top.items() %}
<h2>{{ unit }}</h2>
<table><tr><th>Hạng</th><th>Họ tên</th><th>Mã</th><th>Xã</th><th>Tỉ lệ điểm</th></tr>
{% for s in members %}<tr><td>{{ loop.index }}</td><td>{{ s.full_name }}</td><td>{{ s.id }}</td>
<td>{{ s.commune }}</td><td>{{ pct(s.share) }}</td></tr>{% endfor %}
</table>
{% endfor %}
</body></html>
"""
)


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%".replace(".", ",")


def write(course: Course, out: Path, day: dt.date | None = None) -> CertificateResult:
    """Write ``<out>/<learner>.pdf`` for each certified learner, the list and the top list."""
    settings = Certificates(config=course.config())
    r = load(course)
    if r.learners.empty:
        raise CourseError("Sổ điểm chưa có học viên nào: chạy `hocso roster import TỆP` trước.")
    result = decide(r, settings)
    day = day or dt.date.today()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for n, standing in enumerate(sorted(result.awarded, key=lambda s: s.id), start=1):
        path = out / f"{standing.id}.pdf"
        path.write_bytes(render_pdf(standing, settings, f"{day.year}-{n:04d}", day))
        result.files.append(path)
    rows = [
        {
            "Mã học viên": s.id,
            "Họ tên": s.full_name,
            "Đơn vị": s.unit,
            "Xã": s.commune,
            "Đối tượng": s.audience,
            "Điểm": s.earned,
            "Điểm tối đa": s.possible,
            "Tỉ lệ điểm (%)": round(100 * s.share, 1),
            "Chưa nộp": ", ".join(s.missing),
            "Được chứng nhận": "có" if s in result.awarded else "chưa",
        }
        for s in sorted(result.awarded + result.not_yet, key=lambda s: s.id)
    ]
    pd.DataFrame(rows).to_csv(out / LIST_CSV, index=False, encoding="utf-8-sig")
    top_rows = [
        {
            "Đơn vị": unit,
            "Hạng": rank,
            "Mã học viên": s.id,
            "Họ tên": s.full_name,
            "Xã": s.commune,
            "Tỉ lệ điểm (%)": round(100 * s.share, 1),
        }
        for unit, members in result.top.items()
        for rank, s in enumerate(members, start=1)
    ]
    columns = ["Đơn vị", "Hạng", "Mã học viên", "Họ tên", "Xã", "Tỉ lệ điểm (%)"]
    pd.DataFrame(top_rows, columns=columns).to_csv(out / TOP_CSV, index=False, encoding="utf-8-sig")
    (out / TOP_HTML).write_text(
        TOP_TEMPLATE.render(
            top=result.top,
            threshold=result.threshold,
            awarded=len(result.awarded),
            not_yet=len(result.not_yet),
            pct=_pct,
        ),
        encoding="utf-8",
    )
    return result

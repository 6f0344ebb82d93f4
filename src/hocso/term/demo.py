"""``hocso demo``: a whole term on a synthetic class, from the roster to the research notebooks.

The class is made up (names drawn from common Vietnamese and ethnic-minority family names,
units and communes of Hà Giang), from a fixed seed, so two runs give the same results. Each
learner answers as a real one would edit the release notebook: the model solution, a typical
wrong answer (``tests/files/answers/<id>.yaml``), or nothing at all, with a chance that grows
with the learner's skill; some learners never hand a module in. The notebooks travel the
offline path (a zip per unit, ``hocso collect``), are graded by ``hocso grade`` (nbgrader's
autograde steps, sandboxed and parallel), the written answers get a score and a comment as an
instructor would give them in formgrader, then feedback, report, certificates and the research
notebooks follow.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import math
import os
import random
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2
import nbformat
import yaml
import zmq
from tqdm import tqdm

from hocso import notebooks
from hocso.course import Course, CourseError
from hocso.grading import grader
from hocso.reports import certificates, export, feedback
from hocso.reports.gradebook import open_gradebook
from hocso.term import collect, roster

SEED = 2025
COURSE_DIR = "khoa_hoc"
SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
# (unit, commune, audience, mean skill): the skill spread makes units differ in the report.
UNITS = [
    ("UBND xã Lũng Cú", "Lũng Cú", "officials", 0.9),
    ("Trường THPT Đồng Văn", "Đồng Văn", "students", 1.2),
    ("Hội Phụ nữ xã Sủng Là", "Sủng Là", "public", -0.2),
    ("Đồn Biên phòng Lũng Cú", "Lũng Cú", "officials", 0.6),
    ("Trường PTDTBT THCS Pải Lủng", "Pải Lủng", "students", 0.3),
    ("Hội Người cao tuổi xã Mèo Vạc", "Mèo Vạc", "public", -0.7),
]
FAMILY = [
    "Nguyễn",
    "Lò",
    "Giàng",
    "Sùng",
    "Vàng",
    "Hoàng",
    "Trần",
    "Lý",
    "Thào",
    "Ma",
    "Nông",
    "Phạm",
    "Đặng",
    "Vũ",
    "Mùa",
    "Lù",
    "Hầu",
    "Chảo",
    "Triệu",
    "Bùi",
]
MIDDLE = ["Thị", "Văn", "Seo", "Mí", "Đức", "Minh", "Thị Ngọc", "Quốc", "A", "Xuân", "Hữu", "Thu"]
GIVEN = [
    "Hương",
    "Páo",
    "Dình",
    "Mỷ",
    "Chứ",
    "Lan",
    "Dế",
    "Thắng",
    "Ánh",
    "Việt",
    "Sính",
    "Tủa",
    "Mai",
    "Hùng",
    "Pó",
    "Dũng",
    "Quyên",
    "Thành",
    "Dợ",
    "Xuyến",
    "Lử",
    "Ngân",
]
COMMENTS = [
    (1.0, "Kế hoạch rõ ràng, đủ các bước. Rất tốt!"),
    (0.67, "Đã nêu được các bước chính; nên thêm cách bật xác thực hai bước."),
    (0.34, "Câu trả lời còn ngắn; hãy đọc lại phần 'Khi tài khoản bị chiếm'."),
]


@dataclass
class Member:
    id: str
    full_name: str
    unit: str
    commune: str
    audience: str
    skill: float


def _strip(source: str) -> str:
    return "\n".join(ln for ln in source.splitlines() if not SOLUTION_MARKER.match(ln))


def make_class(size: int, rng: random.Random) -> list[Member]:
    """``size`` learners spread evenly over the six units."""
    members = []
    for n in range(size):
        unit, commune, audience, mean = UNITS[n % len(UNITS)]
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        members.append(
            Member(f"hv{n + 1:03d}", name, unit, commune, audience, rng.gauss(mean, 1.0))
        )
    return members


@dataclass
class Answers:
    """What a learner can write in one module: per answer cell, the right and a wrong source."""

    release: nbformat.NotebookNode
    notebook: str
    right: dict[str, str]
    wrong: dict[str, str]
    manual: dict[str, float]  # written answers: grade id -> points
    difficulty: dict[str, float]


def load_answers(course: Course, module_id: str, rng: random.Random) -> Answers:
    source_path = course.source_notebooks(module_id)[0]
    source = notebooks.read(source_path)
    release = notebooks.read(course.release_dir / module_id / source_path.name)
    wrong_file = course.root / "tests" / "files" / "answers" / f"{module_id}.yaml"
    wrong = yaml.safe_load(wrong_file.read_text("utf-8")) if wrong_file.is_file() else {}
    right, manual = {}, {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            right[meta["grade_id"]] = _strip(cell.source)
            if meta.get("grade"):
                manual[meta["grade_id"]] = float(meta.get("points", 0))
    difficulty = {grade_id: rng.uniform(-1.5, 1.0) for grade_id in right}
    return Answers(release, source_path.name, right, wrong or {}, manual, difficulty)


def answer(member: Member, answers: Answers, rng: random.Random) -> nbformat.NotebookNode:
    """The learner's notebook: each answer right, wrong or left blank, as their skill allows."""
    nb = copy.deepcopy(answers.release)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in answers.right:
            continue
        chance = 1 / (1 + math.exp(-(member.skill - answers.difficulty[grade_id])))
        roll = rng.random()
        if roll < chance:
            cell.source = answers.right[grade_id]
        elif roll < chance + (1 - chance) * 0.7 and grade_id in answers.wrong:
            cell.source = answers.wrong[grade_id]
        # otherwise the learner left the placeholder: a blank answer
    return nb


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    local = moment.astimezone()  # a zip stores the local time of the machine that made it
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def hand_in(
    members: list[Member],
    module_id: str,
    answers: Answers,
    folder: Path,
    rng: random.Random,
    due: dt.datetime,
    other: nbformat.NotebookNode | None,
) -> list[Path]:
    """One zip per unit, as each unit's contact person sends them by chat."""
    zips = []
    for u, (unit, *_rest) in enumerate(UNITS):
        path = folder / f"{module_id}_don_vi_{u + 1}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:

            def put(name: str, text: str, when: dt.datetime) -> None:
                info = zipfile.ZipInfo(name, _zip_time(when))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text)

            for m in (m for m in members if m.unit == unit):
                if rng.random() > 0.9 + 0.02 * m.skill:  # some learners never hand in
                    continue
                nb = answer(m, answers, rng)
                when = due - dt.timedelta(hours=rng.uniform(1, 120))
                if rng.random() < 0.25:
                    # The file kept its default name: the id is written at the top instead.
                    marker = nbformat.v4.new_markdown_cell(f"Mã học viên: {m.id}")
                    nb.cells.insert(0, marker)
                    name = f"{m.id[-3:]}/{answers.notebook}"
                else:
                    name = f"{m.id}_{module_id}.ipynb"
                if rng.random() < 0.05:  # an earlier draft sent too: the newer one counts
                    put(
                        f"ban_nhap/{m.id}.ipynb",
                        nbformat.writes(answers.release),
                        when - dt.timedelta(days=1),
                    )
                put(name, nbformat.writes(nb), when)
            if u == 0:
                # What also arrives on a USB stick: a broken copy, a stray notebook, the
                # wrong module. collect reports each and keeps them in the archive.
                put("hong.ipynb", '{"cells": [', due)
                put("Untitled.ipynb", nbformat.writes(nbformat.v4.new_notebook()), due)
                if other is not None:
                    put(f"{members[0].id}_nham_bai.ipynb", nbformat.writes(other), due)
        with zipfile.ZipFile(path) as archive:
            empty = not archive.namelist()
        if empty:  # nobody of that unit handed this module in
            path.unlink()
        else:
            zips.append(path)
    return zips


def grade_written_answers(
    course: Course, module_id: str, answers: Answers, rng: random.Random
) -> int:
    """Score and comment every written answer, as an instructor does in formgrader."""
    graded = 0
    with open_gradebook(course) as gb:
        assignment = gb.find_assignment(module_id)
        for sub in assignment.submissions:
            for snb in sub.notebooks:
                comments = {c.name: c for c in snb.comments}
                for grade in snb.grades:
                    if grade.name not in answers.manual or not grade.needs_manual_grade:
                        continue
                    share, text = rng.choice(COMMENTS)
                    grade.manual_score = round(answers.manual[grade.name] * share)
                    grade.needs_manual_grade = False
                    if grade.name in comments:
                        comments[grade.name].manual_comment = text
                    graded += 1
        gb.db.commit()
    return graded


def build_course(repo: Course, target: Path, modules: list[str]) -> Course:
    """A fresh course in ``target`` with only ``modules`` (source, release, curriculum)."""
    target.mkdir(parents=True)
    shutil.copy2(repo.root / "nbgrader_config.py", target / "nbgrader_config.py")
    (target / "curriculum" / "modules").mkdir(parents=True)
    for name in ("competences.yaml", "audiences.yaml"):
        shutil.copy2(repo.curriculum_dir / name, target / "curriculum" / name)
    for module_id in modules:
        shutil.copytree(repo.source_dir / module_id, target / "source" / module_id)
        shutil.copytree(repo.release_dir / module_id, target / "release" / module_id)
        shutil.copy2(
            repo.curriculum_dir / "modules" / f"{module_id}.yaml",
            target / "curriculum" / "modules" / f"{module_id}.yaml",
        )
    answers = repo.root / "tests" / "files" / "answers"
    for module_id in modules:
        if (answers / f"{module_id}.yaml").is_file():
            (target / "tests" / "files" / "answers").mkdir(parents=True, exist_ok=True)
            shutil.copy2(answers / f"{module_id}.yaml", target / "tests/files/answers")
    return Course.open(target)


def execute_research(repo: Course, course: Course, out: Path) -> list[Path]:
    """Run notebooks/research/*.ipynb on ``course``; keep the executed notebooks and HTML."""
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for path in sorted((repo.root / "notebooks" / "research").glob("*.ipynb")):
        nb = notebooks.read(path)
        previous = os.environ.get("HOCSO_COURSE")
        os.environ["HOCSO_COURSE"] = str(course.root)  # the notebooks read it
        try:
            for attempt in range(3):
                try:
                    client = NotebookClient(
                        copy.deepcopy(nb), timeout=300, resources={"metadata": {"path": str(out)}}
                    )
                    nb_run = client.execute()
                    break
                except (zmq.ZMQError, RuntimeError):  # the kernel did not start: busy machine
                    if attempt == 2:
                        raise
            nb = nb_run
        finally:
            if previous is None:
                os.environ.pop("HOCSO_COURSE", None)
            else:
                os.environ["HOCSO_COURSE"] = previous
        notebooks.write(nb, out / path.name)
        body, _ = HTMLExporter().from_notebook_node(nb)
        page = out / f"{path.stem}.html"
        page.write_text(body, encoding="utf-8")
        pages.append(page)
    return pages


INDEX = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>hocso: lớp học mẫu</title>
<style>
body { font-family: "Segoe UI", Roboto, "Noto Sans", sans-serif; max-width: 60rem;
       margin: 1.5rem auto; padding: 0 1rem; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: .3rem; text-align: left; }
</style></head><body>
<h1>Lớp học mẫu: một học kỳ của giảng viên</h1>
<p><strong>Dữ liệu giả lập</strong>: {{ members|length }} học viên không có thật trong
{{ units }} đơn vị, tạo bằng <code>hocso demo</code>. Các bước: danh sách lớp → phát bài →
nhận bài qua USB/zip → chấm tự động bằng nbgrader → chấm câu viết → nhận xét → báo cáo →
chứng nhận → nghiên cứu.</p>
<h2>Danh sách lớp và nhận bài</h2>
<ul><li><a href="danh_sach_lop.csv">danh_sach_lop.csv</a>
(nhập bằng <code>hocso roster import</code>)</li>
{% for href, name in collected %}<li><a href="{{ href }}">{{ name }}</a></li>{% endfor %}</ul>
<h2>Báo cáo</h2>
<ul>{% for href, name in reports %}<li><a href="{{ href }}">{{ name }}</a></li>{% endfor %}</ul>
<h2>Chứng nhận và khen thưởng</h2>
<ul><li><a href="chung_nhan/{{ top }}">Danh sách đề nghị khen thưởng</a></li>
<li><a href="chung_nhan/{{ listing }}">Danh sách chứng nhận (CSV)</a></li></ul>
<h2>Nghiên cứu</h2>
<ul>{% for href, name in research %}<li><a href="{{ href }}">{{ name }}</a></li>{% endfor %}</ul>
<h2>Học viên</h2>
<table><tr><th>Mã</th><th>Họ tên</th><th>Đơn vị</th><th>Nhận xét</th><th>Chứng nhận</th></tr>
{% for m, pages, pdf in rows %}<tr>
<td>{{ m.id }}</td><td>{{ m.full_name }}</td><td>{{ m.unit }}</td>
<td>{% for href, name in pages %}<a href="{{ href }}">{{ name }}</a>
{% else %}chưa nộp bài{% endfor %}</td>
<td>{% if pdf %}<a href="{{ pdf }}">PDF</a>{% endif %}</td></tr>
{% endfor %}</table>
</body></html>
"""
)


def write_index(
    out: Path, course: Course, members: list[Member], collected: list[Path], research: list[Path]
) -> Path:
    """``index.html``: every file of the term, linked relative to ``out``."""

    def links(paths: Iterable[Path]) -> list[tuple[str, str]]:
        return [(p.relative_to(out).as_posix(), p.name) for p in paths]

    rows = []
    for m in members:
        pages = sorted((course.root / "feedback").glob(f"{m.id}/*/{feedback.PAGE_NAME}"))
        pdf = out / "chung_nhan" / f"{m.id}.pdf"
        rows.append(
            (
                m,
                [(p.relative_to(out).as_posix(), p.parent.name) for p in pages],
                pdf.relative_to(out).as_posix() if pdf.is_file() else None,
            )
        )
    report = out / "bao_cao"
    index = out / "index.html"
    index.write_text(
        INDEX.render(
            members=members,
            units=len(UNITS),
            collected=links(collected),
            reports=links(sorted(report.glob("*.xlsx")) + sorted(report.glob("*.csv"))),
            top=certificates.TOP_HTML,
            listing=certificates.LIST_CSV,
            research=links(research),
            rows=rows,
        ),
        encoding="utf-8",
    )
    return index


def run(
    repo: Course,
    out: Path,
    *,
    learners: int = 120,
    modules: list[str] | None = None,
    seed: int = SEED,
    research: bool = True,
    show_progress: bool = True,
) -> Path:
    """Run the whole term in ``out`` (which must not exist or be empty); return index.html."""
    modules = repo.require(modules or ["bai01", "bai02"])
    if learners < len(UNITS):
        raise CourseError(f"Lớp mẫu cần ít nhất {len(UNITS)} học viên (một đơn vị một người).")
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        raise CourseError(f"Thư mục {out} đã có dữ liệu: chọn một thư mục mới cho lớp mẫu.")
    rng = random.Random(seed)
    steps = tqdm(total=8, desc="Lớp mẫu", unit="bước", disable=not show_progress)

    steps.set_postfix_str("danh sách lớp")
    course = build_course(repo, out / COURSE_DIR, modules)
    members = make_class(learners, rng)
    roster_file = out / "danh_sach_lop.csv"
    with open(roster_file, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ma_hoc_vien", "ho_ten", "don_vi", "xa", "doi_tuong", "email"])
        for m in members:
            writer.writerow([m.id, m.full_name, m.unit, m.commune, m.audience, ""])
    roster.import_file(course, roster_file)
    steps.update()

    steps.set_postfix_str("phát bài")
    from hocso import release

    release.release(course, modules)
    steps.update()

    steps.set_postfix_str("học viên làm bài, nộp qua USB")
    all_answers = {m: load_answers(course, m, rng) for m in modules}
    usb = out / "usb"
    usb.mkdir()
    due = dt.datetime(2025, 10, 20, 17, 0, tzinfo=dt.UTC)
    reports = []
    for i, module_id in enumerate(modules):
        other = all_answers[modules[(i + 1) % len(modules)]].release if len(modules) > 1 else None
        zips = hand_in(members, module_id, all_answers[module_id], usb, rng, due, other)
        for path in zips:
            result = collect.collect(course, module_id, path)
            reports.append(result.archive / "bao_cao.txt")
        due += dt.timedelta(days=14)
    steps.update()

    steps.set_postfix_str("chấm tự động (hocso grade)")
    for module_id in modules:
        count = len(list((course.root / "submitted").glob(f"*/{module_id}")))
        quiet = not show_progress
        bar = tqdm(total=count, desc=f"Chấm {module_id}", unit="bài", leave=False, disable=quiet)
        failed = []
        for outcome in grader.grade(course, module_id, force=True):
            bar.update(1)
            if outcome.error:
                failed.append(f"{outcome.student}: {outcome.error}")
        bar.close()
        if failed:
            raise CourseError(f"Không chấm được bài {module_id} của: " + "; ".join(failed[:5]))
    steps.update()

    steps.set_postfix_str("chấm câu viết")
    for module_id in modules:
        grade_written_answers(course, module_id, all_answers[module_id], rng)
    steps.update()

    steps.set_postfix_str("nhận xét")
    for module_id in modules:
        feedback.generate(course, module_id)
    steps.update()

    steps.set_postfix_str("báo cáo, chứng nhận")
    export.write(course, out / "bao_cao")
    certificates.write(course, out / "chung_nhan", day=due.date())
    steps.update()

    steps.set_postfix_str("notebook nghiên cứu")
    pages = execute_research(repo, course, out / "nghien_cuu") if research else []
    steps.update()
    steps.close()
    collected = []
    for path in reports:
        target = (
            out
            / "nhan_bai"
            / f"{path.parent.parent.name}_{path.parent.name}_{len(collected) + 1}.txt"
        )
        target.parent.mkdir(exist_ok=True)
        shutil.copy2(path, target)
        collected.append(target)
    return write_index(out, course, members, collected, pages)

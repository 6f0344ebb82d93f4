"""`hocso demo` end to end: a synthetic class through the whole term, checked against nbgrader.

One small class (one learner per unit) keeps the run short; `--learners` scales it up.
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from nbgrader.api import Gradebook

from hocso.course import Course
from hocso.reports import certificates, export, research
from hocso.term import demo

from ..conftest import REPO, run, run_ok

pytestmark = pytest.mark.slow

LEARNERS = 6
MOJIBAKE = ("Ã", "áº", "á»", "\ufffd")


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "lop_mau"
    done = run_ok(
        ["hocso", "--course", str(REPO), "demo", "--out", str(out), "--learners", str(LEARNERS)],
        REPO,
    )
    return out, Course.open(out / demo.COURSE_DIR), done


def gradebook(course: Course) -> Gradebook:
    return Gradebook(f"sqlite:///{course.root / 'gradebook.db'}")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def test_does_the_demo_leave_an_index_whose_every_link_opens(term):
    out, _, done = term
    assert "index.html" in done.stdout
    parser = Links()
    parser.feed((out / "index.html").read_text("utf-8"))
    assert len(parser.hrefs) > LEARNERS
    for href in parser.hrefs:
        assert (out / href).is_file(), href
    kinds = {Path(h).suffix for h in parser.hrefs}
    assert {".csv", ".xlsx", ".html", ".txt"} <= kinds


def test_do_the_workbook_scores_equal_the_gradebook(term):
    out, course, _ = term
    book = openpyxl.load_workbook(out / "bao_cao" / export.WORKBOOK, read_only=True)
    sheet = book[export.SHEETS["hoc_vien"]]
    rows = list(sheet.values)
    header = rows[0]
    compared = 0
    with gradebook(course) as gb:
        assert len(rows) - 1 == len(gb.students) == LEARNERS
        for row in rows[1:]:
            record = dict(zip(header, row, strict=True))
            for assignment in ("bai01", "bai02"):
                value = record[f"{assignment} (điểm)"]
                try:
                    expected = gb.find_submission(assignment, record["Mã học viên"]).score
                except Exception:  # MissingEntry: never handed in
                    assert value is None
                    continue
                assert value == expected
                compared += 1
        summary = dict(list(book[export.SHEETS["tong_hop"]].values)[1:])
        assert summary["Số học viên"] == LEARNERS
        assert (
            summary["Số bài nộp đã chấm"]
            == compared
            == sum(len(a.submissions) for a in gb.assignments)
        )
    assert set(book.sheetnames) == set(export.SHEETS.values())


def test_does_each_item_carry_the_competences_of_its_source_cell(term):
    out, _, _ = term
    with open(out / "bao_cao" / "cau_hoi.csv", encoding="utf-8-sig") as f:
        items = {r["Mã câu"]: r for r in csv.DictReader(f)}
    assert items["khoa_man_hinh_kiem_tra"]["Năng lực"] == "4.1"
    assert items["ke_hoach_bao_ve"]["Loại"] == "viết, chấm tay"
    assert sum(float(r["Điểm tối đa"]) for r in items.values() if r["Bài"] == "bai01") == 20


def test_does_feedback_show_hints_and_comments_but_never_hidden_tests(term):
    _, course, _ = term
    pages = sorted((course.root / "feedback").glob("*/*/nhan_xet.html"))
    assert pages
    texts = [p.read_text("utf-8") for p in pages]
    hidden = []
    for path in course.source_dir.glob("*/*.ipynb"):
        for cell in json.loads(path.read_text("utf-8"))["cells"]:
            source = "".join(cell["source"])
            if "### BEGIN HIDDEN TESTS" in source:
                hidden.append(source.split("### BEGIN HIDDEN TESTS")[1].split("###")[0].strip())
    assert hidden
    for text in texts:
        assert "HIDDEN" not in text and "checks.check_correct" not in text
        assert not any(code.splitlines()[0] in text for code in hidden)
        assert not any(bad in text for bad in MOJIBAKE)
    joined = "\n".join(texts)
    assert "chưa đúng" in joined and "💡 Gợi ý" in joined
    assert "💬 Giảng viên" in joined  # the written answers' comments from the gradebook


def test_are_certificates_given_exactly_to_the_learners_over_the_threshold(term):
    out, course, _ = term
    folder = out / "chung_nhan"
    with open(folder / certificates.LIST_CSV, encoding="utf-8-sig") as f:
        listed = list(csv.DictReader(f))
    assert len(listed) == LEARNERS
    assert {row["Được chứng nhận"] for row in listed} == {"có", "chưa"}
    threshold = certificates.Certificates(config=course.config()).threshold
    for row in listed:
        earned = float(row["Tỉ lệ điểm (%)"]) >= 100 * threshold - 0.05 and not row["Chưa nộp"]
        assert (row["Được chứng nhận"] == "có") == earned, row
        assert (folder / f"{row['Mã học viên']}.pdf").is_file() == earned
    assert (folder / certificates.TOP_HTML).is_file()


def test_did_collect_report_what_a_usb_stick_brings(term):
    out, _, _ = term
    text = "\n".join(p.read_text("utf-8") for p in sorted((out / "nhan_bai").glob("*.txt")))
    assert "hong.ipynb: không đọc được" in text
    assert "không phải bài này (có vẻ là bài bai02)" in text


def outputs(path: Path) -> str:
    nb = json.loads(path.read_text("utf-8"))
    texts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output
            texts.append("".join(output.get("text", "")))
            data = output.get("data", {})
            texts.append(
                "".join(data.get("text/plain", "")) + "".join(data.get("text/markdown", ""))
            )
    return "\n".join(texts)


def test_do_the_results_notebook_figures_match_the_gradebook(term):
    out, course, _ = term
    text = outputs(out / "nghien_cuu" / "ket_qua_hoc_tap.ipynb")
    r = research.load(course)
    assert f"Số học viên: {LEARNERS}; số bài: 2" in text
    assert f"Cronbach alpha: {research.alphas(r)}" in text
    funnel = research.funnel(r)["Số học viên"]
    assert re.search(rf"Đã nộp đủ bài bắt buộc\s+{funnel['Đã nộp đủ bài bắt buộc']}\b", text)
    assert "image/png" in (out / "nghien_cuu" / "ket_qua_hoc_tap.ipynb").read_text("utf-8")


def test_is_the_digital_gap_notebook_labelled_synthetic_with_its_figures(term):
    out, _, _ = term
    text = outputs(out / "nghien_cuu" / "khoang_cach_so.ipynb")
    assert "GIẢ LẬP" in text and "Số người trả lời: 2000" in text
    assert "vùng cao" in text and "dịch vụ công" in text
    assert (out / "nghien_cuu" / "khoang_cach_so.html").is_file()


def test_is_a_demo_into_a_folder_with_data_refused(tmp_path):
    (tmp_path / "ghi_chu.txt").write_text("dữ liệu cũ", encoding="utf-8")
    done = run(["hocso", "--course", str(REPO), "demo", "--out", str(tmp_path)], REPO)
    assert done.returncode == 1 and "đã có dữ liệu" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["ghi_chu.txt"]

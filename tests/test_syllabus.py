"""Tests of hocso syllabus: JSON, Markdown, HTML and the coverage heatmap, from the real course."""

import html
import json
import re

import nbformat

from hocso import curriculum

from .conftest import REPO, run


def syllabus_json(root):
    done = run(["hocso", "syllabus", "--json"], cwd=root)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_does_the_json_list_every_module_and_all_24_competences():
    data = syllabus_json(REPO)
    known = curriculum.load(REPO / "curriculum")
    assert [m["id"] for m in data["modules"]] == list(known.modules)
    assert list(data["coverage"]) == list(known.competences)
    assert len(data["coverage"]) == 24


def test_is_coverage_read_from_the_grade_cells_not_the_yaml(course):
    path = course.source_dir / "bai01" / "bai01.ipynb"
    nb = nbformat.read(path, as_version=4)
    tagged = 0
    for cell in nb.cells:
        codes = cell.metadata.get("hocso", {}).get("competences", [])
        if "4.1" in codes and cell.metadata.get("nbgrader", {}).get("grade"):
            codes.remove("4.1")
            codes.append("4.2")
            tagged += 1
    assert tagged, "bai01 assesses 4.1 in at least one grade cell"
    nbformat.write(nb, path)
    assert "bai01" in syllabus_json(REPO)["coverage"]["4.1"]
    assert "bai01" not in syllabus_json(course.root)["coverage"]["4.1"]


def test_are_minutes_per_track_the_sum_of_its_modules():
    data = syllabus_json(REPO)
    for audience, track in data["tracks"].items():
        modules = [m for m in data["modules"] if audience in m["audiences"]]
        assert track["modules"] == [m["id"] for m in modules]
        assert track["minutes"] == sum(m["minutes"] for m in modules)


def test_does_the_syllabus_folder_hold_markdown_html_and_a_heatmap(tmp_path):
    out = tmp_path / "chuong_trinh"
    done = run(["hocso", "syllabus", "--out", str(out)], cwd=REPO)
    assert done.returncode == 0, done.stderr
    markdown = (out / "chuong_trinh.md").read_text("utf-8")
    page = (out / "chuong_trinh.html").read_text("utf-8")
    page_text = html.unescape(re.sub(r"<[^>]+>", "", page))  # what a reader sees
    for module in curriculum.load(REPO / "curriculum").modules.values():
        assert module.title in markdown and module.title in page_text
        assert all(objective in page_text for objective in module.objectives)
    assert '<html lang="vi">' in page and "bao_phu_nang_luc.png" in page
    assert (out / "bao_phu_nang_luc.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_is_an_output_path_that_is_a_file_refused_clearly(tmp_path):
    blocker = tmp_path / "tep"
    blocker.write_text("x", encoding="utf-8")
    done = run(["hocso", "syllabus", "--out", str(blocker)], cwd=REPO)
    assert done.returncode == 1
    assert "tep" in done.stderr and "Traceback" not in done.stderr


def test_is_every_competence_of_the_framework_assessed_by_an_autograded_item():
    uncovered = [code for code, modules in syllabus_json(REPO)["coverage"].items() if not modules]
    assert uncovered == []

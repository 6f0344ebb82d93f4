"""Course-wide tests: every module runs, follows the authoring conventions and its curriculum."""

from __future__ import annotations

import shutil
import unicodedata

import nbformat
import pytest
from nbclient import NotebookClient

from hocso import curriculum, notebooks

from . import submissions
from .conftest import REPO, module_ids

MIN_AUTOGRADED = 8


@pytest.mark.slow
@pytest.mark.parametrize("module_id", module_ids())
def test_does_the_source_notebook_run_with_every_test_passing(module_id, tmp_path):
    """Solutions and hidden tests together: an instructor's notebook has no failing cell."""
    folder = tmp_path / module_id
    shutil.copytree(REPO / "source" / module_id, folder)
    nb = notebooks.read(folder / f"{module_id}.ipynb")
    # Run in a copy of the module's folder, as a learner would, never in the repository.
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    errors = [
        (i, o.get("evalue"))
        for i, c in enumerate(nb.cells, 1)
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
    ]
    assert errors == []


@pytest.mark.parametrize("module_id", module_ids())
def test_does_the_module_follow_the_authoring_conventions(module_id):
    module = submissions.load_module(module_id)
    assert len(module.items) >= MIN_AUTOGRADED
    assert module.manual, "at least one written answer graded by hand"
    source = notebooks.read(REPO / "source" / module_id / f"{module_id}.ipynb")
    tests = {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    }
    for item in module.items:
        cell = tests[item.test_id]
        assert cell.source.lstrip().startswith('"""'), f"{item.test_id}: starts with a docstring"
        assert "### BEGIN HIDDEN TESTS" in cell.source, f"{item.test_id}: has hidden tests"
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        assert "check_" in visible, f"{item.test_id}: has a visible check that teaches"
    misconceptions = [c for c in tests.values() if "why_wrong" in c.source]
    assert misconceptions, "a multiple-choice item whose wrong options reveal misconceptions"


@pytest.mark.parametrize("module_id", module_ids())
def test_is_the_text_nfc_vietnamese(module_id):
    raw = (REPO / "source" / module_id / f"{module_id}.ipynb").read_text("utf-8")
    assert unicodedata.is_normalized("NFC", raw)
    nb = nbformat.reads(raw, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.mark.parametrize("module_id", module_ids())
def test_do_the_notebook_and_the_curriculum_agree(module_id):
    data = curriculum.load(REPO / "curriculum")
    module = data.modules[module_id]
    source = notebooks.read(REPO / "source" / module_id / f"{module_id}.ipynb")
    assessed = {
        code
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
        for code in c.metadata["hocso"]["competences"]
    }
    assert assessed == set(module.competences), "every competence of the module is assessed"
    text = "\n".join(c.source for c in source.cells if c.cell_type == "markdown")
    assert module.title in text
    for objective in module.objectives:
        assert objective in text, f"objective missing from the notebook: {objective}"
    assert "Nguồn tham khảo" in text

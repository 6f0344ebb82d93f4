"""Tests of hocso.notebooks: committed notebooks are clean, and cleaning works."""

import json

import pytest

from hocso import notebooks
from hocso.course import CourseError

from .conftest import REPO


def committed_notebooks():
    found = [*REPO.glob("source/*/*.ipynb"), *REPO.glob("release/*/*.ipynb")]
    found += REPO.glob("notebooks/**/*.ipynb")
    return sorted(p for p in found if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda p: str(p.relative_to(REPO)))
def test_is_every_committed_notebook_free_of_outputs_and_extra_metadata(path):
    assert notebooks.dirt(notebooks.read(path)) == []


def test_does_clean_remove_outputs_counts_and_metadata(tmp_path):
    nb = notebooks.read(REPO / "source" / "bai01" / "bai01.ipynb")
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [{"output_type": "stream", "name": "stdout", "text": "xin chào"}]
    code.execution_count = 3
    code.metadata["execution"] = {"iopub.status.idle": "2026-01-01"}
    nb.metadata["widgets"] = {}
    assert len(notebooks.dirt(nb)) == 3
    assert notebooks.clean(nb) is True
    assert notebooks.dirt(nb) == []
    assert notebooks.clean(nb) is False
    assert "kernelspec" in nb.metadata


def test_is_a_notebook_that_is_not_json_named_in_the_error(tmp_path):
    path = tmp_path / "hong.ipynb"
    path.write_text("{ đây không phải JSON", encoding="utf-8")
    with pytest.raises(CourseError) as excinfo:
        notebooks.read(path)
    assert "hong.ipynb" in str(excinfo.value)


def test_does_writing_keep_vietnamese_as_utf8(tmp_path):
    nb = notebooks.read(REPO / "source" / "bai01" / "bai01.ipynb")
    path = tmp_path / "copy.ipynb"
    notebooks.write(nb, path)
    raw = path.read_bytes()
    assert "Mật khẩu".encode() in raw
    assert json.loads(raw)["cells"]

"""Does the executor read the course's kernel settings and cap what a cell prints?"""

from __future__ import annotations

import nbformat
import pytest
from traitlets.config import Config

from hocso.grading import executor, warm


def test_are_the_kernel_startup_lines_of_the_course_config_found(repo_course):
    lines = executor.startup_lines(repo_course.config())
    assert lines == ["import warnings", 'warnings.simplefilter("ignore")']


def test_are_there_no_startup_lines_without_extra_arguments():
    assert executor.startup_lines(Config()) == []


def test_is_output_beyond_the_cap_dropped_with_a_vietnamese_note():
    recorder = warm._Recorder()
    recorder.reset(100)
    for _ in range(50):
        recorder.stream("stdout", "x" * 10)
    text = "".join(o["text"] for o in recorder.outputs)
    assert text.count("x") == 100
    assert "Đầu ra quá dài" in text


def test_is_untrusted_output_rebuilt_from_known_fields_only():
    odd = {"output_type": "stream", "name": "stderr", "text": "warn", "extra": "x"}
    assert executor._output(odd) == {"output_type": "stream", "name": "stderr", "text": "warn"}
    assert executor._output({"output_type": "weird"}) is None


@pytest.mark.slow
def test_does_the_notebook_time_limit_stop_the_remaining_cells(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(c) for c in ("x = 1", "import time\ntime.sleep(30)", "x")]
    )
    config = Config()
    config.Execute.timeout = 20
    config.SandboxExecute.notebook_timeout = 2
    config.SandboxExecute.interrupt_grace = 5
    settings = {"preload": [], "startup_lines": [], "max_output_bytes": 10_000}
    with executor.WarmServer(settings):
        executor.SandboxExecute(config=config).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    first, slow, last = nb.cells
    assert first.outputs == []
    assert {o.get("ename") for o in slow.outputs} >= {"CellTimeoutError"}
    assert [o.ename for o in last.outputs] == ["HocsoNotRun"]

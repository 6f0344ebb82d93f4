"""The grading workers' gradebook: nbgrader's own, one engine per process, batched commits."""

from __future__ import annotations

import sqlite3

import pytest
from nbgrader.api import Gradebook

from hocso.course import ensure_tools_on_path
from hocso.grading.gradebook import WorkerGradebook, use_in


@pytest.fixture
def db_url(tmp_path):
    ensure_tools_on_path()  # nbgrader stamps a new gradebook by running `alembic`
    WorkerGradebook.dispose_all()
    yield f"sqlite:///{tmp_path / 'gradebook.db'}"
    WorkerGradebook.dispose_all()


def students(path) -> list[str]:
    """What another connection (another process, formgrader) sees committed."""
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM student ORDER BY id")]


def test_engine_is_made_once_and_the_schema_is_nbgraders(db_url, tmp_path):
    with WorkerGradebook(db_url, "hocso") as first:
        first.add_student("hv01", first_name="An")
        engine = first.engine
    with WorkerGradebook(db_url, "hocso") as second:
        assert second.engine is engine
        assert [s.id for s in second.students] == ["hv01"]
    # nbgrader's own class reads what was written, alembic stamp and course row included.
    with Gradebook(db_url, "hocso") as plain:
        assert plain.find_student("hv01").first_name == "An"
    with sqlite3.connect(tmp_path / "gradebook.db") as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1


def test_one_transaction_commits_once_on_close(db_url, tmp_path):
    with WorkerGradebook.one_transaction():
        with WorkerGradebook(db_url) as gb:
            gb.add_student("hv01")  # nbgrader commits inside add_student
            assert students(tmp_path / "gradebook.db") == []  # only flushed so far
            gb.add_student("hv02")
            assert [s.id for s in gb.students] == ["hv01", "hv02"]  # visible to itself
    assert students(tmp_path / "gradebook.db") == ["hv01", "hv02"]


def test_one_transaction_keeps_nothing_when_interrupted(db_url, tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with WorkerGradebook.one_transaction():
            with WorkerGradebook(db_url) as gb:
                gb.add_student("hv01")
                raise KeyboardInterrupt
    assert students(tmp_path / "gradebook.db") == []
    # Outside the block every commit is a real commit again.
    with WorkerGradebook(db_url) as gb:
        gb.add_student("hv03")
        assert students(tmp_path / "gradebook.db") == ["hv03"]


def test_use_in_refuses_a_module_that_no_longer_opens_the_gradebook():
    import types

    module = types.ModuleType("elsewhere")
    module.Gradebook = object
    with pytest.raises(RuntimeError, match="elsewhere"):
        use_in([module])

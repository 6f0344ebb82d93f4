"""A PostgreSQL gradebook (``CourseDirectory.db_url``), as a hub with several instructors uses.

The test starts a real PostgreSQL server of Debian's package on loopback, in a temporary
folder, and runs the course's pipeline against it: release, roster, grading, export.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from hocso.hub.setup import free_port

from .. import submissions
from ..conftest import REPO, run_ok

pytestmark = pytest.mark.slow


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert found, "PostgreSQL server missing: apt-get install -y postgresql (make test does it)"
    return found[-1].parent


def _as_postgres(*command: str) -> None:
    # initdb refuses to run as root: the server runs as Debian's `postgres` account.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    done = subprocess.run([*prefix, *command], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def postgres():
    """The address of an empty database on a PostgreSQL server of its own, stopped after."""
    bindir = _postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="hocso-pg-", dir="/tmp"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    _as_postgres(
        str(bindir / "initdb"), "-D", str(data), "--auth=trust", "--username=hocso", "-E", "UTF8"
    )
    # Loopback only, its socket in its own folder; fsync off: the data is thrown away.
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = str(folder / "log")
    _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start")
    try:
        engine = sa.create_engine(f"postgresql://hocso@127.0.0.1:{port}/postgres")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("CREATE DATABASE lop1"))
        engine.dispose()
        yield f"postgresql://hocso@127.0.0.1:{port}/lop1"
    finally:
        _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder)


def test_does_the_pipeline_grade_into_a_postgresql_gradebook(course, postgres, tmp_path):
    root = course.root
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write(f"\nc.CourseDirectory.db_url = {postgres!r}\n")
    run_ok(["hocso", "release", "bai01"], root)
    run_ok(["hocso", "roster", "import", str(REPO / "deploy" / "hub" / "lop1.csv")], root)
    module = submissions.load_module("bai01")
    submissions.write(submissions.all_correct(module), root, "hv001", "bai01")
    submissions.write(submissions.all_wrong(module), root, "hv002", "bai01")

    graded = run_ok(["hocso", "grade", "bai01"], root)
    assert "Đã chấm" in graded.stdout
    export = tmp_path / "diem.csv"
    run_ok(["nbgrader", "export", "--to", str(export)], root)
    rows = {r["student_id"]: r for r in csv.DictReader(open(export, encoding="utf-8"))}
    assert float(rows["hv001"]["raw_score"]) == module.auto_points
    assert float(rows["hv002"]["raw_score"]) == 0.0
    assert set(rows) == {"hv001", "hv002", "hv003"}, "the roster's learners, from PostgreSQL"

    # Everything is in PostgreSQL: no SQLite file appeared, and the rows are in the server.
    assert not (root / "gradebook.db").exists()
    engine = sa.create_engine(postgres)
    with engine.connect() as conn:
        submitted = conn.execute(sa.text("SELECT count(*) FROM submitted_assignment")).scalar()
        profiles = conn.execute(sa.text("SELECT count(*) FROM hocso_learner")).scalar()
        # Both learners' automatic scores: all of bai01's for one, none for the other.
        scored = conn.execute(sa.text("SELECT sum(auto_score) FROM grade")).scalar()
    engine.dispose()
    assert submitted == 2 and profiles == 3
    assert float(scored) == module.auto_points

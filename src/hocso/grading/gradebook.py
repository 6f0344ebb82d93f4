"""nbgrader's gradebook as a grading worker uses it: one database engine per process.

nbgrader's autograde opens a new ``Gradebook`` about nine times per submission (five times in
``Autograde.init_assignment``, then in ``OverwriteKernelspec``, ``OverwriteCells``,
``SaveAutoGrades`` and ``AssignLatePenalties``). Each opening creates a SQLAlchemy engine,
inspects the schema, runs ``create_all`` and throws the engine away with its compiled-query
cache; profiled, that was half of what a submission costs once the kernel start is gone.

``WorkerGradebook`` is the same class with the same queries and commits, but the engine (its
connection pool and compiled-statement cache) is made once per worker process and kept. Every
opening still gets its own session, closed when nbgrader closes the gradebook, so no
uncommitted state passes from one step or one submission to the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from nbgrader.api import Gradebook
from nbgrader.preprocessors import SaveAutoGrades
from sqlalchemy.engine import Engine
from sqlalchemy.orm import scoped_session, sessionmaker


class WorkerGradebook(Gradebook):
    """nbgrader's ``Gradebook`` reusing this process's engine for ``db_url``."""

    _engines: dict[str, Engine] = {}
    #: (db_url, course_id) pairs whose course row this process has already made sure of.
    _courses: set[tuple[str, str]] = set()
    #: Set by ``one_transaction``: commits become flushes until the gradebook is closed.
    _deferring = False

    def __init__(self, db_url: str, course_id: str = "default_course", authenticator=None):
        engine = self._engines.get(db_url)
        if engine is None:
            # First use in this process: nbgrader's own set-up (tables, alembic stamp, course).
            super().__init__(db_url, course_id, authenticator)
            self._engines[db_url] = self.engine
            self._courses.add((db_url, course_id))
        else:
            self.engine = engine
            self.db = scoped_session(sessionmaker(autoflush=True, bind=engine, future=True))
            if (db_url, course_id) not in self._courses:
                self.check_course(course_id=course_id)
                self._courses.add((db_url, course_id))
            self.course_id = course_id
            self.authenticator = authenticator
        self._batched = self._deferring
        if self._batched:
            self.db = _FlushOnCommit(self.db)

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        if self._batched and exc_type is None:
            self.db.commit_now()
        self.close()

    def close(self) -> None:
        # The session goes (uncommitted changes are rolled back, as with nbgrader's close);
        # the engine stays for the next opening in this process.
        self.db.remove()

    @classmethod
    @contextmanager
    def one_transaction(cls) -> Iterator[None]:
        """Gradebooks opened inside commit once, when closed without error, not per change."""
        cls._deferring = True
        try:
            yield
        finally:
            cls._deferring = False

    @classmethod
    def dispose_all(cls) -> None:
        for engine in cls._engines.values():
            engine.dispose()
        cls._engines.clear()


class _FlushOnCommit:
    """A session whose ``commit`` only flushes (so later queries see the changes)."""

    def __init__(self, session) -> None:
        self._session = session

    def commit(self) -> None:
        self._session.flush()

    def commit_now(self) -> None:
        self._session.commit()

    def __getattr__(self, name):
        return getattr(self._session, name)


class BatchedSaveAutoGrades(SaveAutoGrades):
    """nbgrader's ``SaveAutoGrades``: same rows, one commit per notebook instead of two per cell.

    With the commit at the end, a submission whose grading stops half-way leaves none of its
    scores behind rather than some of them.
    """

    def preprocess(self, nb, resources):
        with WorkerGradebook.one_transaction():
            return super().preprocess(nb, resources)


def use_in(modules: list[ModuleType]) -> None:
    """Make nbgrader's ``modules`` open ``WorkerGradebook`` where they open ``Gradebook``.

    nbgrader has no setting for the gradebook class; its converters and preprocessors look the
    name up in their own module, so the name is rebound there, in this worker process only.
    """
    for module in modules:
        if getattr(module, "Gradebook", None) not in (Gradebook, WorkerGradebook):
            raise RuntimeError(f"{module.__name__} no longer opens nbgrader.api.Gradebook")
        module.Gradebook = WorkerGradebook

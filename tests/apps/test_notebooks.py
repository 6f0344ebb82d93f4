"""The app notebooks: thin (title, import, call, show), clean, one per app on the landing page."""

from __future__ import annotations

from hocso import notebooks
from hocso.apps import APPS
from tests.conftest import REPO

APPS_DIR = REPO / "notebooks" / "apps"


def test_does_every_listed_app_have_its_notebook_and_no_other_notebook_exist():
    assert {a.notebook for a in APPS} == {p.name for p in APPS_DIR.glob("*.ipynb")}


def test_is_every_app_notebook_a_title_an_import_a_call_and_the_app():
    for app in APPS:
        nb = notebooks.read(APPS_DIR / app.notebook)
        kinds = [c.cell_type for c in nb.cells]
        assert kinds == ["markdown", "code", "code", "code"], app.notebook
        title, imported, call, shown = (c.source for c in nb.cells)
        assert title == f"# {app.title}"
        assert imported.startswith("from hocso.apps import ")
        module = imported.split()[-1]
        assert call == f"ung_dung = {module}.app()" and shown == "ung_dung"
        assert notebooks.dirt(nb) == []

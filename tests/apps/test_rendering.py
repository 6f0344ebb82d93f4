"""Voila's page templates are compiled once per server, and again only when they change."""

from __future__ import annotations

import jinja2
import pytest
from voila import notebook_renderer

from hocso.apps import rendering


@pytest.fixture
def compiles(monkeypatch):
    """Count the templates Jinja compiles from source."""
    seen = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        seen.append(name)
        return original(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    rendering.COMPILED_TEMPLATES.clear()
    yield seen
    rendering.COMPILED_TEMPLATES.clear()


def exporter(folder):
    return rendering.CachingVoilaExporter(template_paths=[str(folder)])


def test_does_a_second_page_reuse_the_compiled_templates(tmp_path, compiles):
    (tmp_path / "page.html.j2").write_text(
        "{% extends 'base.html.j2' %}{% block body %}Xin chào {{ name }}{% endblock %}",
        encoding="utf-8",
    )
    (tmp_path / "base.html.j2").write_text("<p>{% block body %}{% endblock %}</p>", "utf-8")

    first = exporter(tmp_path).environment.get_template("page.html.j2").render(name="An")
    assert first == "<p>Xin chào An</p>"
    assert sorted(compiles) == ["base.html.j2", "page.html.j2"]

    # A new exporter, as Voila makes for every page: a new environment, nothing compiled.
    compiles.clear()
    second = exporter(tmp_path).environment.get_template("page.html.j2").render(name="Bình")
    assert second == "<p>Xin chào Bình</p>"
    assert compiles == []

    # An edited template is compiled afresh, and only that one.
    (tmp_path / "page.html.j2").write_text(
        "{% extends 'base.html.j2' %}{% block body %}Chào {{ name }}{% endblock %}", "utf-8"
    )
    third = exporter(tmp_path).environment.get_template("page.html.j2").render(name="Chi")
    assert third == "<p>Chào Chi</p>"
    assert compiles == ["page.html.j2"]


def test_does_voila_make_its_pages_with_the_caching_exporter(monkeypatch):
    monkeypatch.setattr(notebook_renderer, "VoilaExporter", notebook_renderer.VoilaExporter)
    rendering.use_compiled_templates()
    assert notebook_renderer.VoilaExporter is rendering.CachingVoilaExporter

"""The bundle of JavaScript chunks (``hocso.apps.bundle``): built right, sent right, used.

Unit tests build bundles from small fake chunk files and send them through a Tornado server;
the browser tests (``slow``) open every app and check the page asked for none of the chunks
the bundle holds, and that a page whose bundle fails still works the old way.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from pathlib import Path
from urllib.parse import urlparse

import jinja2
import pytest
from tornado import httpclient, httpserver, web
from voila.paths import collect_static_paths
from voila.utils import get_voila_labextensions_path

from hocso.apps import bundle
from hocso.apps.server import SHARE_DIR, TEMPLATE

from .browser import PHONE, course_with_apps, free_port, launch, serving

VERSIONS = {"voila": "1.0", "ipywidgets": "8.0", "jupyterlab_widgets": "3.0"}


def chunk(name: str, ids: str = "1", strict: bool = False) -> str:
    """A file shaped like a webpack chunk: one push onto its runtime's global."""
    head = '"use strict";' if strict else ""
    return f"{head}(self.{name}=self.{name}||[]).push([[{ids}],{{{ids}:()=>{{}}}}]);\n"


@pytest.fixture
def installed(tmp_path):
    """Fake static and labextensions folders holding two chunks; the manifest naming them."""
    static = tmp_path / "static"
    ext = tmp_path / "labextensions" / "@x" / "ext" / "static"
    static.mkdir()
    ext.mkdir(parents=True)
    (static / "1.voila.js").write_text("/*! licence */" + chunk("webpackChunk_A", strict=True))
    (ext / "2.abc.js").write_text(chunk("rspackChunk_B", "2"))
    manifest = {"versions": dict(VERSIONS), "files": ["static/1.voila.js"]}
    manifest["files"].append("labextensions/@x/ext/static/2.abc.js")
    return [str(static)], [str(tmp_path / "labextensions")], manifest


def make(installed, **changes):
    static, labextensions, manifest = installed
    return bundle.build(static, labextensions, manifest={**manifest, **changes}, versions=VERSIONS)


def test_does_the_shipped_manifest_name_installed_chunks_of_the_installed_versions():
    manifest = bundle.load_manifest()
    assert set(manifest["versions"]) == set(bundle.PACKAGES)
    assert manifest["versions"] == bundle.installed_versions(), (
        "Voila or the widgets were upgraded: re-run bench/record_chunks.py"
    )
    assert manifest["files"] and all(
        f.startswith(("static/", "labextensions/")) for f in manifest["files"]
    )
    # Found where Voila serves them from (the hocso template extends lab), each a chunk.
    static = collect_static_paths(["voila", "nbconvert"], "lab")
    built = bundle.build(static, get_voila_labextensions_path())
    assert built is not None and built.files == tuple(manifest["files"])


def test_is_a_manifest_without_files_refused(tmp_path):
    path = tmp_path / "chunks.json"
    path.write_text(json.dumps({"versions": VERSIONS}))
    with pytest.raises(ValueError):
        bundle.load_manifest(path)


def test_does_the_bundle_hold_every_chunk_each_in_its_own_function(installed):
    built = make(installed)
    text = built.body.decode("utf-8")
    assert built.files == tuple(installed[2]["files"])
    assert text.count("!function(){") == 2
    # The strict chunk's directive opens its function, so it does not make the next one strict.
    assert '!function(){\n/*! licence */"use strict";(self.webpackChunk_A' in text
    assert "(self.rspackChunk_B=self.rspackChunk_B||[]).push([[2]" in text
    assert built.path == f"hocso/bundle/{built.digest}.js"


def test_does_gzip_give_back_the_bundle(installed):
    built = make(installed)
    assert gzip.decompress(built.gzipped) == built.body
    assert make(installed).gzipped == built.gzipped  # the same bytes at every server start


def test_does_the_hash_change_with_the_content(installed):
    first = make(installed)
    assert make(installed).digest == first.digest
    static = Path(installed[0][0])
    (static / "1.voila.js").write_text(chunk("webpackChunk_A", "9"))
    assert make(installed).digest != first.digest


def test_is_there_no_bundle_when_the_versions_differ(installed, caplog):
    static, labextensions, manifest = installed
    with caplog.at_level(logging.WARNING):
        built = bundle.build(
            static, labextensions, manifest=manifest, versions={**VERSIONS, "voila": "0.6.0"}
        )
    assert built is None
    assert "re-run bench/record_chunks.py" in caplog.text


def test_is_there_no_bundle_when_a_chunk_is_missing_or_is_not_a_chunk(installed, caplog):
    with caplog.at_level(logging.WARNING):
        assert make(installed, files=["static/404.voila.js"]) is None
        assert make(installed, files=["static/../static/1.voila.js"]) is None
        (Path(installed[0][0]) / "voila.js").write_text("var _JUPYTERLAB;(()=>{})();\n")
        assert make(installed, files=["static/voila.js"]) is None
    assert "not installed" in caplog.text and "not a webpack chunk" in caplog.text


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
    ],
)
def test_is_gzip_sent_only_when_the_browser_accepts_it(header, accepted):
    assert bundle.accepts_gzip(header) is accepted


def fetch_bundle(built, headers: dict[str, str]):
    """The response of a Tornado server running the bundle's handler, never decompressed."""

    async def go():
        app = web.Application([(r"/b\.js", bundle.BundleHandler, {"bundle": built})])
        server = httpserver.HTTPServer(app)
        port = free_port()
        server.listen(port, "127.0.0.1")
        try:
            return await httpclient.AsyncHTTPClient().fetch(
                f"http://127.0.0.1:{port}/b.js",
                headers=headers,
                decompress_response=False,
                raise_error=False,
            )
        finally:
            server.stop()

    return asyncio.run(go())


def test_is_the_bundle_sent_gzipped_and_cached_for_a_year(installed):
    built = make(installed)
    zipped = fetch_bundle(built, {"Accept-Encoding": "gzip"})
    assert zipped.code == 200 and zipped.body == built.gzipped
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert zipped.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    plain = fetch_bundle(built, {"Accept-Encoding": "identity"})
    assert plain.body == built.body and "Content-Encoding" not in plain.headers
    again = fetch_bundle(
        built, {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["Etag"]}
    )
    assert again.code == 304


def render_page(resources: dict) -> str:
    """The hocso template's blocks around a stand-in for Voila's lab template."""
    lab = (
        "<head>{% block html_head_js %}<script src='log.js'></script>{% endblock %}"
        "{% block notebook_css %}{% endblock %}{% block html_head_js_mermaidjs %}{% endblock %}"
        "</head>{% block body_header %}{% endblock %}"
        "{% block body_footer %}<script src='static/voila.js'></script>{% endblock %}"
    )
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(SHARE_DIR / "voila" / "templates" / TEMPLATE),
                jinja2.DictLoader({"lab/index.html.j2": lab}),
            ]
        ),
        autoescape=True,
    )
    stubs = {"include_css": lambda path: path, "include_js": lambda path: path}
    return env.get_template("index.html.j2").render(resources={**stubs, **resources})


def test_does_the_page_load_the_bundle_before_voila_js_and_only_when_there_is_one():
    page = render_page({"hocso_bundle": "/hocso/bundle/0123abcd.js"})
    script = '<script src="/hocso/bundle/0123abcd.js"></script>'
    assert page.count(script) == 1 and page.index(script) < page.index("static/voila.js")
    assert '<link rel="preload" as="script" href="/hocso/bundle/0123abcd.js">' in page
    assert page.index("preload") < page.index("</head>")
    plain = render_page({})
    assert "hocso/bundle" not in plain and "preload" not in plain
    assert "static/voila.js" in plain


# -- In a real browser ---------------------------------------------------------------------

#: Each app's ready selector, the same as in test_browser.py.
READY = {
    "kiem_tra_mat_khau": "input[type=password]",
    "nhan_dien_lua_dao": "text=Theo bạn",
    "tu_danh_gia_nang_luc_so": ".widget-radio-box",
    "bang_dieu_khien_lop": "text=Chưa có sổ điểm",
    "thuc_hanh_dich_vu_cong": "text=MÔ PHỎNG ĐỂ TẬP LUYỆN",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Chromium is missing: `make install-test` installs Debian's chromium.")
    root = course_with_apps(tmp_path_factory.mktemp("bundle") / "course")
    # The bundle serves Voila's own front end; the light page has no chunks to bundle.
    with serving(root, "--voila-frontend", log=root / "serve.log") as (base, _process):
        yield base


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def open_app(browser, base: str, name: str, block_bundle: bool = False) -> dict:
    """Open an app in a fresh profile until its network is idle; what the page did."""
    context = browser.new_context(viewport=PHONE)
    if block_bundle:
        context.route("**/hocso/bundle/**", lambda route: route.abort())
    page = context.new_page()
    seen = {"errors": [], "paths": [], "bundles": []}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["paths"].append(urlparse(r.url).path))
    page.on(
        "response",
        lambda r: seen["bundles"].append(r.all_headers()) if "/hocso/bundle/" in r.url else None,
    )
    try:
        page.goto(f"{base}/voila/render/{name}.ipynb")
        page.wait_for_selector(READY[name], timeout=90_000)
        page.wait_for_load_state("networkidle", timeout=90_000)
    finally:
        context.close()
    files = set(bundle.load_manifest()["files"])
    seen["chunks"] = [p for p in seen["paths"] if p.removeprefix("/voila/") in files]
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("name", list(READY))
def test_does_the_app_work_without_fetching_any_chunk_the_bundle_holds(server, browser, name):
    seen = open_app(browser, server, name)
    count = f"{len(seen['paths'])} requests: {seen['paths']}"
    assert seen["errors"] == [], count
    assert [p for p in seen["paths"] if p.startswith("/hocso/bundle/")] != [], count
    assert seen["chunks"] == [], count
    assert len(seen["bundles"]) == 1, count
    headers = seen["bundles"][0]
    assert headers["content-encoding"] == "gzip", headers
    assert "immutable" in headers["cache-control"], headers


@pytest.mark.slow
def test_does_a_page_whose_bundle_fails_load_its_chunks_itself(server, browser):
    """The check above can fail: without the bundle the page fetches those chunks (and works)."""
    seen = open_app(browser, server, "thuc_hanh_dich_vu_cong", block_bundle=True)
    assert len(seen["chunks"]) >= len(bundle.load_manifest()["files"]) * 0.9, seen["paths"]

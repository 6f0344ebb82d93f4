"""Record which JavaScript chunk files a page of the apps loads: the manifest of the bundle.

Run from the repository: ``.venv/bin/python bench/record_chunks.py``. Re-run it whenever Voila,
ipywidgets or jupyterlab_widgets is upgraded (``hocso serve`` then logs "No JavaScript bundle"
and pages load the chunks one by one, still working), or when an app starts using a kind of
widget the others do not; then run ``tests/apps/test_bundle.py`` and commit the new manifest.

It serves a copy of the course with the bundle turned off (``HocsoVoila.bundle_js``), opens
each app in Debian's headless Chromium with a fresh profile, waits until the widgets are drawn
and the network is idle, and keeps every chunk file requested: Voila's ``static/NNNN.voila.js``
and the lab extensions' numbered chunks (never ``voila.js`` or a ``remoteEntry.js``, which
start the runtimes). The union over the apps, with the versions installed, is written to
``src/hocso/apps/share/voila/templates/hocso/chunks.json`` (see ``hocso.apps.bundle``).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import sync_playwright  # noqa: E402

from hocso.apps import APPS, bundle  # noqa: E402
from tests.apps.browser import PHONE, course_with_apps, launch, serving  # noqa: E402

#: A chunk's address below /voila/: Voila's numbered chunks, an extension's numbered chunks.
CHUNK = re.compile(r"/voila/(static/\d+\.voila\.js|labextensions/.+/static/\d+\.[0-9a-f]+\.js)$")


def chunk_files(urls: list[str]) -> set[str]:
    """The chunk files among a page's request addresses, as paths below ``/voila/``."""
    found = set()
    for url in urls:
        match = CHUNK.search(urlparse(url).path)
        if match:
            found.add(match.group(1))
    return found


def record(base: str, browser) -> dict[str, set[str]]:
    """Each app's chunk files, each app in a fresh browser profile."""
    seen = {}
    for app in APPS:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        urls: list[str] = []
        page.on("request", lambda request, urls=urls: urls.append(request.url))
        page.goto(f"{base}/voila/render/{app.notebook}")
        page.wait_for_selector(".jupyter-widgets", timeout=90_000)
        page.wait_for_load_state("networkidle", timeout=90_000)
        seen[app.notebook] = chunk_files(urls)
        context.close()
    return seen


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = course_with_apps(Path(tmp) / "course")
        # Voila reads voila.json from the folder it starts in.
        (root / "voila.json").write_text(json.dumps({"HocsoVoila": {"bundle_js": False}}))
        with serving(root, log=Path(tmp) / "serve.log") as (base, _process):
            with sync_playwright() as playwright:
                browser = launch(playwright)
                seen = record(base, browser)
                browser.close()
    files = sorted(set().union(*seen.values()))
    for notebook, chunks in seen.items():
        print(f"{notebook}: {len(chunks)} chunk files")
    if not files:
        print("No chunk requested: is the bundle really off?", file=sys.stderr)
        return 1
    manifest = {
        "recorded_by": "bench/record_chunks.py",
        "versions": bundle.installed_versions(),
        "files": files,
    }
    bundle.MANIFEST.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(f"{len(files)} chunk files, {manifest['versions']}: written to {bundle.MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

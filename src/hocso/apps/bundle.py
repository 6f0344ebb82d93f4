"""One script holding the JavaScript chunks a Voila page of the apps needs, sent before voila.js.

Voila's front end is built with webpack: ``voila.js`` and each lab extension's
``remoteEntry.js`` carry a runtime that fetches about 84 chunk files, in waves, as the code
runs; a page of the apps made about 95 requests. A chunk file only pushes its modules onto a
global array (``(self.webpackChunk_x = self.webpackChunk_x || []).push([[ids], {modules}])``),
and a runtime, when it starts, takes in every push already made and then never asks for those
chunks. So the chunks named in ``chunks.json`` (recorded by ``bench/record_chunks.py``) are
put into one script, built in memory at server start from the installed files, sent under a
content-hash address with a year of caching, gzip-compressed once for the phones' networks,
and the page's template loads it before ``voila.js``.

The manifest holds for the versions it was recorded with: when Voila or the widgets differ,
or a file is missing or is not a chunk, there is no bundle and pages load the usual way.

The light front end's script and style sheet (``frontend/``, the default page) are sent the
same way, one file each (:func:`of_file`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from tornado import web

#: The manifest: which chunk files a page of the apps loads, for which versions.
MANIFEST = Path(__file__).resolve().parent / "share/voila/templates/hocso/chunks.json"
#: The packages whose front-end files the manifest names.
PACKAGES = ("voila", "ipywidgets", "jupyterlab_widgets")
#: What every chunk file starts with: an optional licence comment and "use strict", then the
#: push onto its runtime's global. Anything else might do more when run early: no bundle.
CHUNK_START = re.compile(
    r'(?:/\*.*?\*/\s*)?(?:"use strict";\s*)?\(self\.(\w+)=self\.\1\|\|\[\]\)\.push\(\[\[',
    re.DOTALL,
)

logger = logging.getLogger(__name__)


#: What a bundle is sent as, by the ending of its address.
CONTENT_TYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class Bundle:
    """The bundle's bytes, plain and gzip-compressed, and the hash that names it."""

    body: bytes
    gzipped: bytes
    digest: str
    files: tuple[str, ...]
    suffix: str = "js"

    @property
    def path(self) -> str:
        """Its address below the server's base URL; it changes whenever the content does."""
        return f"hocso/bundle/{self.digest}.{self.suffix}"


def pack(body: bytes, files: tuple[str, ...], suffix: str = "js") -> Bundle:
    """A bundle of these bytes: compressed once, named by their hash."""
    return Bundle(
        body=body,
        # mtime=0: the same files give the same bytes, whenever the server starts.
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        digest=hashlib.sha256(body).hexdigest()[:16],
        files=files,
        suffix=suffix,
    )


def of_file(path: Path) -> Bundle:
    """One built file (a ``.js`` or ``.css``) as a bundle of its own."""
    suffix = path.suffix.removeprefix(".")
    if suffix not in CONTENT_TYPES:
        raise ValueError(f"{path}: only {', '.join(CONTENT_TYPES)} files are bundled")
    return pack(path.read_bytes(), (path.name,), suffix)


def installed_versions() -> dict[str, str | None]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def load_manifest(path: Path = MANIFEST) -> dict:
    """The manifest as recorded: ``{"versions": {...}, "files": ["static/1187.voila.js", ...]}``.

    Each file is a path below Voila's ``/voila/`` address: ``static/...`` for Voila's own
    chunks, ``labextensions/<extension>/static/...`` for a lab extension's."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(manifest.get("versions"), dict) or not isinstance(
        manifest.get("files"), list
    ):
        raise ValueError(f"{path}: expected 'versions' and 'files'")
    return manifest


def locate(name: str, static_paths: list[str], labextensions_path: list[str]) -> Path | None:
    """The file Voila would send for ``/voila/<name>``: the first folder of its list that has it."""
    kind, _, rest = name.partition("/")
    roots = {"static": static_paths, "labextensions": labextensions_path}.get(kind)
    if roots is None or not rest or ".." in Path(rest).parts:
        return None
    for root in roots:
        candidate = Path(root) / rest
        if candidate.is_file():
            return candidate
    return None


def build(
    static_paths: list[str],
    labextensions_path: list[str],
    manifest: dict | None = None,
    versions: dict[str, str | None] | None = None,
    log: logging.Logger = logger,
) -> Bundle | None:
    """The bundle of the manifest's chunks, or None (with a warning) when it cannot be trusted.

    ``static_paths`` and ``labextensions_path`` are the folders Voila serves ``/voila/static/``
    and ``/voila/labextensions/`` from, so the bundle holds the very files it would send."""
    try:
        manifest = load_manifest() if manifest is None else manifest
    except (OSError, ValueError) as exc:
        log.warning("No JavaScript bundle: cannot read the chunk manifest (%s)", exc)
        return None
    versions = installed_versions() if versions is None else versions
    if manifest["versions"] != versions:
        log.warning(
            "No JavaScript bundle: chunks recorded for %s, installed %s; "
            "re-run bench/record_chunks.py",
            manifest["versions"],
            versions,
        )
        return None
    parts = []
    for name in manifest["files"]:
        path = locate(name, static_paths, labextensions_path)
        if path is None:
            log.warning("No JavaScript bundle: %s is not installed", name)
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("No JavaScript bundle: cannot read %s (%s)", path, exc)
            return None
        if not CHUNK_START.match(text):
            log.warning("No JavaScript bundle: %s is not a webpack chunk", path)
            return None
        # Each file in its own function: some chunks start with "use strict", which at the top
        # of one script would make every chunk after it strict. The newline ends a last line
        # comment. The comment names the file (and so where its licence file is).
        parts.append(f"/* /voila/{name} */\n!function(){{\n{text}\n}}();\n")
    return pack("".join(parts).encode("utf-8"), tuple(manifest["files"]))


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (``gzip;q=0`` refuses it)."""
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip"):
            quality = params.strip().lower().removeprefix("q=").strip() or "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


class BundleHandler(web.RequestHandler):
    """Sends the bundle; its address holds its hash, so browsers may keep it for a year."""

    def initialize(self, bundle: Bundle):
        self.bundle = bundle

    def compute_etag(self):
        # Known already: Tornado would otherwise hash the megabytes on every request.
        return f'"{self.bundle.digest}{self._suffix}"'

    def get(self):
        compressed = accepts_gzip(self.request.headers.get("Accept-Encoding", ""))
        self._suffix = "-gzip" if compressed else ""
        self.set_header("Content-Type", CONTENT_TYPES[self.bundle.suffix])
        self.set_header("Cache-Control", "public, max-age=31536000, immutable")
        self.set_header("Vary", "Accept-Encoding")
        if compressed:
            self.set_header("Content-Encoding", "gzip")
        self.finish(self.bundle.gzipped if compressed else self.bundle.body)

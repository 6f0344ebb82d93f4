"""Page rendering for ``hocso serve``: Voila's templates compiled once, not for every visitor.

Voila makes a new nbconvert exporter, and with it a new Jinja environment, for every page it
renders; each new environment parses and compiles every template of the page again. Measured
with py-spy on ``hocso serve``, that compiling was about half of the server's CPU time per page.
A bytecode cache shared by those environments keeps the compiled code. Jinja still reads each
template's source and compares its checksum, so an edited template is compiled afresh.
"""

from __future__ import annotations

import jinja2
from voila import notebook_renderer
from voila.exporter import VoilaExporter


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in this process, keyed by Jinja (template name and file)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # ignored by Jinja if the source changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()

    def __len__(self) -> int:
        return len(self._code)


#: Shared by every page's exporter in the server process.
COMPILED_TEMPLATES = MemoryBytecodeCache()


class CachingVoilaExporter(VoilaExporter):
    """Voila's exporter whose Jinja environment takes compiled templates from the shared cache."""

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = COMPILED_TEMPLATES
        return environment


def use_compiled_templates() -> None:
    """Make Voila's page renderer build pages with :class:`CachingVoilaExporter`.

    Voila names its exporter class in code, not in its configuration, so the name it looks up
    when it makes a page's renderer is pointed at the subclass (only in the ``hocso serve``
    process, which renders nothing else).
    """
    notebook_renderer.VoilaExporter = CachingVoilaExporter

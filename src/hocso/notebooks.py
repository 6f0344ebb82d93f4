"""Reading, cleaning and inspecting course notebooks (nbformat), with clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from hocso.course import CourseError

#: The only notebook-level metadata a committed notebook keeps (as nbgrader's clear_docs.py).
KEPT_METADATA = ("kernelspec",)


def read(path: Path) -> NotebookNode:
    """Read a notebook, failing with a Vietnamese message that names the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseError(f"Không đọc được tệp {path}: {exc}") from exc
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for broken JSON
        raise CourseError(
            f"Tệp {path} không phải là một notebook hợp lệ (không đọc được JSON): {exc}"
        ) from exc


def write(nb: NotebookNode, path: Path) -> None:
    Path(path).write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def clean(nb: NotebookNode) -> bool:
    """Remove outputs, execution counts and extra notebook metadata; return True if changed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code":
            if cell.get("outputs") or cell.get("execution_count") is not None:
                changed = True
            cell.outputs = []
            cell.execution_count = None
        for key in ("execution", "collapsed", "scrolled"):
            if key in cell.metadata:
                del cell.metadata[key]
                changed = True
    extra = [k for k in nb.metadata if k not in KEPT_METADATA]
    for key in extra:
        del nb.metadata[key]
    return changed or bool(extra)


def dirt(nb: NotebookNode) -> list[str]:
    """Describe what keeps a notebook from being clean (empty when it is clean)."""
    problems = []
    with_outputs = [i for i, c in enumerate(nb.cells, 1) if c.cell_type == "code" and c.outputs]
    counted = [
        i
        for i, c in enumerate(nb.cells, 1)
        if c.cell_type == "code" and c.get("execution_count") is not None
    ]
    if with_outputs:
        problems.append(f"có kết quả chạy (outputs) ở ô {_cells(with_outputs)}")
    if counted:
        problems.append(f"có số thứ tự chạy (execution_count) ở ô {_cells(counted)}")
    extra = sorted(k for k in nb.metadata if k not in KEPT_METADATA)
    if extra:
        problems.append("có metadata thừa: " + ", ".join(extra))
    return problems


def _cells(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:8])
    return shown + (f" (và {len(numbers) - 8} ô khác)" if len(numbers) > 8 else "")


def nbgrader_cells(nb: NotebookNode) -> Iterator[tuple[int, NotebookNode]]:
    """Yield ``(number, cell)`` for the cells nbgrader tracks, numbered from 1."""
    for number, cell in enumerate(nb.cells, 1):
        if "nbgrader" in cell.metadata:
            yield number, cell

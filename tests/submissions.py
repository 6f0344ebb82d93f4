"""Synthetic learners: submissions built from a module's release, solutions and wrong answers.

Each learner is a recipe applied to the release notebook, as a real learner would edit it.
The expected score of each recipe is computed from the grade cells' points, never from a run.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from nbformat import NotebookNode

from hocso import notebooks

from .conftest import FILES, REPO

SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
TEST_SUFFIX = "_kiem_tra"

# The classic hack: an object that claims to equal anything and can be called like a function.
PRETENDER = """
class GiaMao:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __call__(self, *args, **kwargs):
        return self
    __hash__ = object.__hash__
"""


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.metadata.get("nbgrader", {})


@dataclass
class Item:
    """One autograded item: the answer cell the learner edits and the test cell that grades."""

    answer_id: str
    test_id: str
    points: float
    solution: str
    wrong: str


@dataclass
class Module:
    id: str
    release: NotebookNode
    items: list[Item]
    manual: dict[str, str]  # written answers: grade id -> model answer
    manual_points: float

    @property
    def auto_points(self) -> float:
        return sum(item.points for item in self.items)


def strip_solution_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not SOLUTION_MARKER.match(line))


def load_module(module_id: str) -> Module:
    source = notebooks.read(REPO / "source" / module_id / f"{module_id}.ipynb")
    release = notebooks.read(REPO / "release" / module_id / f"{module_id}.ipynb")
    wrong = yaml.safe_load((FILES / "answers" / f"{module_id}.yaml").read_text("utf-8"))
    cells = {nbgrader_meta(c).get("grade_id"): c for c in source.cells if nbgrader_meta(c)}
    items, manual, manual_points = [], {}, 0.0
    for grade_id, cell in cells.items():
        meta = nbgrader_meta(cell)
        if meta.get("grade") and meta.get("solution"):  # written answer, graded by hand
            manual[grade_id] = strip_solution_markers(cell.source)
            manual_points += meta["points"]
        elif meta.get("grade") and cell.cell_type == "code":
            assert grade_id.endswith(TEST_SUFFIX), f"{module_id}: test cell {grade_id}"
            answer_id = grade_id[: -len(TEST_SUFFIX)]
            assert answer_id in cells, f"{module_id}: no answer cell {answer_id} for {grade_id}"
            assert answer_id in wrong, f"{module_id}: no wrong answer for {answer_id} in fixtures"
            items.append(
                Item(
                    answer_id,
                    grade_id,
                    meta["points"],
                    strip_solution_markers(cells[answer_id].source),
                    wrong[answer_id],
                )
            )
    return Module(module_id, release, items, manual, manual_points)


def _with_answers(module: Module, answers: dict[str, str]) -> NotebookNode:
    nb = copy.deepcopy(module.release)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def assigned_names(source: str) -> list[str]:
    """Names a learner's answer cell defines at top level (``x = ...``, ``def f``)."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.FunctionDef):
            names.append(node.name)
    return names


def all_correct(module: Module) -> NotebookNode:
    return _with_answers(module, {i.answer_id: i.solution for i in module.items} | module.manual)


def blank(module: Module) -> NotebookNode:
    return copy.deepcopy(module.release)


def all_wrong(module: Module) -> NotebookNode:
    return _with_answers(module, {i.answer_id: i.wrong for i in module.items})


def half_right(module: Module) -> tuple[NotebookNode, float]:
    """The first half of the items right, the rest wrong; returns the notebook and its score."""
    half = len(module.items) // 2
    answers = {i.answer_id: i.solution for i in module.items[:half]}
    answers |= {i.answer_id: i.wrong for i in module.items[half:]}
    return _with_answers(module, answers), sum(i.points for i in module.items[:half])


def deleted_test_cell(module: Module) -> tuple[NotebookNode, float]:
    """All right, but the learner deleted the first test cell: that item cannot be scored."""
    nb = all_correct(module)
    first = module.items[0]
    nb.cells = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") != first.test_id]
    return nb, module.auto_points - first.points


def edited_locked_cells(module: Module) -> NotebookNode:
    """All wrong, and every locked cell rewritten to pass: nbgrader restores them."""
    nb = all_wrong(module)
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("locked"):
            cell.source = 'print("✅ Đúng rồi!")'
    return nb


def pretender(module: Module) -> NotebookNode:
    """Every answer replaced by an object that claims to equal anything."""
    answers = {}
    for cell in module.release.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in {i.answer_id for i in module.items}:
            names = assigned_names(cell.source)
            assert names, f"{module.id}: answer cell {grade_id} defines no name"
            answers[grade_id] = PRETENDER + "\n".join(f"{n} = GiaMao()" for n in names)
    return _with_answers(module, answers)


def warning_in_function(module: Module) -> NotebookNode:
    """All right, but the student-track function also emits a library-style FutureWarning.

    The warning reaches stderr inside a test cell, which nbgrader alone would score zero.
    """
    defines = {
        i.answer_id: [n.name for n in ast.parse(i.solution).body if isinstance(n, ast.FunctionDef)]
        for i in module.items
    }
    item = next(i for i in module.items if defines[i.answer_id])
    name = defines[item.answer_id][0]
    warned = (
        item.solution
        + f"\n\n_{name} = {name}\n"
        + f"def {name}(*args):\n"
        + "    import warnings\n"
        + '    warnings.warn("this API will change", FutureWarning, stacklevel=2)\n'
        + f"    return _{name}(*args)\n"
    )
    return _with_answers(
        module, {i.answer_id: i.solution for i in module.items} | {item.answer_id: warned}
    )


def write(nb: NotebookNode, course_root: Path, learner: str, module_id: str) -> None:
    folder = course_root / "submitted" / learner / module_id
    folder.mkdir(parents=True, exist_ok=True)
    notebooks.write(nb, folder / f"{module_id}.ipynb")

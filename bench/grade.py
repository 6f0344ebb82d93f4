"""Benchmark: `nbgrader autograde` against `hocso grade` on one synthetic class, same run.

Builds a temporary course (the real course's nbgrader_config.py) with a small pandas module
made here, submits N synthetic learners (correct, wrong, half right, blank, in turn), grades
a copy with each tool, checks every gradebook row is identical, prints per-submission times
and, as its last line, ``speedup: X.Xx``.

    .venv/bin/python bench/grade.py            # 200 learners
    .venv/bin/python bench/grade.py -n 40      # quicker
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO))
from tests.grading.corpus import gradebook_rows  # noqa: E402

MODULE = "bench_pandas"


def _meta(grade_id: str, **flags) -> dict:
    meta = {"grade_id": grade_id, "schema_version": 3, "locked": False, "solution": False}
    meta["grade"] = False
    meta.update(flags)
    return {"nbgrader": meta}


#: (answer id, solution, wrong answer, hidden test) for each item of the module.
ITEMS = [
    (
        "tong_dan_so",
        "tong = int(bang['dan_so'].sum())",
        "tong = 0",
        "assert tong == 1900",
    ),
    (
        "tinh_dong_nhat",
        "dong_nhat = bang.sort_values('dan_so').iloc[-1]['tinh']",
        "dong_nhat = 'Hà Giang'",
        "assert dong_nhat == 'Hà Nội'",
    ),
    (
        "ty_le",
        "bang['ty_le'] = bang['dan_so'] / bang['dan_so'].sum()\n"
        "ty_le_lon = bang.loc[bang['ty_le'] > 0.3, 'tinh'].tolist()",
        "ty_le_lon = []",
        "assert sorted(ty_le_lon) == ['Hà Nội', 'TP HCM']",
    ),
]


def source_notebook() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Bài thử: đọc bảng dân số bằng pandas"),
        new_code_cell(
            "import pandas as pd\n"
            "import matplotlib.pyplot as plt\n"
            "bang = pd.DataFrame({'tinh': ['Hà Giang', 'Hà Nội', 'TP HCM', 'Huế'],\n"
            "                     'dan_so': [100, 850, 750, 200]})",
            metadata=_meta("thiet_lap", locked=True),
        ),
    ]
    for grade_id, solution, _, test in ITEMS:
        cells.append(
            new_code_cell(
                f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION",
                metadata=_meta(grade_id, solution=True),
            )
        )
        cells.append(
            new_code_cell(
                f'"""Kiểm tra {grade_id}."""\n### BEGIN HIDDEN TESTS\n{test}\n### END HIDDEN TESTS',
                metadata=_meta(f"{grade_id}_kiem_tra", grade=True, locked=True, points=1),
            )
        )
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def tool(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run(
        [str(BIN / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def build(root: Path, learners: int) -> None:
    (root / "source" / MODULE).mkdir(parents=True)
    shutil.copy2(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    nbformat.write(source_notebook(), root / "source" / MODULE / f"{MODULE}.ipynb")
    tool(["nbgrader", "generate_assignment", MODULE, "--force"], root)
    release = nbformat.read(root / "release" / MODULE / f"{MODULE}.ipynb", as_version=4)
    for n in range(learners):
        nb = nbformat.from_dict(release)
        kind = n % 4  # 0 correct, 1 wrong, 2 half right, 3 blank
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            for i, (item, solution, wrong, _) in enumerate(ITEMS):
                if grade_id == item and kind != 3:
                    right = kind == 0 or (kind == 2 and i % 2 == 0)
                    cell.source = solution if right else wrong
        folder = root / "submitted" / f"hv{n:04d}" / MODULE
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{MODULE}.ipynb")


def timed(args: list[str], cwd: Path) -> float:
    started = time.monotonic()
    tool(args, cwd)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--learners", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hocso-bench-") as tmp:
        original = Path(tmp) / "course"
        build(original, args.learners)
        by_nbgrader = Path(shutil.copytree(original, Path(tmp) / "nbgrader"))
        by_hocso = Path(shutil.copytree(original, Path(tmp) / "hocso"))
        print(f"{args.learners} learners, module {MODULE} (pandas), {os.cpu_count()} cores")
        slow = timed(["nbgrader", "autograde", MODULE], by_nbgrader)
        fast = timed(["hocso", "grade", MODULE, "--workers", str(args.workers)], by_hocso)
        expected, got = gradebook_rows(by_nbgrader), gradebook_rows(by_hocso)
        different = [k for k in expected if expected.get(k) != got.get(k)]
        if not expected or sorted(got) != sorted(expected) or different:
            sys.exit(f"scores differ on {len(different)} rows, e.g. {different[:5]}")
        print(f"gradebook rows identical: {len(expected)}")
        print(f"nbgrader autograde: {slow:.1f} s, {slow / args.learners:.3f} s per submission")
        print(
            f"hocso grade:        {fast:.1f} s, {fast / args.learners:.3f} s per submission "
            f"({args.workers} workers, including the executor's start)"
        )
        print(f"speedup: {slow / fast:.1f}x")


if __name__ == "__main__":
    main()

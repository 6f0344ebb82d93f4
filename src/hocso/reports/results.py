"""The term's results as tables: learners, submissions, item grades, mastery, completion.

Every number is read from nbgrader's gradebook (``Grade.score``, ``Submission.score``) and
grouped with the roster's unit, commune and audience; the competence codes of each item come
from the ``hocso.competences`` metadata of its grade cell in ``source/``. Reports,
certificates and the research notebooks all start from :func:`load`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hocso import curriculum
from hocso.course import Course
from hocso.reports.gradebook import (
    assignments_in_gradebook,
    grades_table,
    require_gradebook,
    source_items,
)
from hocso.term import roster


@dataclass
class Results:
    learners: pd.DataFrame  # id, full_name, unit, commune, audience, email, ...
    items: pd.DataFrame  # assignment, notebook, item, points, manual, competences, question
    grades: pd.DataFrame  # student, assignment, notebook, item, score, max_score, ...
    assignments: list[str]  # released this term (in the gradebook), sorted
    titles: dict[str, str]  # assignment -> Vietnamese title
    required: dict[str, list[str]]  # audience -> assignments it must complete
    competence_names: dict[str, str]

    def required_for(self, audience: str) -> list[str]:
        """The assignments a learner of ``audience`` must complete (all, if unknown)."""
        return self.required.get(audience, self.assignments)

    def required_learners(self, assignment: str, learners: pd.DataFrame | None = None) -> list:
        """Ids of the ``learners`` (all by default) whose audience requires ``assignment``."""
        learners = self.learners if learners is None else learners
        return [
            lid
            for lid, audience in zip(learners["id"], learners["audience"], strict=True)
            if assignment in self.required_for(audience)
        ]

    def scores(self) -> pd.DataFrame:
        """Learner x assignment total scores (NaN where nothing was submitted)."""
        totals = self.grades.groupby(["student", "assignment"])["score"].sum().unstack()
        return totals.reindex(index=self.learners["id"], columns=self.assignments)

    def max_scores(self) -> dict[str, float]:
        return self.items.groupby("assignment")["points"].sum().to_dict()

    def submitted(self) -> pd.DataFrame:
        """Learner x assignment: True where a submission is in the gradebook."""
        return self.scores().notna()

    def item_matrix(self, assignment: str) -> pd.DataFrame:
        """Submitting learner x item scores of one assignment, items in notebook order."""
        rows = self.grades[self.grades["assignment"] == assignment]
        matrix = rows.pivot_table(index="student", columns="item", values="score", aggfunc="sum")
        order = [i for i in self.items[self.items["assignment"] == assignment]["item"]]
        return matrix.reindex(columns=[i for i in order if i in matrix.columns])

    def competence_points(self) -> pd.DataFrame:
        """One row per (grade, competence): a multi-competence item counts for each."""
        tagged = self.items[["assignment", "item", "competences"]].explode("competences")
        tagged = tagged.dropna(subset=["competences"]).rename(columns={"competences": "code"})
        return self.grades.merge(tagged, on=["assignment", "item"])

    def mastery(self, by: str = "id") -> pd.DataFrame:
        """Share of the points earned on each competence's items, per learner or group.

        ``by`` is ``id`` (one row per learner), ``unit``, ``commune`` or ``audience``; a
        group's mastery pools its learners' points. Only submitted items count.
        """
        points = self.competence_points().merge(
            self.learners[["id", "unit", "commune", "audience"]],
            left_on="student",
            right_on="id",
        )
        summed = points.groupby([by, "code"])[["score", "max_score"]].sum()
        share = (summed["score"] / summed["max_score"]).unstack()
        return share.reindex(columns=sorted(share.columns, key=_code_key))

    def completion(self) -> pd.Series:
        """Per learner: share of their required assignments submitted (0 to 1)."""
        submitted = self.submitted()
        shares = {}
        for _, learner in self.learners.iterrows():
            required = self.required_for(learner["audience"])
            done = sum(bool(submitted.at[learner["id"], a]) for a in required)
            shares[learner["id"]] = done / len(required) if required else 1.0
        return pd.Series(shares, name="completion")


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in code.split("."))


def load(course: Course) -> Results:
    """Read the gradebook, the roster and the curriculum into :class:`Results`."""
    require_gradebook(course)
    assignments = [a for a in assignments_in_gradebook(course) if (course.source_dir / a).is_dir()]
    items = pd.DataFrame(
        [vars(i) for a in assignments for i in source_items(course, a)],
        columns=["assignment", "notebook", "item", "points", "manual", "competences", "question"],
    )
    grades = grades_table(course)
    grades = grades[grades["assignment"].isin(assignments)].reset_index(drop=True)
    known = curriculum.load(course.curriculum_dir)
    required = {
        audience: [
            a for a in assignments if a in known.modules and audience in known.modules[a].audiences
        ]
        for audience in known.audiences
    }
    titles = {a: known.modules[a].title if a in known.modules else a for a in assignments}
    names = {code: c.name for code, c in known.competences.items()}
    return Results(roster.load(course), items, grades, assignments, titles, required, names)


def cronbach_alpha(matrix: pd.DataFrame) -> float:
    """Cronbach's alpha of an item-score matrix (rows: learners, columns: items).

    >>> m = pd.DataFrame({"a": [0, 1, 1, 2], "b": [0, 1, 2, 2], "c": [1, 1, 2, 2]})
    >>> round(cronbach_alpha(m), 3)  # 3/2 * (1 - (2/3 + 11/12 + 1/3) / (59/12))
    0.915
    """
    matrix = matrix.dropna()
    k = matrix.shape[1]
    if k < 2 or len(matrix) < 2:
        return float("nan")
    item_var = matrix.var(axis=0, ddof=1).sum()
    total_var = matrix.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - item_var / total_var))


def item_statistics(results: Results) -> pd.DataFrame:
    """Difficulty and discrimination of every item, from the submitted learners.

    Difficulty is the mean share of the item's points earned (1 = everyone right);
    discrimination is the correlation of the item's score with the learner's score on the
    assignment's other items (the corrected item-total correlation).
    """
    rows = []
    for assignment in results.assignments:
        matrix = results.item_matrix(assignment)
        points = results.items.set_index(["assignment", "item"])["points"]
        for item in matrix.columns:
            scores = matrix[item]
            rest = matrix.drop(columns=item).sum(axis=1)
            enough = scores.std() > 0 and rest.std() > 0
            rows.append(
                {
                    "assignment": assignment,
                    "item": item,
                    "n": int(scores.notna().sum()),
                    "difficulty": float(scores.mean() / points[assignment, item]),
                    "discrimination": float(np.corrcoef(scores, rest)[0, 1]) if enough else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=["assignment", "item", "n", "difficulty", "discrimination"])

"""The curriculum as data: competences of Circular 02, audiences and modules, validated.

``curriculum/competences.yaml`` holds the 6 domains and 24 competences,
``curriculum/audiences.yaml`` the learner groups, and ``curriculum/modules/<id>.yaml`` one
module each. Every error names the file and the field, so an author can fix it at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from hocso.course import CourseError

_CODE = {"type": "string", "pattern": r"^[1-6]\.[1-9]$"}
_TEXT = {"type": "string", "minLength": 1}

COMPETENCES_SCHEMA = {
    "type": "object",
    "required": ["source", "domains", "competences"],
    "additionalProperties": False,
    "properties": {
        "source": _TEXT,
        "domains": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "name", "digcomp"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "pattern": r"^[1-6]$"},
                    "name": _TEXT,
                    "digcomp": {"type": ["string", "null"]},
                },
            },
        },
        "competences": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "domain", "digcomp", "name"],
                "additionalProperties": False,
                "properties": {
                    "code": _CODE,
                    "domain": {"type": "string"},
                    "digcomp": {"anyOf": [_CODE, {"type": "null"}]},
                    "name": _TEXT,
                },
            },
        },
    },
}

AUDIENCES_SCHEMA = {
    "type": "object",
    "required": ["audiences"],
    "additionalProperties": False,
    "properties": {
        "audiences": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "name", "description"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": r"^[a-z_]+$"},
                    "name": _TEXT,
                    "description": _TEXT,
                },
            },
        }
    },
}

MODULE_SCHEMA = {
    "type": "object",
    "required": ["id", "title", "audiences", "minutes", "objectives", "competences"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": r"^bai[0-9]{2}$"},
        "title": _TEXT,
        "audiences": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "minutes": {"type": "integer", "minimum": 10, "maximum": 240},
        "objectives": {"type": "array", "minItems": 1, "items": _TEXT},
        "competences": {"type": "array", "minItems": 1, "items": _CODE},
    },
}


@dataclass(frozen=True)
class Competence:
    code: str
    name: str
    domain: str
    domain_name: str
    digcomp: str | None


@dataclass(frozen=True)
class Audience:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    audiences: tuple[str, ...]
    minutes: int
    objectives: tuple[str, ...]
    competences: tuple[str, ...]


@dataclass
class Curriculum:
    competences: dict[str, Competence]
    audiences: dict[str, Audience]
    modules: dict[str, Module] = field(default_factory=dict)
    source: str = ""


def _load_yaml(path: Path, schema: dict) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CourseError(f"{path}: không tìm thấy tệp.") from exc
    except yaml.YAMLError as exc:
        raise CourseError(f"{path}: không đọc được YAML: {exc}") from exc
    error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(schema).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(gốc tệp)"
        raise CourseError(f"{path}: trường {where}: {error.message}")
    return data


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({v for v in values if v in seen or seen.add(v)})


def load(directory: Path) -> Curriculum:
    """Load and validate ``curriculum/``; raise :class:`CourseError` naming file and field."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CourseError(f"Không tìm thấy thư mục chương trình học {directory}.")

    comp_path = directory / "competences.yaml"
    data = _load_yaml(comp_path, COMPETENCES_SCHEMA)
    domains = {d["code"]: d for d in data["domains"]}
    competences: dict[str, Competence] = {}
    for i, c in enumerate(data["competences"]):
        if c["domain"] not in domains:
            raise CourseError(
                f"{comp_path}: trường competences/{i}/domain: không có lĩnh vực '{c['domain']}'."
            )
        if not c["code"].startswith(c["domain"] + "."):
            raise CourseError(
                f"{comp_path}: trường competences/{i}/code: mã {c['code']} "
                f"không thuộc lĩnh vực {c['domain']}."
            )
        if c["code"] in competences:
            raise CourseError(f"{comp_path}: trường competences/{i}/code: mã {c['code']} bị lặp.")
        competences[c["code"]] = Competence(
            c["code"], c["name"], c["domain"], domains[c["domain"]]["name"], c["digcomp"]
        )

    aud_path = directory / "audiences.yaml"
    aud_data = _load_yaml(aud_path, AUDIENCES_SCHEMA)["audiences"]
    dup = _duplicates([a["id"] for a in aud_data])
    if dup:
        raise CourseError(f"{aud_path}: trường audiences/id: bị lặp: {', '.join(dup)}.")
    audiences = {a["id"]: Audience(a["id"], a["name"], a["description"]) for a in aud_data}

    modules: dict[str, Module] = {}
    for path in sorted((directory / "modules").glob("*.yaml")):
        m = _load_yaml(path, MODULE_SCHEMA)
        if m["id"] != path.stem:
            raise CourseError(f"{path}: trường id: '{m['id']}' phải trùng tên tệp '{path.stem}'.")
        for key, known in (("audiences", audiences), ("competences", competences)):
            for j, value in enumerate(m[key]):
                if value not in known:
                    raise CourseError(
                        f"{path}: trường {key}/{j}: '{value}' không có trong "
                        f"{'audiences.yaml' if key == 'audiences' else 'competences.yaml'}."
                    )
            dup = _duplicates(m[key])
            if dup:
                raise CourseError(f"{path}: trường {key}: bị lặp: {', '.join(dup)}.")
        modules[m["id"]] = Module(
            m["id"],
            m["title"],
            tuple(m["audiences"]),
            m["minutes"],
            tuple(m["objectives"]),
            tuple(m["competences"]),
        )
    return Curriculum(competences, audiences, modules, data["source"])


def assessed_competences(nb) -> dict[str, list[str]]:
    """Map each autograded grade cell of a notebook to the competence codes it assesses.

    Autograded means a code grade cell: written answers are graded by hand and are not
    counted as evidence of a competence in the coverage.
    """
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            found[meta["grade_id"]] = list(cell.metadata.get("hocso", {}).get("competences", []))
    return found


def coverage_counts(
    data: Curriculum, notebooks_by_module: dict[str, list]
) -> dict[str, dict[str, int]]:
    """For each competence, how many autograded items of each module assess it.

    ``notebooks_by_module`` maps a module id to its source notebooks (nbformat nodes).
    Every competence of the framework is a key, so an uncovered one maps to ``{}``.
    """
    counts: dict[str, dict[str, int]] = {code: {} for code in data.competences}
    for module_id in sorted(notebooks_by_module):
        for nb in notebooks_by_module[module_id]:
            for codes in assessed_competences(nb).values():
                for code in codes:
                    if code in counts:
                        counts[code][module_id] = counts[code].get(module_id, 0) + 1
    return counts


def coverage(data: Curriculum, notebooks_by_module: dict[str, list]) -> dict[str, list[str]]:
    """For each competence, the modules with at least one autograded item assessing it."""
    return {
        code: sorted(modules)
        for code, modules in coverage_counts(data, notebooks_by_module).items()
    }

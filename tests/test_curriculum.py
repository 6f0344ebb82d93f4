"""Tests of hocso.curriculum: the committed curriculum is valid; errors name file and field."""

import shutil

import pytest
import yaml

from hocso import curriculum
from hocso.course import CourseError

from .conftest import REPO

# Circular 02/2025/TT-BGDĐT: 6 domains, 24 competences (../shared/reference/frameworks.md).
EXPECTED_CODES = (
    ["1.1", "1.2", "1.3"]
    + [f"2.{i}" for i in range(1, 7)]
    + [f"3.{i}" for i in range(1, 5)]
    + [f"4.{i}" for i in range(1, 5)]
    + [f"5.{i}" for i in range(1, 5)]
    + ["6.1", "6.2", "6.3"]
)


@pytest.fixture
def data():
    return curriculum.load(REPO / "curriculum")


@pytest.fixture
def scratch(tmp_path):
    target = tmp_path / "curriculum"
    shutil.copytree(REPO / "curriculum", target)
    return target


def test_are_the_24_competences_of_circular_02_all_there(data):
    assert list(data.competences) == EXPECTED_CODES
    assert {c.domain for c in data.competences.values()} == {"1", "2", "3", "4", "5", "6"}


def test_do_domains_1_to_5_carry_their_digcomp_code_and_domain_6_none(data):
    for code, competence in data.competences.items():
        if code.startswith("6."):
            assert competence.digcomp is None
        else:
            assert competence.digcomp == code


def test_are_the_three_audiences_defined(data):
    assert set(data.audiences) == {"officials", "students", "public"}


def test_does_every_module_have_objectives_minutes_and_known_competences(data):
    assert data.modules, "curriculum/modules/ is empty"
    for module in data.modules.values():
        assert module.objectives and module.minutes >= 10
        assert module.competences and set(module.competences) <= set(data.competences)
        assert set(module.audiences) <= set(data.audiences)


def edit_module(scratch, module_id, **changes):
    path = scratch / "modules" / f"{module_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def load_error(scratch) -> str:
    with pytest.raises(CourseError) as excinfo:
        curriculum.load(scratch)
    return str(excinfo.value)


def test_does_a_wrong_type_name_the_file_and_the_field(scratch):
    edit_module(scratch, "bai01", minutes="ba mươi")
    message = load_error(scratch)
    assert "bai01.yaml" in message and "trường minutes" in message


def test_does_a_missing_field_name_the_file_and_the_field(scratch):
    path = scratch / "modules" / "bai02.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["objectives"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    message = load_error(scratch)
    assert "bai02.yaml" in message and "objectives" in message


def test_does_an_unknown_competence_name_the_module_and_the_field(scratch):
    edit_module(scratch, "bai01", competences=["4.1", "4.9"])
    message = load_error(scratch)
    assert "bai01.yaml" in message and "competences/1" in message and "4.9" in message


def test_does_an_unknown_audience_name_the_field(scratch):
    edit_module(scratch, "bai02", audiences=["tourists"])
    message = load_error(scratch)
    assert "bai02.yaml" in message and "audiences/0" in message


def test_is_broken_yaml_reported_with_its_file(scratch):
    (scratch / "audiences.yaml").write_text("audiences: [unclosed\n", encoding="utf-8")
    assert "audiences.yaml" in load_error(scratch)


def test_is_a_duplicate_competence_code_reported(scratch):
    path = scratch / "competences.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('code: "1.2"', 'code: "1.1"'), encoding="utf-8")
    with pytest.raises(CourseError) as excinfo:
        curriculum.load(scratch)
    assert "competences.yaml" in str(excinfo.value) and "1.1" in str(excinfo.value)


def test_must_a_module_file_be_named_like_its_id(scratch):
    (scratch / "modules" / "bai01.yaml").rename(scratch / "modules" / "bai09.yaml")
    with pytest.raises(CourseError) as excinfo:
        curriculum.load(scratch)
    assert "bai09.yaml" in str(excinfo.value) and "id" in str(excinfo.value)

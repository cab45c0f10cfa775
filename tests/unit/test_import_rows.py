"""Mapping an import's headers to ours and parsing its rows (cme.rules.imports): pure."""

from __future__ import annotations

from typing import Any

import pytest

from cme.platform import errors
from cme.rules import import_presets
from cme.rules import imports as rules
from cme.rules.imports import Row


def parse(kind: str, **values: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    parsed, problems = rules.parse_row(kind, Row(7, values))
    assert all(p.row == 7 and p.message for p in problems)
    return parsed, [(p.field, p.code) for p in problems]


LEARNER = {"source_id": "L1", "email": " Ana@Example.ORG ", "first_name": " Zoë ", "last_name": "Núñez"}


def test_our_own_headers_match_whatever_their_case_and_punctuation() -> None:
    columns = ["Source ID", "E-mail", "FIRST_NAME", "last name", "Degree", "Other"]
    assert rules.suggest_mapping("learners", columns) == {
        "source_id": "Source ID",
        "email": "E-mail",
        "first_name": "FIRST_NAME",
        "last_name": "last name",
        "degree": "Degree",
    }


def test_the_best_covering_preset_fills_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        import_presets,
        "PRESETS",
        {
            "Few": {"learners": {"source_id": "ID"}},
            "Many": {"learners": {"source_id": "User ID", "first_name": "Given", "last_name": "Family"}},
        },
    )
    columns = ["User ID", "ID", "Given", "Family", "Email"]
    assert rules.suggest_mapping("learners", columns) == {
        "source_id": "User ID",
        "email": "Email",
        "first_name": "Given",
        "last_name": "Family",
    }


def test_a_mapping_is_checked_against_our_columns_and_their_headers() -> None:
    found = rules.check_mapping("claims", {"email": "Mail", "colour": "X", "credits": "Nope"}, ["Mail", "X"])
    codes = {(p.row, p.field, p.code) for p in found}
    assert (0, "colour", "IMPORT_COLUMN_UNKNOWN") in codes
    assert (0, "credits", "IMPORT_HEADER_UNKNOWN") in codes
    assert {
        (0, c, "IMPORT_COLUMN_MISSING") for c in ("source_id", "activity_source_id", "credit_type", "completed_on")
    } <= codes
    assert rules.check_mapping("attendance", {"activity_source_id": "A", "email": "B"}, ["A", "B"]) == []


def test_a_learner_row() -> None:
    parsed, problems = parse("learners", **LEARNER, degree="pa-c", phone="(480) 555-0100", npi="1234567893")
    assert problems == []
    assert parsed == {
        "source_id": "L1",
        "email": "ana@example.org",
        "first_name": "Zoë",
        "last_name": "Núñez",
        "degree": "PA-C",
        "phone": "+14805550100",
        "npi": "1234567893",
    }
    assert parse("learners", **LEARNER)[0]["degree"] == "Other"  # blank degree
    # degrees as other portals write them, in short or in full
    for written, ours in (("PA", "PA-C"), ("P.A.", "PA-C"), ("Physician Assistant", "PA-C"), ("M.D.", "MD")):
        assert parse("learners", **LEARNER, degree=written)[0]["degree"] == ours, written
    assert parse("learners", **LEARNER, degree="Nurse practitioner")[0]["degree"] == "NP"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"email": "ana at example"}, ("email", "IMPORT_EMAIL_INVALID")),
        ({"email": ""}, ("email", "IMPORT_VALUE_MISSING")),
        ({"first_name": "  "}, ("first_name", "IMPORT_VALUE_MISSING")),
        ({"last_name": "www.spam.example"}, ("last_name", "IMPORT_NAME_INVALID")),
        ({"degree": "Wizard"}, ("degree", "IMPORT_DEGREE_UNKNOWN")),
        ({"phone": "12"}, ("phone", "IMPORT_PHONE_INVALID")),
        ({"npi": "1234567890"}, ("npi", "IMPORT_NPI_INVALID")),
        ({"source_id": ""}, ("source_id", "IMPORT_VALUE_MISSING")),
    ],
)
def test_a_learner_row_with_a_problem(change: dict[str, str], problem: tuple[str, str]) -> None:
    assert parse("learners", **{**LEARNER, **change})[1] == [problem]


def test_an_activity_row() -> None:
    parsed, problems = parse(
        "activities",
        source_id="A1",
        title=" Grand   Rounds ",
        format="Grand Rounds",
        start_date="3/4/2023",
        end_date="",
        location="Hall",
        credits="AMA PRA Category 1:1.5; ancc:1,5",
    )
    assert problems == []
    assert parsed["title"] == "Grand Rounds" and parsed["format"] == "rss"
    assert (parsed["start_date"], parsed["end_date"]) == ("2023-03-04", "2023-03-04")
    assert parsed["credits"] == [("AMA_PRA_1", 1.5), ("ANCC", 1.5)]
    assert (
        parse(
            "activities", source_id="A", title="T", start_date="2023-01-01", credits="AMA_PRA_1:1", format="On-demand"
        )[0]["format"]
        == "enduring"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"credits": "CME_POINTS:1"}, ("credits", "IMPORT_CREDIT_TYPE_UNKNOWN")),
        ({"credits": "AMA_PRA_1:-1"}, ("credits", "IMPORT_NUMBER_INVALID")),
        ({"start_date": "2023-13-01"}, ("start_date", "IMPORT_DATE_INVALID")),
        ({"end_date": "2022-12-31"}, ("end_date", "IMPORT_DATE_INVALID")),
        ({"format": "carrier pigeon"}, ("format", "IMPORT_FORMAT_UNKNOWN")),
        ({"title": ""}, ("title", "IMPORT_VALUE_MISSING")),
    ],
)
def test_an_activity_row_with_a_problem(change: dict[str, str], problem: tuple[str, str]) -> None:
    row = {"source_id": "A1", "title": "T", "start_date": "2023-01-01", "credits": "AMA_PRA_1:1", **change}
    assert parse("activities", **row)[1] == [problem]


def test_attendance_and_claim_rows() -> None:
    parsed, problems = parse("attendance", activity_source_id="A1", email="X@Example.org")
    assert problems == [] and parsed["email"] == "x@example.org"
    assert rules.row_key("attendance", parsed) == "A1#x@example.org"
    claim = {
        "source_id": "C1",
        "activity_source_id": "A1",
        "email": "x@example.org",
        "credit_type": "AMA_PRA_1",
        "credits": "1.5",
        "completed_on": "2023-03-14",
        "certificate_number": "2019-0451",
    }
    parsed, problems = parse("claims", **claim)
    assert problems == [] and (parsed["credits"], parsed["completed_on"]) == (1.5, "2023-03-14")
    assert parse("claims", **{**claim, "credits": "0"})[1] == [("credits", "IMPORT_NUMBER_INVALID")]
    assert parse("claims", **{**claim, "credit_type": "CEU"})[1] == [("credit_type", "IMPORT_CREDIT_TYPE_UNKNOWN")]
    assert parse("claims", **{**claim, "completed_on": "yesterday"})[1] == [("completed_on", "IMPORT_DATE_INVALID")]


def test_every_problem_code_has_plain_words_and_is_registered_as_422() -> None:
    assert all(words.endswith(".") for words in rules.PROBLEMS.values())
    assert {errors.status_of(code) for code in rules.PROBLEMS} == {422}


def test_docs_list_every_problem_code_with_its_words() -> None:
    from pathlib import Path

    api = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    for code, words in rules.PROBLEMS.items():
        assert f"| `{code}` | {words} |" in api, code

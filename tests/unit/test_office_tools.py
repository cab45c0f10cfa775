"""The pure parts of the office's tools (issue 24): what a copy of an activity keeps of the
accreditors' identifiers, safe CSV cells and headers, which activity an audit record is about,
the audit viewer's cursors, the evaluation export's cells and columns."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from cme.rules.copies import Identifiers, carried, uan_year

UAN = "JA0000000-0000-26-001-L01-P"
SOURCE = Identifiers(
    pars_activity_id="202612345",
    uan=UAN,
    uan_pharmacist="0798-0000-26-014-L04-P",
    uan_technician="0798-0000-26-014-L04-T",
    aapa_valid_until=date(2026, 12, 31),
)
MAR = date(2026, 3, 4)


def test_a_series_copy_in_the_same_year_keeps_its_pars_id() -> None:
    # ACCME: a regularly scheduled series is one PARS activity, entered again each year it runs
    kept = carried("rss", SOURCE, MAR, date(2026, 3, 11), date(2026, 3, 11))
    assert kept == SOURCE
    assert carried("rss", SOURCE, MAR, date(2027, 1, 6), date(2027, 1, 6)).pars_activity_id is None


@pytest.mark.parametrize("fmt", ["live", "enduring"])
def test_a_course_or_material_given_again_is_a_new_pars_activity(fmt: str) -> None:
    kept = carried(fmt, SOURCE, MAR, date(2026, 9, 1), date(2026, 9, 2))
    assert kept.pars_activity_id is None
    assert (kept.uan, kept.uan_pharmacist, kept.uan_technician) == (
        SOURCE.uan,
        SOURCE.uan_pharmacist,
        SOURCE.uan_technician,
    )


def test_uans_carry_for_at_most_three_years_after_their_year() -> None:
    assert uan_year(UAN) == 2026
    assert uan_year("0798-9999-18-246-H04-P") == 2018
    assert uan_year("not a uan") is None
    assert carried("live", SOURCE, MAR, date(2029, 12, 1), date(2029, 12, 31)).uan == UAN
    late = carried("live", SOURCE, MAR, date(2029, 12, 31), date(2030, 1, 1))
    assert (late.uan, late.uan_pharmacist, late.uan_technician) == (None, None, None)
    # a UAN not in ACPE's form is the office's to judge: kept
    odd = Identifiers(uan="office's own number")
    assert carried("live", odd, MAR, date(2035, 1, 1), date(2035, 1, 1)).uan == "office's own number"


def test_the_aapa_approval_carries_only_while_it_covers_the_copy() -> None:
    assert carried("live", SOURCE, MAR, date(2026, 12, 31), date(2026, 12, 31)).aapa_valid_until == date(2026, 12, 31)
    assert carried("live", SOURCE, MAR, date(2026, 12, 31), date(2027, 1, 1)).aapa_valid_until is None
    assert carried("live", Identifiers(), MAR, MAR, MAR) == Identifiers()


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\r=x"])
def test_formula_starts_are_neutralised_in_cells_and_headers(text: str) -> None:
    from cme.platform.spreadsheet import cell, to_csv

    assert cell(text) == "'" + text
    rows = list(csv.reader(io.StringIO(to_csv([text, "Name"], [[text, "Ana"]]).lstrip("\ufeff"))))
    assert rows == [["'" + text, "Name"], ["'" + text, "Ana"]]


def test_numbers_stay_numbers() -> None:
    from cme.platform.spreadsheet import cell

    assert [cell(-2), cell("-2.5"), cell("+3"), cell(0.75)] == ["-2", "-2.5", "+3", "0.75"]


def test_an_audit_record_names_its_activity() -> None:
    from cme.platform.audit import activity_of

    assert activity_of("activity#a1", {}) == "a1"
    assert activity_of("learner#l1", {"activity_id": "a2", "claim_id": "c"}) == "a2"
    assert activity_of("learner#l1", {"old": "MD"}) is None
    assert activity_of("reports#MOC", {"activity_id": 7}) is None
    assert activity_of("activity#", {}) is None


def test_audit_cursors_round_trip_and_refuse_anything_else() -> None:
    from cme.platform.errors import BadToken
    from cme.platform.models import AuditRecord
    from cme.records.audit_trail import decode_cursor, encode_cursor

    at = "2031-05-14T14:01:00.123456+00:00#0f8fad5b-d9cb-469f-a165-70867728950e"
    cursor = encode_cursor(AuditRecord("learner#l1", at))
    assert decode_cursor(cursor, "learner#l1") == {"subject": "learner#l1", "at": at}
    assert decode_cursor(cursor, None) == {"subject": "learner#l1", "at": at}
    for bad, subject in [(cursor, "learner#l2"), ("!!", None), ("e30", None), ("eyJzIjoiYSIsImEiOiJiIn0", None)]:
        with pytest.raises(BadToken):
            decode_cursor(bad, subject)


def test_evaluation_cells_and_columns() -> None:
    from cme.credit.evaluation_export import answer_cell, columns
    from cme.platform.schemas import Question

    assert [answer_cell(x) for x in (None, True, False, Decimal("5"), 4.5, "Lecture", ["a", "b"], {"x": 1})] == [
        "",
        "yes",
        "no",
        "5",
        "4.5",
        "Lecture",
        "a; b",
        "",
    ]
    questions = [Question(question_id="q1", text="Useful?", kind="rating", required=True)]  # type: ignore[arg-type]
    assert columns(questions, [{"q1": 4, "old": "x"}, {"zeta": "y"}]) == [
        ("q1", "Useful?"),
        ("old", "old"),
        ("zeta", "zeta"),
    ]

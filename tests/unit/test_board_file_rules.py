"""The board files' pure rules (docs/domain.md "Reporting to boards"): PARS's year-end cut-off
(a reporting year's learner data is accepted until March 31 of the next year: ACCME, "What is
the due date for submitting participant data for MOC activities?", accme.org/faq/what-due-date-
for-submitting-participant-data-for-moc-activities, read 2026-12-07), the due dates (PARS: the
claim + 30 days; CPE Monitor: the date of participation + 60 days) and the UAN per audience."""

from __future__ import annotations

from datetime import date

import pytest

from cme.platform.models import Activity
from cme.records import board_files


@pytest.mark.parametrize(
    ("today", "year", "until"),
    [
        (date(2027, 1, 1), 2026, date(2027, 3, 31)),  # the new year: last year's data still open
        (date(2027, 3, 31), 2026, date(2027, 3, 31)),  # its last day
        (date(2027, 4, 1), 2027, date(2028, 3, 31)),  # closed: this year's is the one due
        (date(2026, 12, 7), 2026, date(2027, 3, 31)),
        (date(2028, 2, 29), 2027, date(2028, 3, 31)),  # a leap day
    ],
)
def test_pars_year_end(today: date, year: int, until: date) -> None:
    assert board_files.pars_year_end(today) == (year, until)


def test_due_dates() -> None:
    assert board_files.pars_due(date(2026, 12, 15)) == date(2027, 1, 14)
    assert board_files.cpe_due(date(2026, 11, 1)) == date(2026, 12, 31)


def test_uan_by_the_learners_audience() -> None:
    both = Activity("a", uan_pharmacist="0204-0000-26-001-L01-P", uan_technician="0204-0000-26-001-L01-T")
    assert board_files.uan_for(both, "CPhT") == "0204-0000-26-001-L01-T"
    assert board_files.uan_for(both, "PharmD") == "0204-0000-26-001-L01-P"
    assert board_files.uan_for(both, "RPh") == "0204-0000-26-001-L01-P"
    legacy = Activity("b", uan="JA0000000-0000-25-009-L04-P")
    assert board_files.uan_for(legacy, "PharmD") == legacy.uan  # one UAN from before, read by its suffix
    assert board_files.uan_for(legacy, "CPhT") == ""  # a -P UAN is not a technician's
    assert board_files.uan_for(None, "PharmD") == ""
    assert board_files.provider_number("JA0000000-0000-25-009-L04-P") == "JA0000000"
    assert board_files.provider_number("") == ""

"""The pure parts of imported claims (docs/domain.md "Imported history"): the one wording, the
certificate's note, the day an imported claim is dated, the namespaced number, and the error
registry reading an import's row problems."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from cme.platform import clock
from cme.records.pdf.certificate import imported_note, render
from cme.rules import credit
from cme.rules.imports import certificate_key
from infra.tools import error_sites
from tests.support.certificates import certificate


def test_one_wording_for_an_imported_claim() -> None:
    assert credit.imported_from("CloudCME") == "Imported from CloudCME"


def test_the_certificate_of_an_imported_claim_says_where_it_came_from() -> None:
    assert imported_note(certificate()) is None  # a certificate issued here says nothing of it
    data = certificate(imported_from="CloudCME", original_number="2019-0451", code="CLOUDCME20190451")
    assert imported_note(data) == "Imported from CloudCME   ·   Original certificate number: 2019-0451"
    assert imported_note(certificate(imported_from="CloudCME")) == "Imported from CloudCME"  # no number: a code of ours
    text = " ".join(PdfReader(io.BytesIO(render(data))).pages[0].extract_text().split())
    assert "Imported from CloudCME" in text and "Original certificate number: 2019-0451" in text
    assert "Certificate code: CLOUDCME20190451" in text
    assert len(PdfReader(io.BytesIO(render(data))).pages) == 1


def test_an_imported_claim_is_dated_noon_of_its_completion_day_in_the_office() -> None:
    for day in (date(2024, 3, 10), date(2024, 11, 3), date(2024, 12, 31)):  # DST changes and a year's end
        moment = clock.office_noon(day)
        assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
        assert clock.local_date(moment) == day


def test_the_old_number_is_namespaced_by_the_portal() -> None:
    assert certificate_key("Cloud CME", "2019-0451") == "CLOUDCME20190451"
    assert certificate_key("EthosCE", "a/7") == "ETHOSCEA7"


ROWS = """
from cme.rules.imports import Problem

def _row_problem(row, where, code, message):
    return Problem(row.row, where, code, message)

def check(row):
    yield Problem(row.row, "email", "SAMPLE_ROW", "No such learner.")
    yield Problem(row=row.row, field="email", code="SAMPLE_KEYWORD", message="Held.")
    yield _row_problem(row, "email", "SAMPLE_ROW_HELPER", "Taken.")
"""


def test_the_registry_reads_an_imports_row_problems_as_422(tmp_path: Path) -> None:
    source = tmp_path / "rows.py"
    source.write_text(ROWS, encoding="utf-8")
    scan = error_sites.Scan([source], {"InvalidInput": 422})
    assert {site.code: (site.status, site.message) for site in scan.sites} == {
        "SAMPLE_ROW": (422, "No such learner."),
        "SAMPLE_KEYWORD": (422, "Held."),
        "SAMPLE_ROW_HELPER": (422, "Taken."),
    }
    assert scan.unresolved == []  # the helper's own parameter is counted where it is called

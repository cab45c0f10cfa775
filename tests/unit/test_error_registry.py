"""One registry of error codes (cme.platform.errors.CODES): every place the source makes an error uses a
registered code with its registered status (infra/tools/error_sites.py walks the syntax trees,
so a mismatch fails here even on a path no test runs), and the registry holds nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from cme.platform import errors
from infra.tools import error_sites

SAMPLE = """
from cme.platform.errors import Conflict, InvalidInput, DomainError
from cme.runtime.resolver import error_response

GONE = "It is gone."

class Busy(DomainError):
    def __init__(self) -> None:
        super().__init__("SAMPLE_BUSY", "Busy now.")

def _bad(code: str, message: str, field: str) -> InvalidInput:
    return InvalidInput(code, message, [{"field": field, "message": message}])

def check(x, problem):
    if x:
        raise _bad("SAMPLE_HELPER", f"No {x} here.", "x")
    raise Conflict("SAMPLE_DIRECT", GONE)

def refuse():
    return 413, "SAMPLE_TUPLE", "Too big."

def answer():
    return error_response(418, "SAMPLE_RESPONSE", "Tea.")

def again(problem):
    raise InvalidInput(problem.code, problem.message)  # a re-raise: its code was counted where made

def unreadable(name):
    raise InvalidInput(name.upper(), "?")
"""
STATUSES = {"InvalidInput": 422, "Conflict": 409, "DomainError": 400, "Busy": 503}


def _sample(tmp_path: Path) -> error_sites.Scan:
    source = tmp_path / "sample.py"
    source.write_text(SAMPLE, encoding="utf-8")
    return error_sites.Scan([source], STATUSES)


def _line(text: str) -> int:
    return next(n for n, line in enumerate(SAMPLE.splitlines(), 1) if text in line)


def test_the_scan_reads_every_way_an_error_is_made(tmp_path: Path) -> None:
    scan = _sample(tmp_path)
    found = {site.code: (site.status, site.message) for site in scan.sites}
    assert found == {
        "SAMPLE_BUSY": (503, "Busy now."),
        "SAMPLE_HELPER": (422, "No … here."),
        "SAMPLE_DIRECT": (409, "It is gone."),
        "SAMPLE_TUPLE": (413, "Too big."),
        "SAMPLE_RESPONSE": (418, "Tea."),
    }
    assert next(s for s in scan.sites if s.code == "SAMPLE_DIRECT").where == f"sample.py:{_line('SAMPLE_DIRECT')}"
    assert scan.unresolved == [f"sample.py:{_line('name.upper()')}"]  # a code it cannot read is reported


def test_a_code_made_with_another_status_or_unregistered_is_caught(tmp_path: Path) -> None:
    scan = _sample(tmp_path)
    registry = {"SAMPLE_BUSY": 503, "SAMPLE_HELPER": 422, "SAMPLE_TUPLE": 413, "SAMPLE_RESPONSE": 418}
    assert error_sites.mismatches(scan.sites, {**registry, "SAMPLE_DIRECT": 409}) == []
    assert error_sites.mismatches(scan.sites, {**registry, "SAMPLE_DIRECT": 422}) == [
        f"sample.py:{_line('SAMPLE_DIRECT')}: SAMPLE_DIRECT made with 409, registered as 422"
    ]
    assert error_sites.mismatches(scan.sites, registry) == [
        f"sample.py:{_line('SAMPLE_DIRECT')}: SAMPLE_DIRECT is not in cme.platform.errors.CODES"
    ]


def test_the_source_makes_no_code_the_scan_cannot_read() -> None:
    assert error_sites.scan().unresolved == []


def test_every_error_the_source_makes_has_its_registered_status() -> None:
    scan = error_sites.scan()
    assert len(scan.sites) > 100  # the layer, the functions and the HTTP edge were all read
    registry = {code: errors.statuses_of(code) for code in errors.CODES}
    assert error_sites.mismatches(scan.sites, registry) == []


def test_the_registry_holds_exactly_the_codes_the_source_makes() -> None:
    assert set(errors.CODES) == set(error_sites.scan().codes())


def test_each_error_class_has_a_status_and_each_code_a_meaning() -> None:
    statuses = error_sites.class_statuses()
    assert statuses["InvalidInput"] == 422 and statuses["BadToken"] == 400 and statuses["TooManyAttempts"] == 429
    assert all(400 <= status < 600 for status in statuses.values())
    for code, entry in errors.CODES.items():
        assert code.isupper() and 400 <= entry.status < 600 and entry.meaning.endswith("."), code


def test_the_resolved_inconsistencies_hold() -> None:
    """One status per code: a page cursor the API did not make is 400 everywhere (as the
    activity lists answered it); an attendance code that opens nothing is 404 CODE_INVALID at
    sign-in (the contract, docs/api.md "Public"), and the activity form's malformed code has its
    own 422 code, CODE_MALFORMED (it shared CODE_INVALID, at 422)."""
    assert errors.CODES["CURSOR_INVALID"].status == 400
    assert errors.CODES["CODE_INVALID"].status == 404
    assert errors.CODES["CODE_MALFORMED"].status == 422


def test_a_code_answers_at_a_further_status_only_where_its_route_says_so() -> None:
    """PASSWORD_MISMATCH is 401 at sign-in and 422 for a password change (the names
    docs/api.md "My portal" gives): registered with both, declared by each route at its own status."""
    from cme.runtime.resolver import error_responses

    assert errors.statuses_of("PASSWORD_MISMATCH") == (401, 422)
    assert set(error_responses(["PASSWORD_MISMATCH"])) == {401}
    assert set(error_responses([("PASSWORD_MISMATCH", 422)])) == {422}
    with pytest.raises(ValueError, match="not registered with 409"):
        error_responses([("PASSWORD_MISMATCH", 409)])
    with pytest.raises(ValueError, match="CLAIM_WINDOW_CLOSED is not registered with 409"):
        error_responses([("CLAIM_WINDOW_CLOSED", 409)])

"""Imports from another portal end to end (issue 25): the routes, the file in S3 through the
pre-signed POST, the reader and the worker run from their queues in-process (as the SQS event
sources run them), on moto."""

from __future__ import annotations

import csv
import io
import os
from typing import Any

import pytest
import requests

from tests.support.client import ApiClient
from tests.support.faults import inject_faults

__all__ = ["inject_faults"]  # the fixture, used by name below

SOURCE = "Cloud CME"
ROWS_AT_SCALE = int(os.environ.get("IMPORT_TEST_ROWS", "1000"))
LEARNER_HEAD = ["source_id", "email", "first_name", "last_name", "degree", "phone", "npi"]


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def drain(gateway: Any) -> dict[str, Any]:
    from cme.platform.settings import get_settings
    from infra.local.scheduler import run_imports

    return run_imports(gateway.invoke, get_settings().aws_region)


def upload(admin: ApiClient, kind: str, data: bytes, filename: str = "export.csv", **extra: Any) -> str:
    answer = admin.post("/api/admin/imports", {"kind": kind, "filename": filename, "source_name": SOURCE, **extra})
    assert answer.status == 201, answer.json
    job, form = answer.json["import"], answer.json["upload"]
    assert job["status"] == "awaiting_upload"
    assert form["fields"]["key"].startswith(f"imports/{job['import_id']}/")
    posted = requests.post(form["url"], data=form["fields"], files={"file": (filename, data)}, timeout=10)
    assert posted.status_code in (200, 204), posted.text
    return str(job["import_id"])


def status(admin: ApiClient, import_id: str, cursor: str | None = None) -> dict[str, Any]:
    answer = admin.get(f"/api/admin/imports/{import_id}", query=f"problems_cursor={cursor}" if cursor else "")
    assert answer.status == 200, answer.json
    return dict(answer.json["import"])


def check(admin: ApiClient, gateway: Any, import_id: str, mapping: dict[str, str] | None = None) -> dict[str, Any]:
    assert status(admin, import_id)["status"] == "uploaded"
    answer = admin.post(f"/api/admin/imports/{import_id}/check", {"mapping": mapping or {}})
    assert answer.status == 202, answer.json
    drain(gateway)
    return status(admin, import_id)


def commit(admin: ApiClient, gateway: Any, import_id: str) -> dict[str, Any]:
    answer = admin.post(f"/api/admin/imports/{import_id}/commit", {})
    assert answer.status == 202, answer.json
    drain(gateway)
    return status(admin, import_id)


def run(admin: ApiClient, gateway: Any, kind: str, data: bytes, **extra: Any) -> dict[str, Any]:
    import_id = upload(admin, kind, data, **extra)
    checked = check(admin, gateway, import_id)
    assert checked["status"] == "checked", checked
    done = commit(admin, gateway, import_id)
    assert done["status"] == "done", done
    return done


def learners_file(count: int, start: int = 0) -> bytes:
    rows = [
        [f"L{n}", f"learner{n}@example.org", f"Zoë{n}", f"Núñez{n}", "MD" if n % 2 else "RN", "", ""]
        for n in range(start, start + count)
    ]
    return _csv(LEARNER_HEAD, rows)


def activities_file() -> bytes:
    return _csv(
        ["source_id", "title", "format", "start_date", "end_date", "location", "credits"],
        [
            ["A1", "Grand Rounds: Sepsis", "Grand Rounds", "3/14/2023", "3/14/2023", "Main Hall", "AMA_PRA_1:1;ANCC:1"],
            ["A2", "Opioid Safety", "enduring", "2022-01-10", "2022-12-31", "", "AMA_PRA_1:2.5"],
        ],
    )


def attendance_file() -> bytes:
    return _csv(
        ["activity_source_id", "email", "first_name", "last_name"],
        [
            ["A1", "learner1@example.org", "Zoë1", "Núñez1"],
            ["A2", "learner2@example.org", "", ""],
            ["A1", "learner3@example.org", "", ""],
        ],
    )


def _stored_learners() -> dict[str, Any]:
    from cme.platform.models import ImportKey, Learner

    keys = [k for k in ImportKey.scan() if "#learners#" in k.pk]
    learners = {learner.learner_id: learner for learner in Learner.scan()}
    return {k.pk.rsplit("#", 1)[1]: learners[k.target] for k in keys}


# ------------------------------------------------------------------ the whole flow


def test_learners_activities_and_attendance_import_and_a_second_run_creates_nothing(
    admin: ApiClient, gateway: Any
) -> None:
    from cme.identity import passwords
    from cme.platform.models import Activity, Attendance, EmailOwner

    import_id = upload(admin, "learners", learners_file(30))
    uploaded = status(admin, import_id)
    assert uploaded["columns"] == LEARNER_HEAD
    assert len(uploaded["preview"]) == 10 and uploaded["preview"][0]["email"] == "learner0@example.org"
    assert uploaded["suggested_mapping"] == {c: c for c in LEARNER_HEAD}
    checked = check(admin, gateway, import_id)
    assert (checked["status"], checked["rows"], checked["done"], checked["created"]) == ("checked", 30, 30, 30)
    assert _stored_learners() == {}  # the dry run wrote no learner
    done = commit(admin, gateway, import_id)
    assert (done["status"], done["done"], done["created"], done["skipped"], done["problem_count"]) == (
        "done",
        30,
        30,
        0,
        0,
    )
    stored = _stored_learners()
    assert sorted(stored) == sorted(f"L{n}" for n in range(30))
    learner = stored["L7"]
    assert (learner.first_name, learner.last_name, learner.degree) == ("Zoë7", "Núñez7", "MD")
    assert learner.password_hash == passwords.UNSET and learner.imported_from == SOURCE
    owner = EmailOwner.get("learner7@example.org")
    assert (owner.learner_id, owner.verified, owner.primary, owner.imported_from) == (
        learner.learner_id,
        False,
        True,
        SOURCE,
    )

    activities_id = upload(admin, "activities", activities_file())
    assert check(admin, gateway, activities_id)["created"] == 2
    assert [a for a in Activity.scan() if a.activity_id != "#calendar"] == []  # the dry run wrote none
    done = commit(admin, gateway, activities_id)
    assert (done["created"], done["problem_count"]) == (2, 0)
    titles = {a.title: a for a in Activity.scan() if a.activity_id != "#calendar"}
    sepsis = titles["Grand Rounds: Sepsis"]
    assert (sepsis.format, sepsis.start_date, sepsis.published) == ("rss", "2023-03-14", False)
    assert sorted((c.type, c.max) for c in sepsis.credits) == [("AMA_PRA_1", 1), ("ANCC", 1)]

    done = run(admin, gateway, "attendance", attendance_file())
    assert (done["created"], done["problem_count"]) == (3, 0)
    assert Attendance.get(sepsis.activity_id, "learner1@example.org").source == "import"

    # the same files again: every row skipped, nothing created
    again = run(admin, gateway, "learners", learners_file(30))
    assert (again["created"], again["matched"], again["skipped"]) == (0, 0, 30)
    assert run(admin, gateway, "activities", activities_file())["skipped"] == 2
    assert run(admin, gateway, "attendance", attendance_file())["skipped"] == 3
    assert len(_stored_learners()) == 30 and len([a for a in Activity.scan() if a.activity_id != "#calendar"]) == 2

    listed = admin.get("/api/admin/imports").json["imports"]
    assert len(listed) == 6 and listed[0]["kind"] == "attendance"


def test_rows_with_problems_are_reported_by_row_and_the_rest_imported(admin: ApiClient, gateway: Any) -> None:
    rows = [
        ["L1", "good@example.org", "Ana", "Ruiz", "RN", "(480) 555-0100", "1234567893"],
        ["L2", "not an email", "Ben", "Ng", "MD", "", ""],
        ["L3", "c@example.org", "", "Cole", "MD", "", ""],
        ["L4", "d@example.org", "Dee", "Dunn", "Wizard", "", ""],
        ["L5", "e@example.org", "Eve", "Eck", "", "12", ""],
        ["L6", "f@example.org", "Fay", "Fox", "MD", "", "1234567890"],
        ["L1", "g@example.org", "Gus", "Gray", "MD", "", ""],
        ["", "h@example.org", "Hal", "Hunt", "MD", "", ""],
    ]
    import_id = upload(admin, "learners", _csv(LEARNER_HEAD, rows))
    checked = check(admin, gateway, import_id)
    found = sorted((p["row"], p["field"], p["code"]) for p in checked["problems"])
    assert found == [
        (3, "email", "IMPORT_EMAIL_INVALID"),
        (4, "first_name", "IMPORT_VALUE_MISSING"),
        (5, "degree", "IMPORT_DEGREE_UNKNOWN"),
        (6, "phone", "IMPORT_PHONE_INVALID"),
        (7, "npi", "IMPORT_NPI_INVALID"),
        (8, "source_id", "IMPORT_DUPLICATE_ROW"),
        (9, "source_id", "IMPORT_VALUE_MISSING"),
    ]
    assert all(p["message"] for p in checked["problems"])
    assert (checked["created"], checked["problem_count"], checked["done"]) == (1, 7, 8)
    report = admin.get(f"/api/admin/imports/{import_id}/problems.csv")
    assert report.status == 200
    lines = list(csv.reader(io.StringIO(report.raw.decode("utf-8-sig"))))
    assert lines[0] == ["Row", "Column", "Code", "Message"] and len(lines) == 8
    done = commit(admin, gateway, import_id)
    assert (done["created"], done["problem_count"]) == (1, 7)
    assert set(_stored_learners()) == {"L1"}


def test_activity_and_attendance_problems(admin: ApiClient, gateway: Any) -> None:
    bad = _csv(
        ["source_id", "title", "format", "start_date", "end_date", "location", "credits"],
        [
            ["A1", "Fine", "live", "2024-02-01", "", "", "AMA_PRA_1:1"],
            ["A2", "Odd credit", "live", "2024-02-01", "", "", "CME_POINTS:1"],
            ["A3", "Bad date", "live", "31/31/2024", "", "", "AMA_PRA_1:1"],
            ["A4", "Zero", "live", "2024-02-01", "", "", "AMA_PRA_1:zero"],
            ["A5", "Backwards", "live", "2024-02-05", "2024-02-01", "", "AMA_PRA_1:1"],
        ],
    )
    done = run(admin, gateway, "activities", bad)
    assert sorted((p["row"], p["code"]) for p in done["problems"]) == [
        (3, "IMPORT_CREDIT_TYPE_UNKNOWN"),
        (4, "IMPORT_DATE_INVALID"),
        (5, "IMPORT_NUMBER_INVALID"),
        (6, "IMPORT_DATE_INVALID"),
    ]
    attendance = _csv(["activity_source_id", "email"], [["A1", "x@example.org"], ["A9", "y@example.org"]])
    done = run(admin, gateway, "attendance", attendance)
    assert [(p["row"], p["code"]) for p in done["problems"]] == [(3, "IMPORT_ACTIVITY_UNKNOWN")]
    assert done["created"] == 1


def test_a_mapping_names_their_headers_and_a_bad_one_is_refused(admin: ApiClient, gateway: Any) -> None:
    data = _csv(["User ID", "E-mail", "First", "Last", "Credential"], [["9", "map@example.org", "Mo", "Ali", "DO"]])
    import_id = upload(admin, "learners", data)
    assert status(admin, import_id)["suggested_mapping"] == {"email": "E-mail"}  # punctuation aside
    refused = admin.post(f"/api/admin/imports/{import_id}/check", {"mapping": {"email": "Nope", "colour": "First"}})
    assert refused.status == 422 and refused.json["code"] == "IMPORT_MAPPING_INVALID"
    fields = {(d["field"]) for d in refused.json["details"]}
    assert {"email", "colour", "source_id", "first_name", "last_name"} <= fields
    assert admin.post(f"/api/admin/imports/{import_id}/commit", {}).json["code"] == "IMPORT_STATUS"
    mapping = {
        "source_id": "User ID",
        "email": "E-mail",
        "first_name": "First",
        "last_name": "Last",
        "degree": "Credential",
    }
    checked = check(admin, gateway, import_id, mapping)
    assert (checked["created"], checked["mapping"]) == (1, mapping)
    assert commit(admin, gateway, import_id)["created"] == 1
    assert _stored_learners()["9"].degree == "DO"


def test_a_bad_file_name_and_an_unknown_import(admin: ApiClient) -> None:
    answer = admin.post("/api/admin/imports", {"kind": "learners", "filename": "export.pdf", "source_name": SOURCE})
    assert answer.status == 422 and answer.json["code"] == "IMPORT_FILENAME_INVALID"
    assert admin.get("/api/admin/imports/nope").status == 404
    assert admin.get("/api/admin/imports/nope/problems.csv").status == 404


def test_a_learner_is_matched_by_a_second_confirmed_email_and_a_hold_is_a_problem(
    admin: ApiClient, gateway: Any, new_client: Any, outbox: Any
) -> None:
    from cme.platform import clock
    from cme.platform.models import EmailOwner, Learner
    from tests.integration.test_claims_report import person

    person(new_client, outbox, "first@example.org", first_name="Pat", last_name="Two")
    owner = EmailOwner.get("first@example.org")
    EmailOwner(
        "second@example.org", learner_id=owner.learner_id, verified=True, primary=False, added_at=clock.now()
    ).save()
    EmailOwner("held@example.org", learner_id="someone", verified=False, primary=True, added_at=clock.now()).save()
    rows = [
        ["M1", "second@example.org", "Pat", "Two", "MD", "", ""],
        ["M2", "held@example.org", "Hel", "D", "MD", "", ""],
    ]
    done = run(admin, gateway, "learners", _csv(LEARNER_HEAD, rows))
    assert (done["matched"], done["created"], done["problem_count"]) == (1, 0, 1)
    assert [(p["row"], p["code"]) for p in done["problems"]] == [(3, "IMPORT_EMAIL_HELD")]
    learners = [learner for learner in Learner.scan() if learner.role == "learner"]
    assert len(learners) == 1  # matched, not created
    from cme.platform.models import ImportKey

    assert ImportKey.get(ImportKey.key_of("CLOUDCME", "learners", "M1"), "#").target == owner.learner_id


# ------------------------------------------------------------------ faults, retries, scale


def test_faults_in_the_writes_leave_the_stored_rows_equal_to_the_input(
    admin: ApiClient, gateway: Any, inject_faults: Any
) -> None:
    import_id = upload(admin, "learners", learners_file(60))
    check(admin, gateway, import_id)
    injector = inject_faults(conflict=0.15, throttle=0.1, seed=11)
    done = commit(admin, gateway, import_id)
    injector.uninstall()
    stored = _stored_learners()
    assert sorted(stored) == sorted(f"L{n}" for n in range(60))
    assert (done["status"], done["created"], done["done"], done["problem_count"]) == ("done", 60, 60, 0)
    from cme.platform.models import EmailOwner, Learner

    emails = [learner.email for learner in Learner.scan() if learner.role == "learner"]
    assert len(emails) == len(set(emails)) == 60
    assert all(EmailOwner.get(e).learner_id == stored[f"L{e[7:].split('@')[0]}"].learner_id for e in emails)


def test_a_batch_that_fails_three_times_becomes_problems(
    admin: ApiClient, gateway: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.credit import imports

    import_id = upload(admin, "learners", learners_file(130))  # two batches: rows 2-101 and 102-131
    check(admin, gateway, import_id)
    original = imports._write_learner

    def broken(batch: Any, p: Any, owner: Any, *grouping: Any) -> None:
        if p.row >= 102:
            raise RuntimeError("the table is down")
        original(batch, p, owner, *grouping)

    monkeypatch.setattr(imports, "_write_learner", broken)
    done = commit(admin, gateway, import_id)
    assert (done["status"], done["done"], done["created"], done["problem_count"]) == ("done", 130, 100, 30)
    assert sorted(p["row"] for p in done["problems"]) == list(range(102, 132))
    assert {p["code"] for p in done["problems"]} == {"IMPORT_ROW_FAILED"}
    assert len(_stored_learners()) == 100


def test_rows_at_scale(admin: ApiClient, gateway: Any) -> None:
    done = run(admin, gateway, "learners", learners_file(ROWS_AT_SCALE))
    assert (done["rows"], done["created"], done["done"]) == (ROWS_AT_SCALE,) * 3
    assert len(_stored_learners()) == ROWS_AT_SCALE


def test_invite_queues_the_created_learners_once(admin: ApiClient, gateway: Any) -> None:
    """The reader hands the learners the import created to cme.identity.invitations, 100 at a
    time; a second Invite finds nobody left."""
    from cme.platform.models import ImportInvite

    import_id = upload(admin, "learners", learners_file(3))
    check(admin, gateway, import_id)
    early = admin.post(f"/api/admin/imports/{import_id}/invite", {})
    assert early.status == 409 and early.json["code"] == "IMPORT_STATUS"
    commit(admin, gateway, import_id)
    answer = admin.post(f"/api/admin/imports/{import_id}/invite", {})
    assert answer.status == 202 and answer.json == {"queued": 3}
    assert drain(gateway)["read"] == 1
    from cme.platform.models.tables import INVITE_PREFIX

    invited = {m.learner_id for m in ImportInvite.query(import_id, ImportInvite.sk.startswith(INVITE_PREFIX))}
    assert invited == {learner.learner_id for learner in _stored_learners().values()}
    assert admin.post(f"/api/admin/imports/{import_id}/invite", {}).json == {"queued": 0}


def test_the_bench_entry_imports_a_workbook_in_process(admin: ApiClient, gateway: Any) -> None:
    """infra.local.imports.run_import (what `make bench` calls), here with an XLSX file whose
    dates are date cells."""
    from datetime import datetime

    from openpyxl import Workbook

    from cme.platform.models import Activity
    from infra.local.imports import run_import

    book = Workbook()
    sheet = book.active
    sheet.append(["Course ID", "Course Title", "Start", "Credits"])
    sheet.append(["C-1", "Airway Workshop", datetime(2021, 5, 6), "AMA_PRA_1:3"])
    sheet.append(["C-2", "Bad Credit", datetime(2021, 5, 7), "CEU:3"])
    raw = io.BytesIO()
    book.save(raw)
    mapping = {"source_id": "Course ID", "title": "Course Title", "start_date": "Start", "credits": "Credits"}
    result = run_import(gateway.invoke, "activities", raw.getvalue(), filename="courses.xlsx", mapping=mapping)
    assert result["check"]["created"] == 1
    done = result["import"]
    assert (done["status"], done["created"], done["problem_count"]) == ("done", 1, 1)
    [activity] = [a for a in Activity.scan() if a.activity_id != "#calendar"]
    assert (activity.title, activity.start_date, activity.end_date) == ("Airway Workshop", "2021-05-06", "2021-05-06")


def test_problems_are_paged_by_row(admin: ApiClient, gateway: Any) -> None:
    rows = [[f"P{n}", f"bad address {n}", "A", "B", "", "", ""] for n in range(130)]
    import_id = upload(admin, "learners", _csv(LEARNER_HEAD, rows))
    first = check(admin, gateway, import_id)
    assert first["problem_count"] == 130 and len(first["problems"]) == 100
    assert [p["row"] for p in first["problems"]] == list(range(2, 102))
    second = status(admin, import_id, first["next_problems_cursor"])
    assert [p["row"] for p in second["problems"]] == list(range(102, 132))
    assert second["next_problems_cursor"] is None
    bad = admin.get(f"/api/admin/imports/{import_id}", query="problems_cursor=bm9wZQ")
    assert bad.status == 400 and bad.json["code"] == "CURSOR_INVALID"


def test_rows_of_long_cells_go_in_smaller_batches(admin: ApiClient, gateway: Any) -> None:
    """100 rows of 4,000-character names would make a message over SQS's 256 KB: the reader
    closes a batch early, and every row is still read and counted."""
    rows = [[f"W{n}", f"wide{n}@example.org", "N" * 4000, "Wide", "", "", ""] for n in range(100)]
    import_id = upload(admin, "learners", _csv(LEARNER_HEAD, rows))
    checked = check(admin, gateway, import_id)
    assert (checked["status"], checked["rows"], checked["done"], checked["problem_count"]) == ("checked", 100, 100, 100)
    assert {p["code"] for p in checked["problems"]} == {"IMPORT_NAME_INVALID"}

    from cme.platform.models import ImportJob
    from cme.platform.models.tables import JOB_SK

    assert ImportJob.get(import_id, JOB_SK).batches > 1


def test_a_source_id_repeated_in_a_later_batch_is_a_duplicate_and_a_repeated_email_is_matched(
    admin: ApiClient, gateway: Any
) -> None:
    rows = [[f"L{n}", f"learner{n}@example.org", "A", "B", "", "", ""] for n in range(120)]
    rows.insert(48, ["L998", "learner7@example.org", "G", "H", "", "", ""])  # row 50: learner7's email, same batch
    rows.append(["L3", "other@example.org", "C", "D", "", "", ""])  # row 123: L3 again, another batch
    rows.append(["L999", "learner5@example.org", "E", "F", "", "", ""])  # row 124: learner5's email, another batch
    import_id = upload(admin, "learners", _csv(LEARNER_HEAD, rows))
    checked = check(admin, gateway, import_id)
    assert (checked["created"], checked["matched"]) == (122, 1)  # a dry run sees within a batch only
    done = commit(admin, gateway, import_id)
    assert (done["created"], done["matched"], done["problem_count"]) == (120, 2, 1)
    assert [(p["row"], p["code"]) for p in done["problems"]] == [(123, "IMPORT_DUPLICATE_ROW")]
    stored = _stored_learners()
    assert stored["L999"].learner_id == stored["L5"].learner_id and stored["L998"].learner_id == stored["L7"].learner_id
    assert stored["L3"].email == "learner3@example.org"


def test_claims_import_after_learners_and_activities_and_verify_by_their_number(
    admin: ApiClient, gateway: Any, client: ApiClient
) -> None:
    from cme.platform.models import Claim

    run(admin, gateway, "learners", learners_file(4))
    run(admin, gateway, "activities", activities_file())
    claims = _csv(
        ["source_id", "activity_source_id", "email", "credit_type", "credits", "completed_on", "certificate_number"],
        [
            ["C1", "A1", "learner1@example.org", "AMA_PRA_1", "1", "3/14/2023", "2019-0451"],
            ["C2", "A2", "learner2@example.org", "AMA_PRA_1", "2.5", "2022-06-01", ""],
            ["C3", "A1", "nobody@example.org", "AMA_PRA_1", "1", "2023-03-14", ""],
            ["C4", "A9", "learner3@example.org", "AMA_PRA_1", "1", "2023-03-14", ""],
            ["C5", "A1", "learner1@example.org", "ANCC", "1", "3/14/2023", ""],  # a second line of C1's claim
        ],
    )
    done = run(admin, gateway, "claims", claims)
    assert (done["created"], done["problem_count"]) == (3, 2), done["problems"]
    assert sorted((p["row"], p["code"]) for p in done["problems"]) == [
        (4, "IMPORT_LEARNER_UNKNOWN"),
        (5, "IMPORT_ACTIVITY_UNKNOWN"),
    ]
    stored = [c for c in Claim.scan() if c.source == "imported"]
    assert len(stored) == 2 and {c.source_name for c in stored} == {SOURCE}
    assert sorted(line.credit_type for c in stored for line in c.lines) == ["AMA_PRA_1", "AMA_PRA_1", "ANCC"]
    verified = client.get("/api/verify/CLOUDCME20190451")
    assert verified.status == 200, verified.json
    assert run(admin, gateway, "claims", claims)["skipped"] == 3  # a second run creates nothing
    assert len([c for c in Claim.scan() if c.source == "imported"]) == 2


def test_an_invitation_the_mail_queue_refuses_is_tried_again_by_sqs(
    admin: ApiClient, gateway: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The paced mail queue refuses the first batch of invitations: its markers are taken back
    (cme.identity.invitations), the reader's message fails and SQS delivers it again; then every
    learner is invited, once."""
    from cme.platform import queues
    from cme.platform.models import ImportInvite
    from cme.platform.models.tables import INVITE_PREFIX

    import_id = upload(admin, "learners", learners_file(2))
    check(admin, gateway, import_id)
    commit(admin, gateway, import_id)
    real = queues.send_batch
    refusals = [RuntimeError("the queue is unavailable")]

    def flaky(queue: str, bodies: list[Any]) -> Any:
        if refusals:
            raise refusals.pop()
        return real(queue, bodies)

    monkeypatch.setattr(queues, "send_batch", flaky)
    assert admin.post(f"/api/admin/imports/{import_id}/invite", {}).json == {"queued": 2}
    drained = drain(gateway)
    assert (drained["read"], drained["failed"]) == (1, 1)
    markers = ImportInvite.query(import_id, ImportInvite.sk.startswith(INVITE_PREFIX))
    assert sorted(m.learner_id for m in markers) == sorted(x.learner_id for x in _stored_learners().values())


def test_an_imported_learner_resets_their_password_and_sees_their_history(
    admin: ApiClient, gateway: Any, new_client: Any, outbox: Any
) -> None:
    """The day an office moves: all four files through the routes and the queues, then one of its
    clinicians uses Forgot password and finds their whole history: the activities they attended,
    their imported claims (marked, with the old certificate number) on the transcript."""
    from tests.integration.test_email_trust import newest_to, sign_in, token_in

    run(admin, gateway, "learners", learners_file(4))
    run(admin, gateway, "activities", activities_file())
    assert run(admin, gateway, "attendance", attendance_file())["created"] == 3
    claims = _csv(
        ["source_id", "activity_source_id", "email", "credit_type", "credits", "completed_on", "certificate_number"],
        [
            ["C1", "A1", "learner1@example.org", "AMA_PRA_1", "1", "2023-03-14", "2019-0451"],
            ["C2", "A2", "learner1@example.org", "AMA_PRA_1", "2.5", "2022-06-01", "2019-0452"],
        ],
    )
    assert run(admin, gateway, "claims", claims)["created"] == 2

    browser = new_client()
    assert sign_in(browser, "learner1@example.org", "a new passphrase").status == 401  # no password yet
    asked = new_client().post("/api/auth/password-reset", {"email": "learner1@example.org"})
    assert asked.status == 202, asked.json
    token = token_in(newest_to(outbox, "learner1@example.org"), "reset-password.html")
    confirmed = new_client().post("/api/auth/password-reset/confirm", {"token": token, "password": "a new passphrase"})
    assert confirmed.status == 204, confirmed.json
    signed = sign_in(browser, "learner1@example.org", "a new passphrase")
    assert signed.status == 200, signed.json
    assert signed.json["learner"]["email_verified"] is True
    assert (signed.json["learner"]["first_name"], signed.json["learner"]["last_name"]) == ("Zoë1", "Núñez1")

    mine = browser.get("/api/me/claims").json["claims"]
    assert sorted((c["activity_title"], c["source"], c["source_name"], c["certificate_code"]) for c in mine) == [
        ("Grand Rounds: Sepsis", "imported", SOURCE, "CLOUDCME20190451"),
        ("Opioid Safety", "imported", SOURCE, "CLOUDCME20190452"),
    ]
    transcript = browser.get("/api/me/transcript", query="format=json&from=2022-01-01&to=2023-12-31")
    assert transcript.status == 200, transcript.json
    rows = transcript.json["rows"]
    assert sorted((r["title"], r["credits"], r["source_label"]) for r in rows) == [
        ("Grand Rounds: Sepsis", 1.0, f"Imported from {SOURCE}"),
        ("Opioid Safety", 2.5, f"Imported from {SOURCE}"),
    ]
    activities = browser.get("/api/me/activities")
    assert activities.status == 200, activities.json
    assert "Grand Rounds: Sepsis" in str(activities.json)  # attended (the attendance file), and claimed

"""Each email's EmailAttendance item (the activities attended under it) is exact: written and
removed in the same transaction as the attendance rows it lists, by every writer (event sign-in,
roster, text message, the coordinator's removal), and built for older rows by the backfill.
My activities reads only these items (tests/integration/test_call_budget.py counts the reads)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.integration.conftest import account
from tests.integration.test_claims import verify_primary
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

EMAIL = "sean.obriain@example.org"


def _listed(email: str) -> set[str]:
    from cme.platform.models import EmailAttendance

    found = EmailAttendance.batch_get([EmailAttendance.key_of(email)], consistent_read=True)
    return {a for item in found for a in (item.activities or ())}


def _learner(new_client: Any, outbox: Any) -> ApiClient:
    learner = new_client()
    assert learner.post("/api/accounts", account(email=EMAIL)).status == 201
    verify_primary(learner, outbox, new_client)
    return learner


def _mine(learner: ApiClient) -> set[str]:
    answer = learner.get("/api/me/activities")
    assert answer.status == 200, answer.json
    return {a["activity_id"] for a in answer.json["activities"]}


def test_every_writer_keeps_the_email_item_exact(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    learner = _learner(new_client, outbox)
    by_roster, at_event = create(admin, title="On the roster"), create(admin, title="Signed in at the event")
    assert (
        admin.post(f"/api/admin/activities/{by_roster['activity_id']}/attendance", {"rows": [{"email": EMAIL}]}).json[
            "added"
        ]
        == 1
    )
    body = {"code": at_event["attendance_code"], "email": EMAIL.upper(), "first_name": "Seán", "last_name": "Ó Briain"}
    assert new_client().post("/api/attendance", body).status == 201
    assert new_client().post("/api/attendance", body).status == 200  # a double tap: listed once
    assert _listed(EMAIL) == {by_roster["activity_id"], at_event["activity_id"]}
    assert _mine(learner) == {by_roster["activity_id"], at_event["activity_id"]}
    # the coordinator's removal takes it out of the item in the same transaction
    removed = admin.call("DELETE", f"/api/admin/activities/{by_roster['activity_id']}/attendance/{quote(EMAIL)}")
    assert removed.status == 204, removed.json
    assert _listed(EMAIL) == {at_event["activity_id"]}
    assert _mine(learner) == {at_event["activity_id"]}
    # the last one out: the item keeps no empty set, and lists nothing
    assert (
        admin.call("DELETE", f"/api/admin/activities/{at_event['activity_id']}/attendance/{quote(EMAIL)}").status == 204
    )
    assert _listed(EMAIL) == set() and _mine(learner) == set()


def test_a_row_written_meanwhile_is_left_and_the_rest_of_its_transaction_written(admin: ApiClient) -> None:
    """Roster import reads which rows exist, then writes 50 to a transaction, each on condition
    it is not there: a row written in between (an attendee signing in during the import) is
    left as it was and reported present, and the other 49 are written, each listed once."""
    from cme.platform import clock
    from cme.platform.models import Attendance
    from cme.publishing import attendance

    activity = create(admin)
    activity_id = activity["activity_id"]
    emails = [f"learner{n:02d}@example.org" for n in range(50)]
    first = Attendance(
        activity_id, emails[7], first_name="Early", last_name="Bird", source="self", recorded_at=clock.now()
    )
    assert attendance.record(first)
    rows = [
        Attendance(activity_id, e, first_name="Ro", last_name="Ster", source="roster", recorded_at=clock.now())
        for e in emails
    ]
    written = attendance.record_many(rows)
    assert sorted(r.email for r in written) == sorted(set(emails) - {emails[7]})
    assert Attendance.get(activity_id, emails[7]).first_name == "Early"
    assert all(_listed(e) == {activity_id} for e in emails)


def test_the_backfill_lists_rows_recorded_before_the_items(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    from cme.platform import clock
    from cme.platform.models import Attendance
    from infra.tools.backfill_email_attendance import _add, backfill

    learner = _learner(new_client, outbox)
    older = [create(admin, title=f"Attended before the change {n}") for n in range(3)]
    for activity in older:  # as the writers before this change stored them: the row alone
        Attendance(
            activity["activity_id"], EMAIL, first_name="S", last_name="B", source="roster", recorded_at=clock.now()
        ).save()
    assert _mine(learner) == set()  # not listed until the backfill has run
    done = backfill()
    assert done["activities_added"] == 3 and done["emails_updated"] == 1
    assert _mine(learner) == {a["activity_id"] for a in older}
    assert backfill()["activities_added"] == 0  # again: nothing left to do
    # exact while the portal runs: a row removed after the scan is not added back
    gone = create(admin, title="Removed meanwhile")
    assert _add(EMAIL, [gone["activity_id"], older[0]["activity_id"]]) == 1
    assert _listed(EMAIL) == {a["activity_id"] for a in older}

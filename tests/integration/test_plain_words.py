"""Words a person reads (issue 14, "Polish"): a closed attendance code gives its dates as people
write them, and one word, "unconfirmed", for emails not yet proven."""

from __future__ import annotations

import re
from typing import Any

from tests.integration.conftest import account
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

PERSON = {"email": "zoe@example.org", "first_name": "Zoë", "last_name": "M"}


def test_a_closed_code_names_its_day_in_words(admin: ApiClient, new_client: Any) -> None:
    past = create(admin, start_date="2025-11-27", end_date="2025-11-27", title="Grand Rounds")
    closed = new_client().post("/api/attendance", {"code": past["attendance_code"], **PERSON})
    assert closed.status == 422
    assert closed.json == {
        "code": "SIGN_IN_CLOSED",
        "message": "Sign-in for “Grand Rounds” is open only on its date(s): November 27, 2025.",
    }


def test_a_closed_code_names_both_days_of_a_conference(admin: ApiClient, new_client: Any) -> None:
    past = create(admin, start_date="2025-03-09", end_date="2025-03-10", title="Cardiology Update")
    closed = new_client().post("/api/attendance", {"code": past["attendance_code"], **PERSON})
    assert closed.status == 422
    message = closed.json["message"]
    assert message.endswith("open only on its date(s): March 9, 2025 to March 10, 2025."), message
    assert "2025-03" not in message


def test_the_note_on_unconfirmed_emails_says_unconfirmed(client: ApiClient, outbox: Any) -> None:
    assert client.post("/api/accounts", account()).status == 201
    token = re.search(r"token=([A-Za-z0-9_-]+)", outbox()[-1]["text"]).group(1)  # other emails once it is confirmed
    assert client.post("/api/accounts/verify-email", {"token": token}).status == 200
    assert client.post("/api/me/emails", {"email": "second@example.org"}).status in (201, 202)
    listed = client.get("/api/me/activities")
    assert listed.status == 200, listed.json
    assert listed.json["unverified_emails"], listed.json
    note = listed.json["note"]
    assert "unconfirmed email" in note, note
    assert "not confirmed" not in note and "verified" not in note.lower()

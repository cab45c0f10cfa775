"""Publisher: activities, the public catalogue, attendance capture, the coordinators' routes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.clock import SetClock
from tests.integration.conftest import account
from tests.support.calls import count_calls
from tests.support.client import ApiClient
from tests.support.clock import office_date


def activity_body(**overrides: Any) -> dict[str, Any]:
    today = office_date()
    body: dict[str, Any] = {
        "title": "Grand Rounds: Sepsis in 2026 — what changed?",
        "description": "Early recognition and the new bundle.",
        "format": "rss",
        "start_date": today.isoformat(),
        "end_date": today.isoformat(),
        "location": "Auditorium B",
        "credits": [{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ANCC", "max": 1.0}],
        "claim_window_days": 30,
        "evaluation": [
            {"question_id": "q1", "text": "Was it free of commercial bias?", "kind": "yes_no", "required": True}
        ],
        "published": True,
    }
    body.update(overrides)
    return body


def create(admin: ApiClient, **overrides: Any) -> dict[str, Any]:
    answer = admin.post("/api/admin/activities", activity_body(**overrides))
    assert answer.status == 201, answer.json
    return answer.json["activity"]


def test_admin_routes_refuse_learners_and_strangers(client: ApiClient, new_client: Any) -> None:
    assert client.post("/api/accounts", account()).status == 201
    for method, path in [
        ("GET", "/api/admin/activities"),
        ("POST", "/api/admin/activities"),
        ("GET", "/api/admin/activities/x"),
        ("PUT", "/api/admin/activities/x"),
        ("POST", "/api/admin/activities/x/attendance"),
        ("GET", "/api/admin/activities/x/qr.svg"),
    ]:
        body = activity_body() if method in ("POST", "PUT") else None
        learner = client.call(method, path, body)
        assert learner.status == 403 and learner.json["code"] == "FORBIDDEN", (method, path)
        stranger = new_client().call(method, path, body)
        assert stranger.status == 401 and stranger.json["code"] == "SIGN_IN_REQUIRED"


def test_create_and_edit_an_activity(admin: ApiClient) -> None:
    created = create(admin)
    code = created["attendance_code"]
    assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}", code)
    assert created["attend_url"].endswith(f"/attend.html?code={code}")
    assert created["credits"] == [{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ANCC", "max": 1.0}]
    edited = admin.put(
        f"/api/admin/activities/{created['activity_id']}",
        activity_body(
            title="Grand Rounds: Sepsis", attendance_code="sepsis-26", credits=[{"type": "AMA_PRA_1", "max": 1.25}]
        ),
    )
    assert edited.status == 200, edited.json
    assert edited.json["activity"]["attendance_code"] == "SEPSIS26"
    assert edited.json["activity"]["credits"] == [{"type": "AMA_PRA_1", "max": 1.25}]
    listed = admin.get("/api/admin/activities").json["activities"]
    assert [(a["title"], a["attendance_count"]) for a in listed] == [("Grand Rounds: Sepsis", 0)]
    # the old code is free again, the new one is taken
    assert create(admin, attendance_code=code)["attendance_code"] == code
    taken = admin.post("/api/admin/activities", activity_body(attendance_code="SEPSIS26"))
    assert taken.status == 409 and taken.json["code"] == "CODE_TAKEN"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"end_date": "2020-01-01", "start_date": "2020-01-02"}, "DATES_INVALID", "end_date"),
        ({"credits": [{"type": "AMA_PRA_1", "max": 1.1}]}, "CREDITS_INVALID", "credits.0.max"),
        (
            {"credits": [{"type": "AMA_PRA_1", "max": 1}, {"type": "AMA_PRA_1", "max": 2}]},
            "CREDITS_INVALID",
            "credits.1.type",
        ),
        ({"credits": [{"type": "CME_MAGIC", "max": 1}]}, "VALIDATION_FAILED", "credits.0.type"),
        ({"credits": []}, "VALIDATION_FAILED", "credits"),
        ({"credits": [{"type": "AMA_PRA_1", "max": 0}]}, "VALIDATION_FAILED", "credits.0.max"),
        ({"format": "podcast"}, "VALIDATION_FAILED", "format"),
        ({"claim_window_days": 0}, "VALIDATION_FAILED", "claim_window_days"),
        ({"attendance_code": "A-B"}, "CODE_MALFORMED", "attendance_code"),
        (
            {"evaluation": [{"question_id": "q", "text": "a"}, {"question_id": "q", "text": "b"}]},
            "EVALUATION_INVALID",
            "evaluation.1.question_id",
        ),
        ({"start_date": "not a date"}, "VALIDATION_FAILED", "start_date"),
    ],
)
def test_activity_validation(admin: ApiClient, overrides: dict[str, Any], code: str, field: str) -> None:
    answer = admin.post("/api/admin/activities", activity_body(**overrides))
    assert answer.status == 422, answer.json
    assert answer.json["code"] == code
    assert field in {d["field"] for d in answer.json["details"]}


def test_public_catalogue_hides_codes_and_drafts(admin: ApiClient, new_client: Any) -> None:
    published = create(admin)
    draft = create(admin, title="Draft", published=False)
    public = new_client()
    listed = public.get("/api/activities")
    assert listed.status == 200
    assert [a["title"] for a in listed.json["activities"]] == [published["title"]]
    assert "attendance_code" not in listed.raw.decode() and published["attendance_code"] not in listed.raw.decode()
    one = public.get(f"/api/activities/{published['activity_id']}")
    assert one.status == 200 and one.json["credits"][0]["type"] == "AMA_PRA_1"
    assert public.get(f"/api/activities/{draft['activity_id']}").json["code"] == "NOT_FOUND"
    assert public.get("/api/activities/nope").status == 404


def test_self_sign_in_at_the_event(admin: ApiClient, new_client: Any) -> None:
    activity = create(admin)
    phone = new_client()
    body = {
        "code": activity["attendance_code"].lower()[:3] + " " + activity["attendance_code"][3:],
        "email": " Zoe@Example.org",
        "first_name": "Zoë",
        "last_name": "Łukasiewicz-Müller",
    }
    first = phone.post("/api/attendance", body)
    assert first.status == 201 and first.json == {"activity_id": activity["activity_id"], "title": activity["title"]}
    again = phone.post("/api/attendance", body)  # a double tap
    assert again.status == 200
    listed = admin.get(f"/api/admin/activities/{activity['activity_id']}/attendance").json["rows"]
    assert [(a["email"], a["first_name"], a["source"]) for a in listed] == [("zoe@example.org", "Zoë", "self")]
    assert admin.get("/api/admin/activities").json["activities"][0]["attendance_count"] == 1


def test_self_sign_in_only_while_open_and_with_a_real_code(admin: ApiClient, new_client: Any) -> None:
    past = create(admin, start_date="2025-01-10", end_date="2025-01-10")
    draft = create(admin, published=False)
    phone = new_client()
    person = {"email": "zoe@example.org", "first_name": "Zoë", "last_name": "M"}
    closed = phone.post("/api/attendance", {"code": past["attendance_code"], **person})
    assert closed.status == 422 and closed.json["code"] == "SIGN_IN_CLOSED"
    assert phone.post("/api/attendance", {"code": draft["attendance_code"], **person}).json["code"] == "CODE_INVALID"
    wrong = phone.post("/api/attendance", {"code": "ZZZZZZ", **person})
    assert wrong.status == 404 and wrong.json["code"] == "CODE_INVALID"


def test_code_guessing_is_throttled(admin: ApiClient, new_client: Any) -> None:
    from cme.platform.settings import get_settings

    wrong = get_settings().attendance_wrong_codes_per_client  # per client; only wrong codes count
    guesser = new_client("192.0.2.99")
    person = {"email": "x@example.org", "first_name": "X", "last_name": "Y"}
    statuses = [guesser.post("/api/attendance", {"code": f"ABC{n:03d}", **person}).status for n in range(wrong + 1)]
    assert statuses[:wrong] == [404] * wrong and statuses[wrong] == 429


def test_the_attend_page_looks_up_a_codes_activity_title_and_dates_only(admin: ApiClient, new_client: Any) -> None:
    activity = create(admin, title="Grand Rounds: Sepsis")
    draft = create(admin, published=False)
    phone = new_client()
    code = activity["attendance_code"]
    found = phone.get(f"/api/attend/{code.lower()}")  # typed as people type it
    assert found.status == 200
    assert found.json == {
        "title": "Grand Rounds: Sepsis",
        "start_date": activity["start_date"],
        "end_date": activity["end_date"],
    }
    for wrong in ("ZZZZZZ", draft["attendance_code"], "A" * 40):
        answer = phone.get(f"/api/attend/{wrong}")
        assert answer.status == 404 and answer.json["code"] == "CODE_INVALID", wrong


def test_each_lookup_counts_as_a_code_attempt(
    admin: ApiClient, new_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wrong codes looked up spend the client's wrong codes, as wrong sign-ins do: then every code
    from that client is refused, looked up or sent. Right ones spend the activity-and-client limit."""
    from cme.platform.settings import get_settings

    activity = create(admin)
    person = {"email": "x@example.org", "first_name": "X", "last_name": "Y"}
    wrong = get_settings().attendance_wrong_codes_per_client
    guesser = new_client("192.0.2.97")
    statuses = [guesser.get(f"/api/attend/ABC{n:03d}").status for n in range(wrong)]
    assert statuses == [404] * wrong
    spent = guesser.get(f"/api/attend/{activity['attendance_code']}")
    assert spent.status == 429 and spent.json["code"] == "TOO_MANY_ATTEMPTS" and spent.header("Retry-After")
    assert guesser.post("/api/attendance", {"code": activity["attendance_code"], **person}).status == 429
    assert new_client("192.0.2.96").get(f"/api/attend/{activity['attendance_code']}").status == 200  # others unaffected

    # a right code: every lookup counts against the activity's limit for that client, with the sign-ins
    from cme.publishing import attendance

    limit = 3
    lower = get_settings().model_copy(update={"attendance_per_activity_client": limit})
    monkeypatch.setattr(attendance, "get_settings", lambda: lower)
    room = new_client("192.0.2.95")
    looked = [room.get(f"/api/attend/{activity['attendance_code']}").status for _ in range(limit)]
    assert looked == [200] * limit
    assert room.get(f"/api/attend/{activity['attendance_code']}").status == 429
    assert room.post("/api/attendance", {"code": activity["attendance_code"], **person}).status == 429


def test_code_guesses_in_a_windows_last_moment_count_in_it_and_the_next_starts_afresh(
    admin: ApiClient, new_client: Any, clock: SetClock
) -> None:
    """The guesses straddle a 15-minute window's edge on purpose: all made at 14:59:59.9 spend
    that window (refused, to try again in a second); at 15:00:00.0 the next window counts afresh."""
    from cme.platform.settings import get_settings

    wrong = get_settings().attendance_wrong_codes_per_client
    guesser = new_client("192.0.2.98")
    person = {"email": "x@example.org", "first_name": "X", "last_name": "Y"}

    def guess(n: int) -> Any:
        return guesser.post("/api/attendance", {"code": f"ABC{n:03d}", **person})

    clock.freeze(datetime(2031, 5, 14, 14, 59, 59, 900_000, tzinfo=UTC))
    assert [guess(n).status for n in range(wrong)] == [404] * wrong
    refused = guess(wrong)
    assert refused.status == 429 and refused.header("Retry-After") == "1"
    clock.move(timedelta(milliseconds=100))  # 15:00:00.0
    assert guess(wrong + 1).status == 404


def test_roster_import_json_and_csv(admin: ApiClient) -> None:
    activity = create(admin)
    url = f"/api/admin/activities/{activity['activity_id']}/attendance"
    report = admin.post(
        url,
        {
            "rows": [
                {"email": "a@example.org", "first_name": "Ann", "last_name": "Lee"},
                {"email": "not-an-email", "first_name": "Bad"},
                {"first_name": "No email"},
                {"email": "A@EXAMPLE.org", "first_name": "Ann again"},
            ]
        },
    )
    assert report.status == 200, report.json
    assert report.json == {
        "added": 1,
        "already_present": 1,
        "rejected": [
            {"row": 2, "reason": "“not-an-email” is not a valid email."},
            {"row": 3, "reason": "The email is missing."},
        ],
    }
    csv_text = (
        "\ufeffE-mail,First Name,Last Name\r\na@example.org,Ann,Lee\r\nb@example.org,Bo,Ng\r\n,,\r\nzoë@bad,Z,Q\r\n"
    )
    second = admin.call("POST", url, raw=csv_text.encode(), content_type="text/csv")
    assert second.status == 200, second.json
    assert second.json["added"] == 1 and second.json["already_present"] == 1
    assert [r["row"] for r in second.json["rejected"]] == [5]
    assert admin.get("/api/admin/activities").json["activities"][0]["attendance_count"] == 2


def test_roster_of_2000_rows_in_one_request(admin: ApiClient) -> None:
    activity = create(admin)
    lines = ["email,first_name,last_name"] + [f"learner{n}@example.org,Learner,Number{n}" for n in range(2000)]
    with count_calls() as counts:
        answer = admin.call(
            "POST",
            f"/api/admin/activities/{activity['activity_id']}/attendance",
            raw="\n".join(lines).encode(),
            content_type="text/csv",
        )
    assert answer.status == 200 and answer.json == {"added": 2000, "already_present": 0, "rejected": []}
    # 100 keys a read, 50 rows a transaction (each row's put and its email's EmailAttendance update)
    assert counts["dynamodb:BatchGetItem"] == 20 and counts["dynamodb:TransactWriteItems"] == 40
    assert counts["dynamodb:Scan"] == 0
    assert admin.get(f"/api/admin/activities/{activity['activity_id']}/attendance").json["total"] == 2000


def test_roster_refuses_bad_uploads(admin: ApiClient) -> None:
    activity = create(admin)
    url = f"/api/admin/activities/{activity['activity_id']}/attendance"
    no_email = admin.call("POST", url, raw=b"name,phone\nAnn,123\n", content_type="text/csv")
    assert no_email.status == 422 and no_email.json["code"] == "ROSTER_INVALID"
    assert admin.call("POST", url, raw=b"", content_type="text/csv").status == 422
    assert admin.call("POST", url, raw=b"rows=1", content_type="application/x-www-form-urlencoded").status == 415
    assert admin.post(url, {"rows": "nope"}).status == 422
    assert admin.post("/api/admin/activities/missing/attendance", {"rows": []}).status == 404


def test_qr_code_opens_the_sign_in_page(admin: ApiClient) -> None:
    activity = create(admin)
    answer = admin.get(f"/api/admin/activities/{activity['activity_id']}/qr.svg")
    assert answer.status == 200 and answer.header("Content-Type") == "image/svg+xml"
    assert answer.raw.startswith(b"<?xml") and b"<svg" in answer.raw


def test_admin_emails_parameter_makes_the_first_coordinator(
    client: ApiClient, new_client: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("ADMIN_EMAILS", "Boss@Example.org, other@example.org")
    reset_settings()
    assert client.post("/api/accounts", account(email="boss@example.org")).status == 201
    assert client.get("/api/admin/activities").status == 403  # not until the email is verified
    token = re.search(r"token=([A-Za-z0-9_-]+)", outbox()[-1]["text"]).group(1)
    assert client.post("/api/accounts/verify-email", {"token": token}).status == 200
    boss = new_client()
    signed = boss.post("/api/auth/sign-in", {"email": "boss@example.org", "password": "correct horse battery staple"})
    assert signed.json["learner"]["role"] == "admin"
    assert boss.get("/api/admin/activities").status == 200

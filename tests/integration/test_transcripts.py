"""Transcripts: PDF and CSV content, date ranges, and the scheduled mailer end to end on moto."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import boto3
import pytest
from pypdf import PdfReader

from tests.integration.conftest import account
from tests.integration.test_certificates import fetch
from tests.integration.test_claims import claim_body, verify_primary
from tests.integration.test_publisher import create
from tests.support.client import ApiClient
from tests.support.clock import office_date


@pytest.fixture
def history(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    """An MD with two claims (one with a formula-looking title) and one activity unclaimed."""
    learner = new_client()
    learner.post(
        "/api/accounts",
        account(
            email="md@example.org", first_name="Zoë", last_name="Łukasiewicz-Müller", degree="MD", npi="1234567893"
        ),
    )
    verify_primary(learner, outbox, new_client)
    today = office_date()
    first = create(
        admin,
        title="=SUM(A1:A9) Cardiology Update",
        start_date=(today - timedelta(days=2)).isoformat(),
        end_date=(today - timedelta(days=1)).isoformat(),
        credits=[{"type": "AMA_PRA_1", "max": 12.5}],
    )
    second = create(admin, title="Grand Rounds: Sepsis")
    unclaimed = create(admin, title="Not claimed")
    for activity in (first, second, unclaimed):
        admin.post(
            f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "md@example.org"}]}
        )
    assert learner.post("/api/me/claims", claim_body(first, credits=12.5, evaluation={"q1": "yes"})).status == 201
    assert learner.post("/api/me/claims", claim_body(second, credits=0.75)).status == 201
    return {"learner": learner, "first": first, "second": second}


def test_pdf_transcript(history: dict[str, Any]) -> None:
    answer = history["learner"].get("/api/me/transcript", query="format=pdf")
    assert answer.status == 200 and answer.json["expires_in"] == 300
    data, query = fetch(answer.json["url"])
    assert query["response-content-disposition"][0].startswith('attachment; filename="CME-transcript-')
    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert "Zoë Łukasiewicz-Müller, MD" in text and "NPI: 1234567893" in text
    assert "=SUM(A1:A9) Cardiology Update" in text and "Grand Rounds: Sepsis" in text
    assert "Not claimed" not in text
    assert "AMA PRA Category 1 Credit™ 13.25" in text  # the total per credit type


def test_csv_transcript_is_safe_in_a_spreadsheet(history: dict[str, Any]) -> None:
    answer = history["learner"].get("/api/me/transcript", query="format=csv")
    data, _ = fetch(answer.json["url"])
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = ["date", "activity", "credit_type", "credits", "claimed_at", "certificate_code", "source", "provider"]
    assert rows[0] == header
    titles = [r[1] for r in rows[1:3]]
    assert titles == ["'=SUM(A1:A9) Cardiology Update", "Grand Rounds: Sepsis"]
    assert [r[3] for r in rows[1:3]] == ["12.5", "0.75"]
    assert [r[6] for r in rows[1:3]] == ["claim", "claim"]  # the JSON's word (source: "claim")
    assert {r["source"] for r in history["learner"].get("/api/me/transcript", query="format=json").json["rows"]} == {
        "claim"
    }
    assert len(rows) == 3, "data rows only: no totals, blank or signature rows"


def test_date_range(history: dict[str, Any]) -> None:
    today = office_date().isoformat()
    answer = history["learner"].get("/api/me/transcript", query=f"format=csv&from={today}&to={today}")
    data, _ = fetch(answer.json["url"])
    assert "Cardiology" not in data.decode() and "Sepsis" in data.decode()
    backwards = history["learner"].get("/api/me/transcript", query="format=pdf&from=2026-02-01&to=2026-01-01")
    assert backwards.status == 422 and backwards.json["code"] == "DATES_INVALID"
    assert history["learner"].get("/api/me/transcript", query="format=doc").status == 422
    assert history["learner"].get("/api/me/transcript", query="from=yesterday").status == 422


def test_transcript_needs_a_session(new_client: Any) -> None:
    assert new_client().get("/api/me/transcript").json["code"] == "SIGN_IN_REQUIRED"


# ---------------------------------------------------------------- scheduled emails


def _schedule(client: ApiClient, email: str, frequency: str) -> None:
    me = client.get("/api/me").json  # the profile as it is (a degree is locked once credit is claimed)
    kept = {name: me[name] for name in ("first_name", "last_name", "degree")}
    answer = client.put("/api/me", account(email=email, transcript_frequency=frequency, **kept))
    assert answer.status == 200 and answer.json["transcript_frequency"] == frequency


def _make_due(email: str, due: date) -> None:
    from cme.platform.models import EmailOwner, Learner

    learner = Learner.get(EmailOwner.get(email).learner_id)
    learner.update(actions=[Learner.transcript_due.set(due.isoformat())])


def _run(gateway: Any) -> dict[str, int]:
    from cme.platform.settings import get_settings
    from infra.local.scheduler import run_transcript_mailer

    settings = get_settings()
    return run_transcript_mailer(gateway.invoke, settings.aws_region, settings.transcript_queue)


def test_the_mailer_emails_exactly_the_due_learners_once(
    history: dict[str, Any], new_client: Any, outbox: Any, gateway: Any
) -> None:
    _schedule(history["learner"], "md@example.org", "monthly")
    second, idle = new_client(), new_client()
    second.post("/api/accounts", account(email="rn@example.org", degree="RN", phone="602-555-0101"))
    idle.post("/api/accounts", account(email="later@example.org", phone="602-555-0102"))
    _schedule(second, "rn@example.org", "quarterly")
    _schedule(idle, "later@example.org", "annually")  # due next January: not today
    today = office_date()
    _make_due("md@example.org", today)
    _make_due("rn@example.org", today)
    before = len(outbox())

    result = _run(gateway)
    sent = outbox()[before:]
    assert (result["learners"], result["processed"], result["failed"]) == (2, 2, 0)
    # the RN has nothing in the quarter: no email saying "0 activities" (the due date moves on)
    assert [m["to"][0] for m in sent] == ["md@example.org"]
    for message in sent:
        assert message["attachments"][0]["content_type"] == "application/pdf"
        assert message["attachments"][0]["filename"].startswith("CME-transcript-")
        assert "/transcript.html#schedule" in message["text"]
        assert "1 activity." in message["text"] and "0 activities" not in message["text"]
    # the due dates moved on: running again sends nothing
    assert _run(gateway)["learners"] == 0
    assert len(outbox()) == before + 1


def test_a_period_with_only_outside_credit_is_emailed_and_counts_it(new_client: Any, outbox: Any, gateway: Any) -> None:
    """Outside credit is credit in the period too: the email goes, and counts it (never "0 activities")."""
    learner = new_client()
    learner.post("/api/accounts", account(email="np@example.org", degree="NP", phone="602-555-0103"))
    verify_primary(learner, outbox, new_client)
    yesterday = office_date() - timedelta(days=1)
    outside = {
        "title": "Wound care webinar",
        "provider": "State Nurses Association",
        "completed_on": yesterday.isoformat(),
        "credit_type": "ANCC",
        "credits": 1.5,
    }
    assert learner.post("/api/me/outside-credits", outside).status == 201
    _schedule(learner, "np@example.org", "monthly")
    _make_due("np@example.org", office_date())
    before = len(outbox())
    assert _run(gateway)["processed"] == 1
    (message,) = outbox()[before:]
    assert message["to"] == ["np@example.org"] and "1 activity." in message["text"]


def test_a_failing_message_is_retried_without_a_second_email(
    history: dict[str, Any], outbox: Any, gateway: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.records import transcripts

    _schedule(history["learner"], "md@example.org", "monthly")
    _make_due("md@example.org", office_date())
    # the first attempt fails (SES throttled); the retry sends once
    original_mail = transcripts.mail.send
    attempts = {"n": 0}

    def flaky_mail(*args: Any, **kwargs: Any) -> None:
        attempts["n"] += 1
        if attempts["n"] == 1:
            from cme.platform.errors import ServiceUnavailable

            raise ServiceUnavailable("EMAIL_UNAVAILABLE", "throttled")
        original_mail(*args, **kwargs)

    monkeypatch.setattr(transcripts.mail, "send", flaky_mail)
    before = len(outbox())
    result = _run(gateway)
    assert result["learners"] == 1 and result["failed"] == 1 and result["processed"] == 1
    assert len(outbox()) == before + 1 and attempts["n"] == 2


def test_a_redelivered_message_never_sends_twice(history: dict[str, Any], outbox: Any, gateway: Any) -> None:
    from cme.platform.models import EmailOwner
    from cme.records import transcripts

    learner_id = EmailOwner.get("md@example.org").learner_id
    today = office_date()
    task = {
        "learner_id": learner_id,
        "frequency": "monthly",
        "period": f"{today.replace(day=1)}/{today}",
        "due": today.isoformat(),
    }
    _schedule(history["learner"], "md@example.org", "monthly")
    _make_due("md@example.org", today)
    before = len(outbox())
    assert transcripts.idempotent_send(task) is True
    _make_due("md@example.org", today)  # even if the due date were put back
    transcripts.idempotent_send(task)  # SQS delivers at least once
    assert len(outbox()) == before + 1


def test_poison_messages_go_to_the_dead_letter_queue(
    history: dict[str, Any], gateway: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform.settings import get_settings
    from cme.records import transcripts
    from infra.local.scheduler import dead_letters

    _schedule(history["learner"], "md@example.org", "monthly")
    _make_due("md@example.org", office_date())

    def always_fails(task: dict[str, Any]) -> bool:
        raise RuntimeError("renderer broken")

    monkeypatch.setattr(transcripts, "send_scheduled", always_fails)
    result = _run(gateway)
    assert result["processed"] == 0 and result["failed"] == 3  # maxReceiveCount in template.yaml
    region = get_settings().aws_region
    assert [m["learner_id"] for m in dead_letters(region, "TranscriptDeadLetterQueue")] != []
    queue = boto3.client("sqs", region_name=region).get_queue_url(QueueName="TranscriptQueue")["QueueUrl"]
    assert boto3.client("sqs", region_name=region).receive_message(QueueUrl=queue).get("Messages") is None


# ---------------------------------------------------------------- the transcript as data (format=json)

AMA_LABEL = "AMA PRA Category 1 Credit™"


def _json(client: ApiClient, query: str = "") -> dict[str, Any]:
    answer = client.get("/api/me/transcript", query=f"format=json{'&' + query if query else ''}")
    assert answer.status == 200, answer.json
    assert "url" not in answer.json, "format=json answers inline, never a link"
    return dict(answer.json)


def _codes(client: ApiClient) -> dict[str, str]:
    return {c["activity_title"]: c["certificate_code"] for c in client.get("/api/me/claims").json["claims"]}


def test_json_transcript_rows_and_totals(history: dict[str, Any]) -> None:
    from cme.platform.clock import office_today

    learner, today = history["learner"], office_date()
    body = _json(learner)
    assert set(body) >= {"learner", "from", "to", "rows", "totals"}
    assert body["learner"] == {"name": "Zoë Łukasiewicz-Müller", "degree": "MD", "npi": "1234567893"}
    assert body["from"] is None and body["to"] == office_today().isoformat()  # all time, through today
    codes = _codes(learner)
    assert body["rows"] == [
        {  # the completion date: the conference's last day, not its first nor the day of the claim
            "date": (today - timedelta(days=1)).isoformat(),
            "title": "=SUM(A1:A9) Cardiology Update",  # as it is: the CSV alone guards spreadsheets
            "credit_type": "AMA_PRA_1",
            "credits": 12.5,
            "label": AMA_LABEL,
            "certificate_code": codes["=SUM(A1:A9) Cardiology Update"],
            "source": "claim",
            "self_reported": False,
            "provider": None,
            "source_name": None,  # claimed here, not imported (tests/integration/test_imported_claims.py)
            "source_label": None,
        },
        {
            "date": today.isoformat(),
            "title": "Grand Rounds: Sepsis",
            "credit_type": "AMA_PRA_1",
            "credits": 0.75,
            "label": AMA_LABEL,
            "certificate_code": codes["Grand Rounds: Sepsis"],
            "source": "claim",
            "self_reported": False,
            "provider": None,
            "source_name": None,  # claimed here, not imported (tests/integration/test_imported_claims.py)
            "source_label": None,
        },
    ]
    assert body["totals"] == [{"credit_type": "AMA_PRA_1", "label": AMA_LABEL, "credits": 13.25}]


def test_json_transcript_date_range_is_by_completion_date(history: dict[str, Any]) -> None:
    learner, today = history["learner"], office_date()
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    body = _json(learner, f"from={today}&to={today}")
    assert (body["from"], body["to"]) == (today.isoformat(), today.isoformat())
    assert [r["title"] for r in body["rows"]] == ["Grand Rounds: Sepsis"]
    assert body["totals"] == [{"credit_type": "AMA_PRA_1", "label": AMA_LABEL, "credits": 0.75}]
    assert [r["title"] for r in _json(learner, f"from={yesterday}&to={yesterday}")["rows"]] == [
        "=SUM(A1:A9) Cardiology Update"
    ]
    empty = _json(learner, f"from={before}&to={before}")  # the conference's first day is not its completion
    assert empty["rows"] == [] and empty["totals"] == []
    assert [r["title"] for r in _json(learner, f"to={yesterday}")["rows"]] == ["=SUM(A1:A9) Cardiology Update"]
    backwards = learner.get("/api/me/transcript", query=f"format=json&from={today}&to={yesterday}")
    assert backwards.status == 422 and backwards.json["code"] == "DATES_INVALID"
    assert learner.get("/api/me/transcript", query="format=json&from=2026-02-30").status == 422


def test_json_transcript_shows_only_the_learners_own_credit(
    history: dict[str, Any], new_client: Any, outbox: Any, admin: ApiClient
) -> None:
    other = new_client()
    other.post("/api/accounts", account(email="do@example.org", first_name="Ana", last_name="Ruiz", degree="DO"))
    verify_primary(other, outbox, new_client)
    assert _json(other)["rows"] == [] and _json(other)["totals"] == []
    admin.post(
        f"/api/admin/activities/{history['second']['activity_id']}/attendance", {"rows": [{"email": "do@example.org"}]}
    )
    assert other.post("/api/me/claims", claim_body(history["second"], credits=0.5)).status == 201
    mine = _json(other)
    assert [(r["title"], r["credits"]) for r in mine["rows"]] == [("Grand Rounds: Sepsis", 0.5)]
    assert mine["learner"]["name"] == "Ana Ruiz" and mine["learner"]["degree"] == "DO"
    assert mine["totals"] == [{"credit_type": "AMA_PRA_1", "label": AMA_LABEL, "credits": 0.5}]
    theirs = _json(history["learner"])
    assert [r["credits"] for r in theirs["rows"]] == [12.5, 0.75] and theirs["totals"][0]["credits"] == 13.25
    assert new_client().get("/api/me/transcript", query="format=json").json["code"] == "SIGN_IN_REQUIRED"


def test_an_ama_and_moc_claim_is_two_rows_everywhere(history: dict[str, Any], admin: ApiClient) -> None:
    """One claim with two credit lines (AMA + ABIM MOC) is two rows in the JSON, the CSV and the
    PDF, dated by the same completion date, and counts in both totals."""
    from cme.rules.credit import label

    learner = history["learner"]
    both = create(
        admin,
        title="Heart Failure Update",
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
    )
    admin.post(f"/api/admin/activities/{both['activity_id']}/attendance", {"rows": [{"email": "md@example.org"}]})
    lines = [{"credit_type": "AMA_PRA_1", "credits": 1.0}, {"credit_type": "ABIM_MOC", "credits": 1.0}]
    moc = {"moc_consent": True, "board_ids": {"ABIM": "123456"}, "birth_mmdd": "0704"}
    made = learner.post("/api/me/claims", claim_body(both, credit_type=None, credits=None, lines=lines, **moc))
    assert made.status == 201, made.json
    code = made.json["claim"]["certificate_code"]

    body = _json(learner, f"from={office_date()}")
    rows = [r for r in body["rows"] if r["title"] == "Heart Failure Update"]
    assert [(r["credit_type"], r["credits"], r["label"]) for r in rows] == [
        ("AMA_PRA_1", 1.0, AMA_LABEL),
        ("ABIM_MOC", 1.0, label("ABIM_MOC")),
    ]
    assert rows[0]["date"] == rows[1]["date"] == office_date().isoformat()
    assert rows[0]["certificate_code"] == rows[1]["certificate_code"] == code
    assert body["totals"] == [
        {"credit_type": "AMA_PRA_1", "label": AMA_LABEL, "credits": 1.75},
        {"credit_type": "ABIM_MOC", "label": label("ABIM_MOC"), "credits": 1.0},
    ]

    data, _ = fetch(learner.get("/api/me/transcript", query=f"format=csv&from={office_date()}").json["url"])
    lines = list(csv.reader(io.StringIO(data.decode("utf-8").lstrip("\ufeff"))))[1:]
    assert [(r[1], r[2], r[3]) for r in lines if r[1] == "Heart Failure Update"] == [
        ("Heart Failure Update", AMA_LABEL, "1"),
        ("Heart Failure Update", label("ABIM_MOC"), "1"),
    ]
    assert len(lines) == len(body["rows"]), "the CSV and the JSON hold the same rows"
    data, _ = fetch(learner.get("/api/me/transcript", query=f"format=pdf&from={office_date()}").json["url"])
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    assert text.count("Heart Failure Update") == 2 and f"{label('ABIM_MOC')} 1" in text

"""The scheduled transcript mailer: recovery after a failed due-date move, runs as of a given day
(``?today=``), and the local outbox's attachments (page, JSON, download).

The learner here is due on fixed days in 2027, so nothing depends on the day the tests run.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from botocore.endpoint import Endpoint
from werkzeug.test import Client

from infra.local.faults import _answer
from tests.integration.conftest import account
from tests.support.client import ApiClient
from tests.support.learners import outside_credit_on

EMAIL = "mailer@example.org"
DUE = date(2027, 2, 1)  # the January 2027 transcript
NEXT = date(2027, 3, 1)  # the February one


class DueDateFault:
    """Answers the worker's UpdateItem of a learner's ``transcript_due`` with AccessDenied (a
    denied call: a 400 that neither botocore nor cme.platform.retry retries), ``times`` times."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, times: int) -> None:
        self.left = times
        self.failed = 0
        original = Endpoint._do_get_response  # type: ignore[attr-defined]
        fault = self

        def answer(endpoint: Any, request: Any, operation_model: Any, context: Any) -> Any:
            if (
                fault.left
                and operation_model.service_model.service_name == "dynamodb"
                and operation_model.name == "UpdateItem"
            ):
                body = json.loads(request.body or b"{}")
                if body.get("TableName") == "LearnersTable" and "transcript_due" in str(
                    body.get("ExpressionAttributeNames")
                ):
                    fault.left -= 1
                    fault.failed += 1
                    denied = {
                        "__type": "com.amazon.coral.service#AccessDeniedException",
                        "Message": "not authorized to perform: dynamodb:UpdateItem",
                    }
                    return _answer(endpoint, operation_model, 400, denied), None
            return original(endpoint, request, operation_model, context)

        monkeypatch.setattr(Endpoint, "_do_get_response", answer)


@pytest.fixture
def learner(new_client: Any) -> str:
    """A learner with a monthly transcript, due on ``DUE``; returns the learner id."""
    from cme.platform.models import EmailOwner, Learner

    client: ApiClient = new_client()
    assert client.post("/api/accounts", account(email=EMAIL, degree="MD", phone="602-555-0177")).status == 201
    me = client.get("/api/me").json
    kept = {name: me[name] for name in ("first_name", "last_name", "degree")}
    assert client.put("/api/me", account(email=EMAIL, transcript_frequency="monthly", **kept)).status == 200
    learner_id = EmailOwner.get(EMAIL).learner_id
    Learner.get(learner_id).update(actions=[Learner.transcript_due.set(DUE.isoformat())])
    for month in (1, 2, 3):  # each month holds credit: its transcript is sent (an empty one's is not)
        outside_credit_on(learner_id, date(2027, month, 20)).save()
    return learner_id


def _due(learner_id: str) -> str | None:
    from cme.platform.models import Learner

    return Learner.get(learner_id).transcript_due


def _run(gateway: Any, today: date) -> dict[str, Any]:
    from cme.platform.settings import get_settings
    from infra.local.scheduler import run_transcript_mailer

    settings = get_settings()
    return run_transcript_mailer(gateway.invoke, settings.aws_region, settings.transcript_queue, today=today)


def _files(outbox: Any, before: int) -> list[str]:
    return [m["attachments"][0]["filename"] for m in outbox()[before:] if m["to"] == [EMAIL]]


def test_a_failed_due_date_move_is_finished_by_the_sqs_retry_without_a_second_email(
    learner: str, gateway: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = len(outbox())
    fault = DueDateFault(monkeypatch, times=1)

    first = _run(gateway, DUE)
    # the first delivery emailed, then failed to move the due date: reported failed, not swallowed
    assert fault.failed == 1
    assert (first["learners"], first["failed"], first["processed"]) == (1, 1, 1)
    # the retry replayed the recorded email and finished the move
    assert _files(outbox, before) == ["CME-transcript-2027-01-01-to-2027-01-31.pdf"]
    assert _due(learner) == NEXT.isoformat()

    # the next period goes out when it is due
    second = _run(gateway, NEXT)
    assert (second["learners"], second["failed"], second["processed"]) == (1, 0, 1)
    assert _files(outbox, before) == [
        "CME-transcript-2027-01-01-to-2027-01-31.pdf",
        "CME-transcript-2027-02-01-to-2027-02-28.pdf",
    ]
    assert _due(learner) == "2027-04-01"


def test_a_failure_past_every_retry_is_dead_lettered_and_finished_by_the_next_run(
    learner: str, gateway: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform.settings import get_settings
    from infra.local.scheduler import dead_letters

    before = len(outbox())
    fault = DueDateFault(monkeypatch, times=3)  # every receive up to maxReceiveCount (template.yaml)

    first = _run(gateway, DUE)
    assert fault.failed == 3 and (first["failed"], first["processed"]) == (3, 0)
    assert [m["learner_id"] for m in dead_letters(get_settings().aws_region, "TranscriptDeadLetterQueue")] == [learner]
    assert _files(outbox, before) == ["CME-transcript-2027-01-01-to-2027-01-31.pdf"]  # once, for 3 receives
    assert _due(learner) == DUE.isoformat()

    # the next day's run queues the learner again (still due), sends nothing new, moves the date
    next_day = _run(gateway, date(2027, 2, 2))
    assert (next_day["learners"], next_day["failed"], next_day["processed"]) == (1, 0, 1)
    assert len(_files(outbox, before)) == 1
    assert _due(learner) == NEXT.isoformat()

    assert _run(gateway, NEXT)["processed"] == 1
    assert _files(outbox, before)[1:] == ["CME-transcript-2027-02-01-to-2027-02-28.pdf"]


def test_a_schedule_changed_during_the_send_keeps_the_new_due_date(
    learner: str, gateway: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The due date moves only from the task's due date: a change the learner made meanwhile
    (here to quarterly, due April 1st) decides, and the message still succeeds."""
    from cme.platform.models import Learner
    from cme.records import transcripts

    original = transcripts.mail.send

    def send_then_change(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        Learner.get(learner).update(
            actions=[Learner.transcript_frequency.set("quarterly"), Learner.transcript_due.set("2027-04-01")]
        )

    monkeypatch.setattr(transcripts.mail, "send", send_then_change)
    before = len(outbox())
    result = _run(gateway, DUE)
    assert (result["learners"], result["processed"], result["failed"]) == (1, 1, 0)
    assert len(_files(outbox, before)) == 1
    assert _due(learner) == "2027-04-01"


def test_a_run_as_of_a_later_day_sends_what_is_overdue(learner: str, gateway: Any, outbox: Any) -> None:
    before = len(outbox())
    early = _run(gateway, date(2027, 1, 31))
    assert (early["learners"], early["today"]) == (0, "2027-01-31")

    late = _run(gateway, date(2027, 4, 15))  # due on February 1st, run on April 15th
    assert (late["learners"], late["processed"], late["today"]) == (1, 1, "2027-04-15")
    assert _files(outbox, before) == ["CME-transcript-2027-01-01-to-2027-01-31.pdf"]
    assert _due(learner) == NEXT.isoformat()  # one period per run: February's goes out on the next


# ---------------------------------------------------------------- the local stack's routes


@pytest.fixture
def stack(aws: None, gateway: Any) -> Client:
    """The local stack's WSGI app on this test's moto, without a server."""
    from infra.local.server import LocalStack

    local = LocalStack(port=3000)
    local.moto = object()  # the outbox reads SES in this process (mock_aws here)
    local.gateway = gateway
    return Client(local)


def test_the_run_route_takes_today_and_the_outbox_shows_the_attachment(
    learner: str, stack: Client, outbox: Any
) -> None:
    for bad in ("2027-02-3", "2027-02-30", "20270215", "yesterday"):
        refused = stack.post(f"/_local/schedules/transcript-mailer/run?today={bad}")
        assert refused.status_code == 400 and refused.json["code"] == "INVALID_TODAY"

    answer = stack.post("/_local/schedules/transcript-mailer/run?today=2027-02-15")
    assert answer.status_code == 200
    assert answer.json == {"learners": 1, "emails_sent": 1, "failed": 0, "today": "2027-02-15"}

    messages = stack.get("/_local/outbox.json").json["messages"]
    number = len(messages)
    (pdf,) = messages[-1]["attachments"]
    name = "CME-transcript-2027-01-01-to-2027-01-31.pdf"
    assert pdf["filename"] == name and pdf["content_type"] == "application/pdf" and pdf["size"] > 1000
    assert pdf["url"] == f"/_local/outbox/{number}/1"

    page = stack.get("/_local/outbox").get_data(as_text=True)
    assert f"<a href='/_local/outbox/{number}/1' download>{name}</a>" in page
    assert "application/pdf" in page and " KB)" in page

    download = stack.get(pdf["url"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert download.data.startswith(b"%PDF") and len(download.data) == pdf["size"]
    assert stack.get(f"/_local/outbox/{number}/2").status_code == 404
    assert stack.get(f"/_local/outbox/{number + 1}/1").status_code == 404
    assert stack.get("/_local/outbox/x/1").status_code == 404

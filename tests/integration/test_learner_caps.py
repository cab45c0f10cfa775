"""Issue 22 finding 8 (caps): what one learner may make the portal do. At most 500 outside
credits (422 TOO_MANY_OUTSIDE_CREDITS), 20 upload forms an hour and 30 transcript renders an
hour (429 TOO_MANY_ATTEMPTS with Retry-After); each counts one learner, not another."""

from __future__ import annotations

import uuid
from datetime import timedelta

from infra.local.clock import SetClock
from tests.integration.test_outside_credit import add, learner, other, outside_body  # noqa: F401 (fixtures)
from tests.support.client import ApiClient
from tests.support.clock import window_edge


def owner_of(outside_credit_id: str) -> str:
    from cme.platform.models.tables import OutsideCredit

    (item,) = OutsideCredit.scan(OutsideCredit.outside_credit_id == outside_credit_id)
    return item.learner_id


def test_at_most_500_outside_credits(learner: ApiClient, other: ApiClient) -> None:  # noqa: F811
    from cme.platform import clock
    from cme.platform.models.tables import OutsideCredit

    first = add(learner)
    owner = owner_of(first["outside_credit_id"])
    with OutsideCredit.batch_write() as batch:  # 498 more, written straight to the table
        for n in range(498):
            batch.save(
                OutsideCredit(
                    owner,
                    uuid.uuid4().hex,
                    title=f"Course {n}",
                    provider="Elsewhere",
                    completed_on=first["completed_on"],
                    credit_type="AMA_PRA_1",
                    credits=1,
                    created_at=clock.now(),
                )
            )
    assert learner.post("/api/me/outside-credits", outside_body(title="The 500th")).status == 201
    refused = learner.post("/api/me/outside-credits", outside_body(title="The 501st"))
    assert refused.status == 422 and refused.json["code"] == "TOO_MANY_OUTSIDE_CREDITS"
    assert len(learner.get("/api/me/outside-credits").json["outside_credits"]) == 500
    assert other.post("/api/me/outside-credits", outside_body()).status == 201  # another learner's own count

    assert learner.call("DELETE", f"/api/me/outside-credits/{first['outside_credit_id']}").status == 204
    assert learner.post("/api/me/outside-credits", outside_body(title="In its place")).status == 201


def test_20_upload_forms_an_hour(learner: ApiClient, other: ApiClient, clock: SetClock) -> None:  # noqa: F811
    clock.freeze(window_edge(3600))
    mine = add(learner)["outside_credit_id"]
    path = f"/api/me/outside-credits/{mine}/document"
    for _ in range(20):
        assert learner.post(path, {"content_type": "application/pdf"}).status == 200
    refused = learner.post(path, {"content_type": "application/pdf"})
    assert refused.status == 429 and refused.json["code"] == "TOO_MANY_ATTEMPTS"
    assert int(refused.header("Retry-After")) == 3600
    theirs = add(other)["outside_credit_id"]
    assert other.post(f"/api/me/outside-credits/{theirs}/document", {"content_type": "image/png"}).status == 200

    clock.move(timedelta(hours=1))
    assert learner.post(path, {"content_type": "application/pdf"}).status == 200


def test_30_transcript_renders_an_hour(learner: ApiClient, other: ApiClient, clock: SetClock) -> None:  # noqa: F811
    clock.freeze(window_edge(3600) + timedelta(minutes=45))
    add(learner)
    for n in range(30):
        answer = learner.get("/api/me/transcript", query="format=pdf" if n % 10 == 0 else "format=csv")
        assert answer.status == 200, (n, answer.json)
    refused = learner.get("/api/me/transcript", query="format=csv")
    assert refused.status == 429 and refused.json["code"] == "TOO_MANY_ATTEMPTS"
    assert int(refused.header("Retry-After")) == 15 * 60
    assert learner.get("/api/me/transcript", query="format=json").status == 200  # the data, not a render
    assert other.get("/api/me/transcript", query="format=csv").status == 200

    clock.move(timedelta(minutes=15))
    assert learner.get("/api/me/transcript", query="format=csv").status == 200

"""The office's learners (issue 24): search, the record, corrections.

GET /api/admin/learners?q=&limit=&cursor= finds a learner by the start of a first or last name
(any case, accents ignored), an exact confirmed email, a 10-digit NPI or the last 4 or more
digits of a phone, from indexes (no Scan); GET /api/admin/learners/{id} is the record;
PUT /api/admin/learners/{id} corrects a name or degree (audited; a new name replaces the
certificates already issued, whose old codes verify as replaced).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infra.local.seed import DEMO_PASSWORD
from tests.integration.test_record_integrity import audit_records, claimed_as_md, rn  # noqa: F401 - fixture
from tests.support.calls import count_calls
from tests.support.client import ApiClient

SEARCH = "/api/admin/learners"


@pytest.fixture
def provision(aws: None) -> Callable[..., str]:
    """Make an account straight through cme.identity.accounts (no email); returns its id."""
    from cme.identity.accounts import provision_account
    from cme.platform.schemas import NewAccount

    def make(email: str, first: str, last: str, phone: str, npi: str | None = None, verified: bool = True) -> str:
        data = NewAccount(
            email=email,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            degree="MD",
            phone=phone,
            npi=npi,
        )
        return provision_account(data, verified=verified).learner_id

    return make


@pytest.fixture
def people(provision: Callable[..., str]) -> dict[str, str]:
    return {
        "nunez": provision("jose.nunez@example.org", "José", "Núñez", "+1 480 555 0101", "1234567893"),
        "nuno": provision("nuno@example.org", "Nuno", "Álvares", "+1 602 555 7788"),
        "obriain": provision("sean@example.org", "Seán", "Ó Briain", "+1 480 555 2101"),
        "unconfirmed": provision("new@example.org", "Nadia", "Petrova", "+1 520 555 0190", verified=False),
    }


def ids(answer: Any) -> list[str]:
    assert answer.status == 200, answer.json
    return [row["learner_id"] for row in answer.json["learners"]]


def test_search_by_name_start_any_case_accents_ignored(admin: ApiClient, people: dict[str, str]) -> None:
    # the start of a last name, then of a first name (each learner once)
    assert ids(admin.get(SEARCH, query="q=nun")) == [people["nunez"], people["nuno"]]
    assert ids(admin.get(SEARCH, query="q=N%C3%9A%C3%91")) == [people["nunez"], people["nuno"]]  # "NÚÑ"
    assert ids(admin.get(SEARCH, query="q=alv")) == [people["nuno"]]
    assert ids(admin.get(SEARCH, query="q=o%27bri")) == [people["obriain"]]  # "o'bri"
    assert ids(admin.get(SEARCH, query="q=sea")) == [people["obriain"]]
    assert ids(admin.get(SEARCH, query="q=briain")) == []  # the start of a name, not its middle
    row = admin.get(SEARCH, query="q=nunez").json["learners"][0]
    assert row == {
        "learner_id": people["nunez"],
        "first_name": "José",
        "last_name": "Núñez",
        "degree": "MD",
        "email": "jose.nunez@example.org",
        "npi": "1234567893",
        "phone": "+14805550101",
    }


def test_search_by_confirmed_email_npi_and_phone_tail(admin: ApiClient, people: dict[str, str]) -> None:
    assert ids(admin.get(SEARCH, query="q=Jose.Nunez@Example.org")) == [people["nunez"]]
    assert ids(admin.get(SEARCH, query="q=new@example.org")) == []  # never confirmed
    assert ids(admin.get(SEARCH, query="q=1234567893")) == [people["nunez"]]
    assert ids(admin.get(SEARCH, query="q=7788")) == [people["nuno"]]
    assert ids(admin.get(SEARCH, query="q=555-7788")) == [people["nuno"]]
    assert ids(admin.get(SEARCH, query="q=6025557788")) == [people["nuno"]]  # 10 digits: NPI or a phone
    assert ids(admin.get(SEARCH, query="q=0101")) == [people["nunez"]]
    assert ids(admin.get(SEARCH, query="q=2101")) == [people["obriain"]]  # not 480 555 0101's
    assert ids(admin.get(SEARCH, query="q=788")) == []  # fewer than 4 digits
    assert ids(admin.get(SEARCH, query="q=4445557788")) == []


def test_search_and_record_read_indexes_never_scan(admin: ApiClient, people: dict[str, str]) -> None:
    """The DynamoDB calls of a search and of a record (reported in the issue's closing note)."""
    with count_calls() as by_name:
        assert ids(admin.get(SEARCH, query="q=nu")) == [people["nunez"], people["nuno"]]
    with count_calls() as by_phone:
        assert ids(admin.get(SEARCH, query="q=7788")) == [people["nuno"]]
    with count_calls() as by_email:
        assert ids(admin.get(SEARCH, query="q=nuno@example.org")) == [people["nuno"]]
    with count_calls() as record:
        assert admin.get(f"{SEARCH}/{people['nuno']}").status == 200
    by_name, by_phone, by_email, record = (
        {k: n for k, n in c.items() if k.startswith("dynamodb:")} for c in (by_name, by_phone, by_email, record)
    )
    # the session (authorizer), the last-name and first-name index Queries, the learners
    assert dict(by_name) == {"dynamodb:GetItem": 1, "dynamodb:Query": 2, "dynamodb:BatchGetItem": 1}
    assert dict(by_phone) == {"dynamodb:GetItem": 1, "dynamodb:Query": 1, "dynamodb:BatchGetItem": 1}
    assert dict(by_email) == {"dynamodb:GetItem": 2, "dynamodb:BatchGetItem": 1}
    # session; emails index, learner (+ each confirmed email's attendance); claims; audit (empty here)
    # and its people (the audit viewer's page reads the learner with the actors, in one BatchGetItem)
    assert dict(record) == {"dynamodb:GetItem": 1, "dynamodb:Query": 3, "dynamodb:BatchGetItem": 2}


def test_search_pages_with_a_cursor(admin: ApiClient, provision: Callable[..., str]) -> None:
    made = {
        provision(f"m{n}@example.org", first, last, f"+1 480 555 {1000 + n}")
        for n, (first, last) in enumerate(
            [
                ("Ana", "Moreau"),
                ("Mona", "Mora"),
                ("Mo", "Morales"),
                ("Lee", "Smith"),
                ("Moira", "Kent"),
                ("Marie", "Morin"),
                ("Mordecai", "Mortimer"),
            ]
        )
    }
    wanted = {x for x in made if x}  # all but Lee Smith, found below
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        answer = admin.get(SEARCH, query="q=mo&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        page = ids(answer)
        assert len(page) <= 2
        seen += page
        cursor = answer.json["next_cursor"]
        if cursor is None:
            break
    assert cursor is None and len(seen) == len(set(seen)) == 6  # Mordecai Mortimer once
    assert set(seen) < wanted


def test_bad_limit_and_cursor_are_refused(admin: ApiClient, people: dict[str, str]) -> None:
    for limit in ("0", "201", "x"):
        answer = admin.get(SEARCH, query=f"q=nu&limit={limit}")
        assert answer.status == 422 and answer.json["code"] and answer.json["message"], answer.json
    assert admin.get(SEARCH, query="q=nu&limit=200").status == 200
    for cursor in ("nonsense", "eyJ2IjoxfQ", "e30"):
        answer = admin.get(SEARCH, query=f"q=nu&cursor={cursor}")
        assert answer.status == 400 and answer.json["code"] == "CURSOR_INVALID", answer.json
    first = admin.get(SEARCH, query="q=nu&limit=1").json
    assert first["next_cursor"]
    other = admin.get(SEARCH, query=f"q=se&cursor={first['next_cursor']}")
    assert other.status == 400 and other.json["code"] == "CURSOR_INVALID"
    assert ids(admin.get(SEARCH, query=f"q=nu&limit=1&cursor={first['next_cursor']}")) == [people["nuno"]]


def test_a_save_keeps_the_search_true(rn: dict[str, Any], admin: ApiClient) -> None:  # noqa: F811
    """A learner's own save (a new phone, a new name) moves them in the search at once."""
    from tests.integration.test_record_integrity import profile

    learner_id, learner = rn["learner_id"], rn["learner"]
    assert ids(admin.get(SEARCH, query="q=0142")) == [learner_id]
    saved = learner.put("/api/me", profile(phone="+1 480 555 0177", last_name="Diallo"))
    assert saved.status == 200, saved.json
    assert ids(admin.get(SEARCH, query="q=0142")) == []
    assert ids(admin.get(SEARCH, query="q=0177")) == [learner_id]
    assert ids(admin.get(SEARCH, query="q=moreau")) == []
    assert ids(admin.get(SEARCH, query="q=diallo")) == [learner_id]


def test_the_backfill_makes_older_learners_findable(admin: ApiClient, people: dict[str, str]) -> None:
    from cme.platform.models import LearnerSearch
    from infra.tools.backfill_learner_search import backfill

    for learner_id in (people["nunez"], people["nuno"]):  # as learners made before the search were
        LearnerSearch(learner_id).delete()
    assert ids(admin.get(SEARCH, query="q=nu")) == []
    assert ids(admin.get(SEARCH, query="q=1234567893")) == []
    done = backfill()
    assert done["added"] == 2 and done["learners"] >= 5  # the coordinator too
    assert ids(admin.get(SEARCH, query="q=nu")) == [people["nunez"], people["nuno"]]
    assert ids(admin.get(SEARCH, query="q=1234567893")) == [people["nunez"]]
    assert backfill()["added"] == 0  # run again: nothing left to do


def test_the_record(rn: dict[str, Any], admin: ApiClient) -> None:  # noqa: F811
    learner_id = rn["learner_id"]
    claim = claimed_as_md(rn)
    with count_calls() as counts:
        answer = admin.get(f"{SEARCH}/{learner_id}")
    assert answer.status == 200, answer.json
    # session; emails index, learner + attendance, activities + claims; claims; audit; the audit's actors
    assert {k: n for k, n in counts.items() if k.startswith("dynamodb:")} == {
        "dynamodb:GetItem": 1,
        "dynamodb:Query": 3,
        "dynamodb:BatchGetItem": 3,
    }
    record = answer.json
    assert set(record) == {"learner", "emails", "attendance", "claims", "audit"}
    assert record["learner"]["learner_id"] == learner_id and record["learner"]["last_name"] == "Moreau"
    assert record["emails"] == [{"email": "ines@example.org", "verified": True, "primary": True, "undeliverable": None}]
    (attended,) = record["attendance"]
    assert attended["activity_id"] == rn["activity"]["activity_id"] and attended["status"] == "claimed"
    assert attended["attended_as"] == "ines@example.org" and attended["title"] == "Stroke Update 2026"
    assert [c["claim_id"] for c in record["claims"]] == [claim["claim_id"]]
    assert record["claims"][0]["certificate_code"] == claim["certificate_code"]
    (claimed,) = record["audit"]  # the claim is audited, by the learner
    assert claimed["action"] == "claim" and claimed["actor"] == {"name": "Inés Moreau", "email": "ines@example.org"}
    assert claimed["subject"]["id"] == learner_id and claimed["at"].startswith("20")
    assert admin.get(f"{SEARCH}/no-such-learner").status == 404
    assert admin.get(f"{SEARCH}/no-such-learner").json["code"] == "NOT_FOUND"


def test_a_name_correction_replaces_the_certificates(
    rn: dict[str, Any],  # noqa: F811
    admin: ApiClient,
    new_client: Any,
) -> None:
    learner_id, learner = rn["learner_id"], rn["learner"]
    claim = claimed_as_md(rn)
    old_code = claim["certificate_code"]
    assert new_client().get(f"/api/verify/{old_code}").json["status"] == "current"
    body = {"last_name": "Moreau-Diallo", "reason": "Married name, licence updated"}

    answer = admin.put(f"{SEARCH}/{learner_id}", body)
    assert answer.status == 200, answer.json
    assert answer.json["learner"]["last_name"] == "Moreau-Diallo" and answer.json["learner"]["first_name"] == "Inés"
    (replaced,) = answer.json["replaced"]
    assert replaced["old_code"] == old_code and replaced["new_code"] != old_code
    new_code = replaced["new_code"]

    old = new_client().get(f"/api/verify/{old_code}").json
    assert old["valid"] is False and old["status"] == "replaced" and old["superseded_by"] == new_code
    assert old["learner_name"] == "Inés Moreau, MD"  # as it was printed
    new = new_client().get(f"/api/verify/{new_code}").json
    assert new["valid"] is True and new["status"] == "current" and new["learner_name"] == "Inés Moreau-Diallo, MD"
    assert learner.get("/api/me/claims").json["claims"][0]["certificate_code"] == new_code
    assert learner.get("/api/me").json["last_name"] == "Moreau-Diallo"

    admin_id = admin.get("/api/me").json["learner_id"]
    (record,) = audit_records(learner_id, "name_changed")
    assert record.actor == admin_id
    assert dict(record.detail.as_dict()) == {
        "old": {"first_name": "Inés", "last_name": "Moreau"},
        "new": {"first_name": "Inés", "last_name": "Moreau-Diallo"},
        "reason": body["reason"],
    }
    audit = admin.get(f"{SEARCH}/{learner_id}").json["audit"]
    assert [(e["action"], e["actor"]) for e in audit] == [  # the latest first
        ("name_changed", {"name": "Avery Coordinator", "email": "coordinator@example.org"}),
        ("claim", {"name": "Inés Moreau-Diallo", "email": "ines@example.org"}),
    ]
    assert audit[0]["details"]["reason"] == body["reason"] and audit[0]["subject"]["id"] == learner_id
    assert ids(admin.get(SEARCH, query="q=moreau-d")) == [learner_id]

    # the same again changes nothing: no audit, no certificate
    again = admin.put(f"{SEARCH}/{learner_id}", body)
    assert again.status == 200 and again.json["replaced"] == []
    assert len(audit_records(learner_id, "name_changed")) == 1


def test_a_degree_correction_keeps_the_claims_degree(rn: dict[str, Any], admin: ApiClient) -> None:  # noqa: F811
    learner_id, learner = rn["learner_id"], rn["learner"]
    claim = claimed_as_md(rn)
    answer = admin.put(f"{SEARCH}/{learner_id}", {"degree": "RN", "reason": "RN per licence lookup"})
    assert answer.status == 200 and answer.json["learner"]["degree"] == "RN" and answer.json["replaced"] == []
    (record,) = audit_records(learner_id, "degree_changed")
    assert dict(record.detail.as_dict()) == {"old": "MD", "new": "RN", "reason": "RN per licence lookup"}
    assert learner.get("/api/me/claims").json["claims"][0]["certificate_code"] == claim["certificate_code"]
    # the degree route is the same correction
    back = admin.put(f"{SEARCH}/{learner_id}/degree", {"degree": "MD", "reason": "back"})
    assert back.status == 200 and back.json["learner"]["degree"] == "MD"
    assert len(audit_records(learner_id, "degree_changed")) == 2


def test_a_correction_needs_a_reason_and_a_good_name(rn: dict[str, Any], admin: ApiClient) -> None:  # noqa: F811
    url = f"{SEARCH}/{rn['learner_id']}"
    for body in ({"last_name": "Diallo"}, {"last_name": "Diallo", "reason": "  "}):
        answer = admin.put(url, body)
        assert answer.status == 422 and answer.json["code"], answer.json
    relay = admin.put(url, {"last_name": "evil.com", "reason": "x"})
    assert relay.status == 422 and relay.json["code"] == "NAME_INVALID"
    assert admin.put(url, {"first_name": "", "reason": "x"}).status == 422
    gone = admin.put(f"{SEARCH}/nobody", {"last_name": "Diallo", "reason": "x"})
    assert gone.status == 404 and gone.json["code"] == "NOT_FOUND"
    assert rn["learner"].get("/api/me").json["last_name"] == "Moreau"


def test_every_learners_route_refuses_learners(rn: dict[str, Any], new_client: Any) -> None:  # noqa: F811
    learner, learner_id = rn["learner"], rn["learner_id"]
    body = {"last_name": "Forged", "reason": "mine"}
    for method, path, sent in (
        ("GET", SEARCH, None),
        ("GET", f"{SEARCH}/{learner_id}", None),
        ("PUT", f"{SEARCH}/{learner_id}", body),
    ):
        answer = learner.call(method, path, sent)
        assert answer.status == 403 and answer.json["code"] == "FORBIDDEN", (method, path, answer.json)
        stranger = new_client().call(method, path, sent)
        assert stranger.status == 401 and stranger.json["code"] == "SIGN_IN_REQUIRED", (method, path)
    assert learner.get("/api/me").json["last_name"] == "Moreau"


def test_a_stale_search_item_never_shows_a_learner_who_does_not_match(admin: ApiClient, people: dict[str, str]) -> None:
    """The index only proposes: an item left from values since changed (a lagging index, or the
    phone removed when the owner moved in) names a learner the search reads and checks again."""
    from cme.identity import learner_search

    stale = learner_search.entry(people["nuno"], "Nuno", "Zappa", "1245319599", "+1 602 555 9911")
    stale.save()  # the learner is still Nuno Álvares, phone ...7788, no NPI
    assert ids(admin.get(SEARCH, query="q=zap")) == []
    assert ids(admin.get(SEARCH, query="q=9911")) == []
    assert ids(admin.get(SEARCH, query="q=1245319599")) == []
    assert ids(admin.get(SEARCH, query="q=nuno")) == [people["nuno"]]  # by the first name, still true

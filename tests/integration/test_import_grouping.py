"""The import worker writes a batch's new rows in grouped transactions (cme.platform.retry.Group;
docs/architecture.md "Imports"): as many rows as fit in one TransactWriteItems, and a group a
condition cancels is written again a row at a time, each row getting the outcome it would have
had alone. On moto, through ``imports.write_batch`` (learners, attendance) and
``import_claims.write`` (claims), as the worker calls them."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.integration.test_imported_claims import SOURCE, context, row, seed_activity, world, write
from tests.support.calls import count_calls
from tests.support.client import ApiClient

__all__ = ["world"]  # the fixture, used by name below

LEARNER_ITEMS, CLAIM_ITEMS, ATTENDANCE_ITEMS = 5, 3, 3  # the items a new row writes


def message(kind: str, rows: list[dict[str, str]], import_id: str = "imp-9") -> dict[str, Any]:
    from cme.rules.imports import source_key

    return {
        "import_id": import_id,
        "run_id": "run-1",
        "kind": kind,
        "source_name": SOURCE,
        "source_key": source_key(SOURCE),
        "report_to_boards": False,
        "dry_run": False,
        "actor_id": "admin",
        "batch": 1,
        "rows": [[n, values] for n, values in enumerate(rows, start=2)],
    }


def learner(n: int) -> dict[str, str]:
    return {
        "source_id": f"L{n}",
        "email": f"learner{n}@example.org",
        "first_name": f"Zoë{n}",
        "last_name": f"Núñez{n}",
        "degree": "MD",
    }


def transactions(counts: Any) -> int:
    return int(counts["dynamodb:TransactWriteItems"])


def stored_learners() -> dict[str, int]:
    """Each stored learner's email and how many learners have it."""
    from cme.platform.models import Learner

    emails: dict[str, int] = {}
    for item in Learner.scan():
        emails[item.email] = emails.get(item.email, 0) + 1
    return emails


def created_of(import_id: str) -> int:
    from cme.platform.models import ImportCreated
    from cme.platform.models.tables import CREATED_PREFIX

    return sum(1 for _ in ImportCreated.query(import_id, ImportCreated.sk.startswith(CREATED_PREFIX)))


# ------------------------------------------------------------------ learners


@pytest.mark.parametrize("count", [1, 20, 45])
def test_new_learners_are_written_in_as_few_transactions_as_fit(aws: None, count: int) -> None:
    from cme.credit import imports

    with count_calls() as counts:
        done = imports.write_batch(message("learners", [learner(n) for n in range(count)]))
    assert done == {"created": count, "matched": 0, "skipped": 0, "problem": 0}
    assert transactions(counts) == math.ceil(count * LEARNER_ITEMS / 100)
    assert stored_learners() == {f"learner{n}@example.org": 1 for n in range(count)}
    assert created_of("imp-9") == count


def test_a_group_whose_condition_fails_gives_each_row_its_own_outcome(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the batch's reads, another writer takes row 5's email (unconfirmed: held), imports
    row 7's email (it is matched) and row 9's source id (skipped); the group is written again a
    row at a time, and every other row is written once."""
    from cme.credit import imports
    from cme.platform import clock
    from cme.platform.models import EmailOwner, ImportKey
    from cme.rules.imports import source_key

    rows = [learner(n) for n in range(30)]  # rows 2..31: the first group holds rows 2..21
    original = imports._owners

    def meanwhile(emails: Any) -> dict[str, EmailOwner]:
        found = original(emails)
        if not getattr(meanwhile, "done", False):
            meanwhile.done = True  # type: ignore[attr-defined]
            EmailOwner(rows[3]["email"], learner_id="someone", verified=False, added_at=clock.now()).save()
            EmailOwner(
                rows[5]["email"], learner_id="imported-before", verified=False, imported_from="X", added_at=clock.now()
            ).save()
            ImportKey(
                ImportKey.key_of(source_key(SOURCE), "learners", rows[7]["source_id"]),
                "#",
                target="imported-before",
                import_id="imp-0",
                created_at=clock.now(),
            ).save()
        return found

    monkeypatch.setattr(imports, "_owners", meanwhile)
    batch = imports.Batch.of(message("learners", rows))
    imports._write_learners(batch, imports._known(batch, imports._parse(batch)))
    outcomes = {n: (o.result, o.problems[0].code if o.problems else None) for n, o in batch.outcomes.items()}
    assert outcomes.pop(5) == ("problem", "IMPORT_EMAIL_HELD")
    assert outcomes.pop(7) == ("matched", None) and batch.outcomes[7].target == "imported-before"
    assert outcomes.pop(9) == ("skipped", None)
    assert outcomes == {n: ("created", None) for n in range(2, 32) if n not in (5, 7, 9)}
    assert stored_learners() == {r["email"]: 1 for i, r in enumerate(rows) if i not in (3, 5, 7)}
    assert created_of("imp-9") == 27


def test_a_repeated_email_waits_for_the_row_that_creates_it(aws: None) -> None:
    """Two source ids of one email in a batch: the first creates the account, the second is
    matched to it (a group never holds one email twice)."""
    from cme.credit import imports

    rows = [learner(0), learner(1), {**learner(2), "email": "learner0@example.org"}]
    with count_calls() as counts:
        done = imports.write_batch(message("learners", rows))
    assert done == {"created": 2, "matched": 1, "skipped": 0, "problem": 0}
    assert transactions(counts) == 2  # rows 2 and 3 together; row 4 after them (the key alone)
    assert stored_learners() == {"learner0@example.org": 1, "learner1@example.org": 1}


# ------------------------------------------------------------------ claims


def seed_learners(count: int) -> list[str]:
    """Learners as the learners file leaves them (imported accounts): their emails."""
    from cme.identity import passwords
    from cme.platform import clock
    from cme.platform.models import EmailOwner, Learner

    emails = []
    for n in range(count):
        email = f"clinician{n}@example.org"
        Learner(
            f"learner-{n}",
            email=email,
            first_name=f"Ana{n}",
            last_name=f"Ortiz{n}",
            last_name_key=f"ortiz{n}",
            degree="MD",
            email_verified=False,
            role="learner",
            password_hash=passwords.UNSET,
            imported_from=SOURCE,
            created_at=clock.now(),
            updated_at=clock.now(),
        ).save()
        EmailOwner(email, learner_id=f"learner-{n}", verified=False, imported_from=SOURCE, added_at=clock.now()).save()
        emails.append(email)
    return emails


def claims_of(activity_id: str) -> dict[str, Any]:
    from cme.platform.models import Claim

    return {c.learner_id: c for c in Claim.scan() if c.activity_id == activity_id}


def test_new_claims_are_written_in_as_few_transactions_as_fit(world: dict[str, Any]) -> None:
    from cme.platform.models import Activity

    emails = seed_learners(40)
    rows = [row(n, f"s{n}", "A1", email=email) for n, email in enumerate(emails, start=2)]
    with count_calls() as counts:
        outcomes = write(rows)
    assert [o.result for o in outcomes] == ["created"] * 40
    assert transactions(counts) == math.ceil(40 * CLAIM_ITEMS / 100)
    activity_id = world["grand_rounds"]["activity_id"]
    assert sorted(claims_of(activity_id)) == sorted(f"learner-{n}" for n in range(40))
    assert Activity.get(activity_id, consistent_read=True).claim_count == 40


def test_a_claims_group_whose_condition_fails_gives_each_row_its_own_outcome(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the batch's reads, another writer takes row 7's certificate number (a problem),
    imports row 9's source id (skipped) and creates row 11's claim (its line is added to it);
    every other row is written once, and the activity counts the claims this batch made."""
    from cme.credit import import_claims
    from cme.platform import clock
    from cme.platform.models import Activity, Certificate, ImportKey, Learner
    from cme.rules.imports import certificate_key, source_key

    emails = seed_learners(30)
    rows = [row(n, f"s{n}", "A1", email=email) for n, email in enumerate(emails, start=2)]
    rows[5] = row(7, "s7", "A1", email=emails[5], certificate_number="N-7")
    activity = Activity.get(world["grand_rounds"]["activity_id"])
    original = import_claims._look_up

    def meanwhile(ctx: Any, batch_rows: Any) -> Any:
        found = original(ctx, batch_rows)
        taken = {**rows[20][1], "certificate_number": "N-7"}
        _, certificate = import_claims.new_claim(
            context(import_id="imp-0"), taken, Learner.get("learner-20"), activity, certificate_key(SOURCE, "N-7")
        )
        certificate.save()
        key = ImportKey.key_of(source_key(SOURCE), "claims", "s9")
        ImportKey(key, "#", target="x", import_id="imp-0", created_at=clock.now()).save()
        moc = {**rows[9][1], "credit_type": "ABIM_MOC"}
        raced, raced_certificate = import_claims.new_claim(
            context(import_id="imp-0"), moc, Learner.get("learner-9"), activity, None
        )
        raced.save()
        raced_certificate.save()
        return found

    monkeypatch.setattr(import_claims, "_look_up", meanwhile)
    outcomes = {o.row: (o.result, o.problems[0].code if o.problems else None) for o in write(rows)}
    assert outcomes.pop(7) == ("problem", "IMPORT_CERTIFICATE_TAKEN")
    assert outcomes.pop(9) == ("skipped", None)
    assert outcomes.pop(11) == ("created", None)  # a line added to the claim made meanwhile
    assert outcomes == {n: ("created", None) for n in range(2, 32) if n not in (7, 9, 11)}
    claims = claims_of(activity.activity_id)
    assert sorted(claims) == sorted(f"learner-{n}" for n in range(30) if n not in (5, 7))
    assert [x.credit_type for x in claims["learner-9"].lines] == ["ABIM_MOC", "AMA_PRA_1"]
    assert all(len(c.lines) == 1 for learner_id, c in claims.items() if learner_id != "learner-9")
    assert Certificate.get(certificate_key(SOURCE, "N-7")).claim_id != claims["learner-20"].claim_id
    assert Activity.get(activity.activity_id, consistent_read=True).claim_count == 27  # made by this batch


def test_a_later_row_of_a_pending_claim_is_written_after_it(world: dict[str, Any]) -> None:
    """Two lines of one claim and a second claim between them: the claim's first row is committed
    before its second row adds a line."""
    emails = seed_learners(2)
    rows = [
        row(2, "s2", "A1", email=emails[0]),
        row(3, "s3", "A1", email=emails[1]),
        row(4, "s4", "A1", email=emails[0], credit_type="ABIM_MOC"),
    ]
    with count_calls() as counts:
        assert [o.result for o in write(rows)] == ["created"] * 3
    assert transactions(counts) == 2  # rows 2 and 3 together; row 4's line after them
    claims = claims_of(world["grand_rounds"]["activity_id"])
    assert [x.credit_type for x in claims["learner-0"].lines] == ["AMA_PRA_1", "ABIM_MOC"]


# ------------------------------------------------------------------ attendance


def test_new_attendance_is_grouped_and_a_row_recorded_meanwhile_is_matched(
    admin: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.credit import imports
    from cme.platform import clock
    from cme.platform.models import Activity, Attendance

    activity = seed_activity(admin, "A1", title="Grand Rounds 2024")
    rows = [{"activity_source_id": "A1", "email": f"nurse{n}@example.org"} for n in range(40)]
    original = imports._activity_ids

    def meanwhile(ctx: Any, todo: Any) -> dict[str, str]:
        found = original(ctx, todo)
        Attendance(activity["activity_id"], "nurse4@example.org", source="roster", recorded_at=clock.now()).save()
        return found

    monkeypatch.setattr(imports, "_activity_ids", meanwhile)
    done = imports.write_batch(message("attendance", rows))
    assert done == {"created": 39, "matched": 1, "skipped": 0, "problem": 0}
    stored = [a.email for a in Attendance.query(activity["activity_id"])]
    assert sorted(stored) == sorted(r["email"] for r in rows)
    assert Activity.get(activity["activity_id"], consistent_read=True).attendance_count == 39

    more = [{"activity_source_id": "A1", "email": f"nurse{n}@example.org"} for n in range(40, 80)]
    monkeypatch.setattr(imports, "_activity_ids", original)
    with count_calls() as counts:
        assert imports.write_batch(message("attendance", more, import_id="imp-10"))["created"] == 40
    assert transactions(counts) == math.ceil(40 * ATTENDANCE_ITEMS / 100)

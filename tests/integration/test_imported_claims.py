"""Imported claims (docs/domain.md "Imported history"; issue 25): the claims writer of an import
(cme.credit.import_claims.write) on moto, with its learners and activities seeded as the
learners and activities files leave them (their ImportKey items written directly), and how an
imported claim shows: every transcript format, verification by the old portal's number, the
claims list, the certificate, licence requirements and the board files."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from tests.integration.conftest import account
from tests.integration.test_certificates import fetch
from tests.integration.test_claims import claim_body, verify_primary
from tests.integration.test_publisher import create
from tests.integration.test_requirements import make_set, progress
from tests.support.calls import count_calls, dynamodb_total
from tests.support.client import ApiClient
from tests.support.clock import office_date
from tests.support.faults import inject_faults

__all__ = ["inject_faults"]  # the fixture, used by name below

SOURCE = "Cloud CME"  # as an office types it: keys use "CLOUDCME"
LABEL = "Imported from Cloud CME"


def context(dry_run: bool = False, report_to_boards: bool = False, import_id: str = "imp-1") -> Any:
    from cme.rules.imports import Context, source_key

    return Context(
        import_id=import_id,
        kind="claims",
        source_name=SOURCE,
        source_key=source_key(SOURCE),
        report_to_boards=report_to_boards,
        dry_run=dry_run,
    )


def seed_activity(admin: ApiClient, source_id: str, **overrides: Any) -> dict[str, Any]:
    """An activity as the activities file leaves it: the activity, and its ImportKey."""
    from cme.platform import clock
    from cme.platform.models import ImportKey
    from cme.rules.imports import source_key

    activity = create(admin, **overrides)
    ImportKey(
        ImportKey.key_of(source_key(SOURCE), "activities", source_id),
        "#",
        target=activity["activity_id"],
        import_id="imp-0",
        created_at=clock.now(),
    ).save()
    return activity


def row(
    n: int, source_id: str, activity: str, email: str = "md@example.org", **values: Any
) -> tuple[Any, dict[str, Any]]:
    from cme.rules.imports import Row

    parsed = {
        "source_id": source_id,
        "activity_source_id": activity,
        "email": email,
        "credit_type": "AMA_PRA_1",
        "credits": 1.5,
        "completed_on": "2024-03-08",
        "certificate_number": None,
        **values,
    }
    return Row(n, {k: "" if v is None else str(v) for k, v in parsed.items()}), parsed


def write(rows: list[tuple[Any, dict[str, Any]]], **options: Any) -> list[Any]:
    from cme.credit import import_claims

    return import_claims.write(context(**options), rows)


def results(outcomes: list[Any]) -> list[tuple[str, str | None]]:
    return [(o.result, o.problems[0].code if o.problems else None) for o in outcomes]


@pytest.fixture
def world(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    """An MD with a confirmed email (signed in), and two activities imported before (sources A1, A2)."""
    md = new_client()
    assert md.post("/api/accounts", account(email="md@example.org", degree="MD", npi="1234567893")).status == 201
    verify_primary(md, outbox, new_client)
    grand_rounds = seed_activity(
        admin,
        "A1",
        title="Grand Rounds 2024",
        start_date="2024-03-08",
        end_date="2024-03-08",
        credits=[{"type": "AMA_PRA_1", "max": 1.5}, {"type": "ABIM_MOC", "max": 1.5}],
        pars_activity_id="PARS-2024",
    )
    opioids = seed_activity(
        admin,
        "A2",
        title="Safe opioid prescribing",
        start_date="2024-05-02",
        end_date="2024-05-02",
        credits=[{"type": "AMA_PRA_1", "max": 2.0}],
        topics=["controlled_substances"],
    )
    return {"md": md, "grand_rounds": grand_rounds, "opioids": opioids}


HISTORY = [
    ("c1", "A1", {"certificate_number": "2019-0451"}),
    ("c2", "A1", {"credit_type": "ABIM_MOC", "certificate_number": "2019-0451"}),  # the same claim's MOC line
    ("c3", "A2", {"credits": 2.0, "completed_on": "2024-05-02"}),  # no number: a code of ours
]


def import_history(**options: Any) -> list[Any]:
    return write([row(n, sid, act, **values) for n, (sid, act, values) in enumerate(HISTORY, start=2)], **options)


def test_rows_of_one_learner_and_activity_become_one_claim_shown_as_imported_everywhere(
    world: dict[str, Any],
) -> None:
    outcomes = import_history()
    assert results(outcomes) == [("created", None)] * 3
    md = world["md"]

    claims = {c["activity_title"]: c for c in md.get("/api/me/claims").json["claims"]}
    rounds = claims["Grand Rounds 2024"]
    assert [(x["credit_type"], x["credits"]) for x in rounds["lines"]] == [("AMA_PRA_1", 1.5), ("ABIM_MOC", 1.5)]
    assert (rounds["source"], rounds["source_name"], rounds["source_label"]) == ("imported", SOURCE, LABEL)
    assert rounds["completed_on"] == "2024-03-08" and rounds["certificate_code"] == "CLOUDCME20190451"
    assert claims["Safe opioid prescribing"]["certificate_code"] != "CLOUDCME20190451"

    # the transcript: JSON (what the web page shows), CSV and PDF
    rows = md.get("/api/me/transcript", query="format=json").json["rows"]
    assert {(r["title"], r["source"], r["source_label"]) for r in rows} == {
        ("Grand Rounds 2024", "imported", LABEL),
        ("Safe opioid prescribing", "imported", LABEL),
    }
    assert len(rows) == 3  # a row per line
    data, _ = fetch(md.get("/api/me/transcript", query="format=csv").json["url"])
    table = list(csv.reader(io.StringIO(data.decode("utf-8").lstrip("\ufeff"))))
    assert {r[6] for r in table[1:]} == {LABEL} and table[1][0] == "2024-03-08"
    data, _ = fetch(md.get("/api/me/transcript", query="format=pdf").json["url"])
    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert f"Grand Rounds 2024 ({LABEL})" in text

    # verification by the old portal's number, however it is typed
    for typed in ("CLOUDCME20190451", "cloudcme-2019-0451", "CloudCME.2019.0451"):
        answer = md.get(f"/api/verify/{typed}")
        assert answer.status == 200, (typed, answer.json)
        assert answer.json["status"] == "current" and answer.json["valid"] is True
        assert answer.json["imported_from"] == SOURCE and answer.json["original_number"] == "2019-0451"
        assert [x["credit_type"] for x in answer.json["lines"]] == ["AMA_PRA_1", "ABIM_MOC"]
    assert md.get(f"/api/verify/{'X' * 65}").status == 404

    # the certificate: ours, saying where it came from, verifying under the namespaced number
    link = md.get(f"/api/me/claims/{rounds['claim_id']}/certificate")
    assert link.status == 200, link.json
    data, _ = fetch(link.json["url"])
    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert LABEL in text and "Original certificate number: 2019-0451" in text
    assert "Certificate code: CLOUDCME20190451" in text


def test_a_second_run_skips_every_row_and_a_dry_run_writes_nothing(world: dict[str, Any]) -> None:
    from cme.platform.models import Activity, Certificate, Claim, ImportKey

    def stored() -> tuple[int, int, int]:
        return (
            sum(1 for _ in Claim.scan()),
            sum(1 for _ in Certificate.scan()),
            sum(1 for _ in ImportKey.scan(ImportKey.pk.startswith("key#CLOUDCME#claims#"))),
        )

    before = stored()
    assert results(import_history(dry_run=True)) == [("created", None)] * 3
    assert stored() == before  # the dry run wrote nothing
    first = import_history()
    assert results(first) == [("created", None)] * 3
    after = stored()
    assert after == (before[0] + 2, before[1] + 2, before[2] + 3)
    counted = Activity.get(world["grand_rounds"]["activity_id"]).claim_count
    assert counted == 1  # one claim of two lines (the dry run counted nothing)
    again = import_history()
    assert results(again) == [("skipped", None)] * 3
    assert Activity.get(world["grand_rounds"]["activity_id"]).claim_count == counted
    assert [o.target for o in again] == [o.target for o in first]
    assert stored() == after
    assert results(import_history(dry_run=True)) == [("skipped", None)] * 3


def test_each_kind_of_problem_and_a_claim_made_here(
    world: dict[str, Any], admin: ApiClient, new_client: Any, outbox: Any
) -> None:
    from cme.platform import clock
    from cme.platform.models import EmailOwner

    # a learner who claimed an activity here: their own claim stands (matched, nothing written)
    md = world["md"]
    today = seed_activity(admin, "A4", title="Rounds today")
    admin.post(f"/api/admin/activities/{today['activity_id']}/attendance", {"rows": [{"email": "md@example.org"}]})
    assert md.post("/api/me/claims", claim_body(today)).status == 201
    seed_activity(admin, "A3", title="Another imported activity")
    # an unconfirmed hold of another account
    holder = new_client()
    assert holder.post("/api/accounts", account(email="holder@example.org")).status == 201
    EmailOwner(
        "held@example.org", learner_id=EmailOwner.get("holder@example.org").learner_id, added_at=clock.now()
    ).save()

    outcomes = write(
        [
            row(2, "p1", "A9"),  # no such activity imported
            row(3, "p2", "A1", email="nobody@example.org"),
            row(4, "p3", "A1", email="held@example.org"),
            row(5, "p4", "A4"),  # claimed here already
            row(6, "p5", "A1", certificate_number="77"),
            row(7, "p6", "A1", certificate_number="88"),  # the same type again (another source id)
            row(8, "p7", "A1", credit_type="ABIM_MOC", credits=1.5, certificate_number="77"),
        ]
    )
    assert results(outcomes) == [
        ("problem", "IMPORT_ACTIVITY_UNKNOWN"),
        ("problem", "IMPORT_LEARNER_UNKNOWN"),
        ("problem", "IMPORT_EMAIL_HELD"),
        ("matched", None),
        ("created", None),
        ("problem", "IMPORT_CLAIM_DUPLICATE"),
        ("created", None),
    ]
    assert [p.field for o in outcomes[:3] for p in o.problems] == ["activity_source_id", "email", "email"]
    assert outcomes[0].problems[0].row == 2
    claims = {c["activity_title"]: c for c in md.get("/api/me/claims").json["claims"]}
    assert claims["Rounds today"]["source"] == "claim" and claims["Rounds today"]["source_name"] is None
    assert md.get("/api/verify/CLOUDCME77").json["lines"] == [
        {"credit_type": "AMA_PRA_1", "credits": 1.5, "label": "AMA PRA Category 1 Credit™"},
        {
            "credit_type": "ABIM_MOC",
            "credits": 1.5,
            "label": md.get("/api/verify/CLOUDCME77").json["lines"][1]["label"],
        },
    ]

    # another row whose number is already a certificate of this source: a problem, in a dry run too
    for dry_run in (True, False):
        taken = write([row(2, "q1", "A3", certificate_number="77")], import_id="imp-2", dry_run=dry_run)
        assert results(taken) == [("problem", "IMPORT_CERTIFICATE_TAKEN")]
        assert taken[0].problems[0].field == "certificate_number"


def test_an_email_the_office_imported_names_its_learner(world: dict[str, Any]) -> None:
    """A learner the learners file created (no password, the email imported, not yet confirmed)."""
    from cme.identity.passwords import UNSET
    from cme.platform import clock
    from cme.platform.models import EmailOwner, Learner

    Learner(
        "imported-learner",
        email="pa@example.org",
        first_name="Pat",
        last_name="Lee",
        last_name_key="lee",
        degree="PA-C",
        imported_from=SOURCE,
        password_hash=UNSET,
        created_at=clock.now(),
        updated_at=clock.now(),
    ).save()
    EmailOwner(
        "pa@example.org", learner_id="imported-learner", primary=True, added_at=clock.now(), imported_from=SOURCE
    ).save()
    (outcome,) = write([row(2, "x1", "A2", email="pa@example.org", credits=2.0)])
    assert (outcome.result, outcome.target) == ("created", f"imported-learner#{world['opioids']['activity_id']}")


def test_requirement_sets_count_imported_claims(world: dict[str, Any], admin: ApiClient) -> None:
    the_set = make_set(admin)
    md = world["md"]
    done = (office_date() - timedelta(days=200)).isoformat()  # within the two-year cycle tracked
    write(
        [
            row(2, "c1", "A1", completed_on=done),
            row(3, "c2", "A1", credit_type="ABIM_MOC", completed_on=done),
            row(4, "c3", "A2", credits=2.0, completed_on=done),
        ]
    )
    cycle_end = office_date() + timedelta(days=365)
    assert (
        md.put("/api/me/requirements", {"set_id": the_set["set_id"], "cycle_end": cycle_end.isoformat()}).status == 200
    )
    earned = progress(md)
    assert earned["total"]["earned"] == 3.5  # AMA 1.5 (+ MOC 1.5 of the same claim, counted once) + AMA 2.0
    assert earned["topic"]["earned"] == 2.0  # the opioid activity's topic came with the claim


@pytest.mark.parametrize("report", [False, True])
def test_board_files_leave_imported_claims_out_unless_the_import_says_report(
    world: dict[str, Any], report: bool
) -> None:
    from cme.platform.models import Claim
    from cme.records import board_files

    import_history(report_to_boards=report)
    found = board_files.rows("MOC", date(2024, 1, 1), date(2024, 12, 31))
    assert [r.claim.activity_title for r in found] == (["Grand Rounds 2024"] if report else [])
    stored = [c for c in Claim.scan() if c.activity_title == "Grand Rounds 2024"]
    assert [(c.report_board, c.moc_consent) for c in stored] == [("MOC", True) if report else (None, False)]


def test_dynamodb_calls_per_row_stay_few(world: dict[str, Any]) -> None:
    rows = [row(n, f"s{n}", "A1" if n % 2 else "A2", credits=1.0) for n in range(2, 42)]
    # 40 rows: 20 on each activity, all the same learner: 2 new claims, the rest are duplicates
    with count_calls() as counts:
        outcomes = write(rows)
    assert results(outcomes).count(("created", None)) == 2
    assert dynamodb_total(counts) <= 2 + 2 + 2  # two reads, a transaction per claim, a count per activity
    new = [row(n, f"t{n}", "A1", credit_type=kind, credits=1.0) for n, kind in ((2, "ABIM_MOC"),)]
    with count_calls() as counts:
        assert results(write(new)) == [("created", None)]
    assert dynamodb_total(counts) == 3  # two reads and one transaction


def test_faults_in_the_writes_never_lose_or_double_a_row(world: dict[str, Any], inject_faults: Any) -> None:
    """Conflicts and throttling on every call: a batch that fails is delivered again (as SQS does)
    until it goes through; what is stored is then exactly the rows, each once."""
    from cme.platform import retry
    from cme.platform.models import Certificate, Claim, ImportKey

    rows = [row(n, sid, act, **values) for n, (sid, act, values) in enumerate(HISTORY, start=2)]
    injector = inject_faults(conflict=0.7, throttle=0.3, seed=11)
    deliveries, outcomes = 0, None
    while outcomes is None and deliveries < 20:
        deliveries += 1
        try:
            outcomes = write(rows)
        except Exception:
            outcomes = None
    injector.uninstall()
    assert outcomes is not None and {o.result for o in outcomes} <= {"created", "skipped"}
    assert injector.counts()["conflicts"] + injector.counts()["throttles"] > 0
    assert retry.stats()["retries"] > 0
    imported = [c for c in Claim.scan() if c.source == "imported"]
    assert sorted((c.activity_title, [x.credit_type for x in c.lines]) for c in imported) == [
        ("Grand Rounds 2024", ["AMA_PRA_1", "ABIM_MOC"]),
        ("Safe opioid prescribing", ["AMA_PRA_1"]),
    ]
    assert len([k for k in ImportKey.scan() if k.pk.startswith("key#CLOUDCME#claims#")]) == 3
    assert [x.credit_type for x in Certificate.get("CLOUDCME20190451").lines] == ["AMA_PRA_1", "ABIM_MOC"]
    assert results(write(rows)) == [("skipped", None)] * 3

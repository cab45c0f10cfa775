"""Both activity lists page (issue 14, part 1): after years of twice-daily grand rounds a reply
still holds at most ``limit`` activities, every activity is reached exactly once by following
``next_cursor``, and each page costs a bounded number of DynamoDB calls (counted, not timed)."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.test_publisher import activity_body, create
from tests.support.calls import count_calls, dynamodb_total
from tests.support.client import ApiClient
from tests.support.clock import office_date

N = 2000
DAYS_BACK = 700  # 2 a day: 700 days of past grand rounds, 300 days ahead
LEGACY = 150  # saved "before this change": no list keys until the backfill has run


def _title(number: int) -> str:
    return f"Sépsis à Zürich {number}" if number % 97 == 0 else f"Grand Rounds {number}"


def _location(number: int) -> str:
    return "Salle Müller" if number % 89 == 0 else "Auditorium B"


def _grand_rounds(today: date) -> dict[str, dict[str, Any]]:
    """2,000 activities written straight to the table (a handful of batch writes), every fifth a
    draft, a few spanning two months; the first LEGACY without the by_month keys."""
    from cme.platform import clock
    from cme.platform.models import Activity
    from cme.platform.models.tables import CreditDesignation
    from cme.publishing import activities

    now = clock.now()
    made: dict[str, dict[str, Any]] = {}
    months: set[str] = set()
    with Activity.batch_write() as batch:
        for number in range(N):
            end = today + timedelta(days=number // 2 - DAYS_BACK)
            start = end - timedelta(days=40) if number % 250 == 3 else end  # a few span months
            activity_id = f"gr-{number:05d}"
            published = number % 5 != 0
            keys = {} if number < LEGACY else activities.list_keys(activity_id, end.isoformat(), published)
            batch.save(
                Activity(
                    activity_id,
                    title=_title(number),
                    format="rss",
                    start_date=start.isoformat(),
                    end_date=end.isoformat(),
                    location=_location(number),
                    credits=[CreditDesignation(type="AMA_PRA_1", max=1)],
                    claim_window_days=30,
                    attendance_code=f"GR{number:05d}",
                    published=published,
                    published_key="PUBLISHED" if published else None,
                    created_at=now,
                    updated_at=now,
                    **keys,
                )
            )
            if keys:
                months.add(end.isoformat()[:7])
            made[activity_id] = {"end": end.isoformat(), "published": published, "number": number}
    activities.extend_calendar(sorted(months))
    return made


def _walk(client: ApiClient, path: str, query: str = "", limit: int = 200) -> tuple[list[dict[str, Any]], list[Any]]:
    """Every page of a list: the activities in order, and per page (size, DynamoDB calls by operation)."""
    seen: list[dict[str, Any]] = []
    pages: list[Any] = []
    cursor = None
    while True:
        params = f"limit={limit}" + (f"&{query}" if query else "") + (f"&cursor={cursor}" if cursor else "")
        with count_calls() as counts:
            answer = client.get(path, query=params)
        assert answer.status == 200, answer.json
        assert set(answer.json) == {"activities", "next_cursor"}
        page = answer.json["activities"]
        pages.append((len(page), {k: v for k, v in counts.items() if k.startswith("dynamodb:")}, page))
        seen += page
        cursor = answer.json["next_cursor"]
        if cursor is None:
            return seen, pages
        assert len(pages) < 100, "the walk does not end"


def _expected_order(made: dict[str, dict[str, Any]], today: date, admin: bool) -> list[str]:
    """Current and upcoming (last day today or later) soonest first, then past most recent first."""
    wanted = [(info["end"], key) for key, info in made.items() if admin or info["published"]]
    upcoming = sorted(k for k in wanted if k[0] >= today.isoformat())
    past = sorted((k for k in wanted if k[0] < today.isoformat()), reverse=True)
    return [key for _, key in upcoming + past]


def _months_of(page: list[dict[str, Any]]) -> int:
    return len({a["end_date"][:7] for a in page})


@pytest.fixture
def grand_rounds(aws: None) -> dict[str, dict[str, Any]]:
    from cme.platform.clock import office_today
    from infra.tools.backfill_activity_months import backfill

    made = _grand_rounds(office_today())
    done = backfill()
    assert done["activities"] == N and done["updated"] == LEGACY
    assert backfill()["updated"] == 0  # run again: nothing left to do
    return made


def test_both_lists_walk_2000_activities_a_page_at_a_time(
    grand_rounds: dict[str, dict[str, Any]], admin: ApiClient, new_client: Any
) -> None:
    from cme.platform.clock import office_today

    today = office_today()
    figures = {}
    for path, client, is_admin in (
        ("/api/activities", new_client(), False),
        ("/api/admin/activities", admin, True),
    ):
        seen, pages = _walk(client, path)
        ids = [a["activity_id"] for a in seen]
        assert Counter(ids).most_common(1)[0][1] == 1  # nobody twice
        assert ids == _expected_order(grand_rounds, today, is_admin)  # everyone, in the documented order
        partitions = 2 if is_admin else 1  # coordinators read the drafts' partition of a month too
        for size, calls, page in pages:
            assert 1 <= size <= 200
            # one GetItem: the lists' calendar (+ the session, for coordinators); then one Query per
            # month read per partition: the months on the page, the month the next one is in, and the
            # current month once more where "upcoming" turns into "past"
            assert calls.get("dynamodb:GetItem") == (2 if is_admin else 1), calls
            assert set(calls) == {"dynamodb:GetItem", "dynamodb:Query"}, calls
            assert calls["dynamodb:Query"] <= partitions * (_months_of(page) + 2), (calls, _months_of(page))
        assert [size for size, _, _ in pages[:-1]] == [200] * (len(pages) - 1)
        queries = [calls["dynamodb:Query"] for _, calls, _ in pages]
        figures[path] = {"pages": len(pages), "most calls on a page": max(dynamodb_total(c) for _, c, _ in pages)}
        # pinned: 2 a day is ~60 a month, so 200 lie in 4 or 5 months; never more than 7 month reads
        assert max(queries) <= 7 * partitions, queries
        if not is_admin:
            assert "attendance_code" not in json.dumps(seen)
            assert all(a["published"] for a in seen)
    print("\nactivity paging, 2,000 activities:", figures)
    assert figures["/api/activities"]["pages"] == 8  # 1,600 published
    assert figures["/api/admin/activities"]["pages"] == 10


def test_search_is_case_and_accent_insensitive_across_pages(
    grand_rounds: dict[str, dict[str, Any]], admin: ApiClient, new_client: Any
) -> None:
    from cme.platform.clock import office_today

    today = office_today()
    wanted = {k for k, info in grand_rounds.items() if _title(info["number"]).startswith("Sépsis")}
    for path, client, is_admin in (("/api/activities", new_client(), False), ("/api/admin/activities", admin, True)):
        seen, pages = _walk(client, path, "q=SEPSIS%20zurich", limit=5)
        expected = [k for k in _expected_order(grand_rounds, today, is_admin) if k in wanted]
        assert [a["activity_id"] for a in seen] == expected
        assert all(size <= 5 for size, _, _ in pages)
        # a search reads at most 1,000 activities a page: a few pages, each bounded
        assert all(dynamodb_total(calls) <= 2 + 24 * (2 if is_admin else 1) for _, calls, _ in pages)
    # the location too, and words in any order
    seen, _ = _walk(admin, "/api/admin/activities", "q=muller%20salle")
    assert {a["activity_id"] for a in seen} == {k for k, i in grand_rounds.items() if i["number"] % 89 == 0}


def test_from_and_to_pick_a_window_oldest_first(grand_rounds: dict[str, dict[str, Any]], new_client: Any) -> None:
    from cme.platform.clock import office_today

    today = office_today()
    start, end = today - timedelta(days=45), today + timedelta(days=10)
    seen, pages = _walk(new_client(), "/api/activities", f"from={start}&to={end}", limit=50)
    expected = sorted(
        (info["end"], key)
        for key, info in grand_rounds.items()
        if info["published"] and start.isoformat() <= info["end"] <= end.isoformat()
    )
    assert [a["activity_id"] for a in seen] == [key for _, key in expected]
    assert all(size <= 50 for size, _, _ in pages)
    only_from, _ = _walk(new_client(), "/api/activities", f"from={today + timedelta(days=290)}")
    assert [a["end_date"] for a in only_from] == sorted(a["end_date"] for a in only_from)
    assert min(a["end_date"] for a in only_from) >= (today + timedelta(days=290)).isoformat()


def test_a_new_activity_is_listed_at_once_and_moves_when_edited(admin: ApiClient, new_client: Any) -> None:
    draft = create(admin, title="Résumé of the year", published=False)
    public = new_client()
    assert public.get("/api/activities").json == {"activities": [], "next_cursor": None}
    listed = admin.get("/api/admin/activities").json
    assert [a["activity_id"] for a in listed["activities"]] == [draft["activity_id"]] and listed["next_cursor"] is None
    later = (office_date() + timedelta(days=400)).isoformat()
    body = activity_body(title="Résumé of the year", start_date=later, end_date=later, published=True)
    assert admin.put(f"/api/admin/activities/{draft['activity_id']}", body).status == 200
    shown = public.get("/api/activities", query="q=resume").json["activities"]
    assert [(a["activity_id"], a["end_date"]) for a in shown] == [(draft["activity_id"], later)]
    assert public.get("/api/activities/%23calendar").status == 404  # the calendar item is no activity
    assert admin.get("/api/admin/activities/%23calendar").status == 404


def _cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("limit=0", 422, "VALIDATION_FAILED"),
        ("limit=201", 422, "VALIDATION_FAILED"),
        ("limit=many", 422, "VALIDATION_FAILED"),
        ("from=2026-13-01", 422, "VALIDATION_FAILED"),
        ("to=yesterday", 422, "VALIDATION_FAILED"),
        ("from=2026-05-02&to=2026-05-01", 422, "DATES_INVALID"),
        ("q=" + "x" * 101, 422, "VALIDATION_FAILED"),
        ("cursor=not-a-cursor", 400, "CURSOR_INVALID"),
        ("cursor=" + "A" * 601, 422, "VALIDATION_FAILED"),
        ("cursor=" + _cursor({"v": 1, "s": 0, "m": "2026-11"}), 400, "CURSOR_INVALID"),
        ("cursor=" + _cursor([1, 2]), 400, "CURSOR_INVALID"),
    ],
)
def test_bad_queries_are_refused_clearly(admin: ApiClient, new_client: Any, query: str, status: int, code: str) -> None:
    create(admin)
    for client, path in ((new_client(), "/api/activities"), (admin, "/api/admin/activities")):
        answer = client.get(path, query=query)
        assert (answer.status, answer.json["code"]) == (status, code), answer.json
        assert answer.json["message"]


def test_a_cursor_is_checked_not_trusted(
    grand_rounds: dict[str, dict[str, Any]], admin: ApiClient, new_client: Any
) -> None:
    public = new_client()
    first = public.get("/api/activities", query="limit=10").json
    cursor = first["next_cursor"]
    data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    # the catalogue's cursor on the coordinators' list, or with another search: refused
    for client, path, query in (
        (admin, "/api/admin/activities", f"cursor={cursor}"),
        (public, "/api/activities", f"cursor={cursor}&q=sepsis"),
        (public, "/api/activities", f"cursor={cursor}&from=2020-01-01"),
    ):
        answer = client.get(path, query=query)
        assert (answer.status, answer.json["code"]) == (400, "CURSOR_INVALID"), answer.json
    # edited: a month far outside the calendar, a key of another month, a third segment, a wrong type
    for change in ({"m": "0001-01"}, {"a": "1999-01-01#gr-00001"}, {"s": 2}, {"s": "0"}, {"m": "2026-1"}):
        answer = public.get("/api/activities", query=f"cursor={_cursor({**data, **change})}")
        assert (answer.status, answer.json["code"]) == (400, "CURSOR_INVALID"), (change, answer.json)
    # as given, it goes on where the first page stopped
    second = public.get("/api/activities", query=f"limit=10&cursor={cursor}").json["activities"]
    assert not {a["activity_id"] for a in second} & {a["activity_id"] for a in first["activities"]}


def test_a_search_over_sparse_years_reads_only_the_months_in_use(admin: ApiClient, new_client: Any) -> None:
    """Activities ten years apart: a search reads the months that hold activities, not the 240
    empty ones between, so it answers in one page (no "found so far") with a handful of Queries."""
    today = office_date()
    for years, title in ((-10, "Old enduring course"), (0, "Café Cardiología today"), (10, "Far future summit")):
        day = today.replace(year=today.year + years, day=1).isoformat()
        body = activity_body(title=title, start_date=day, end_date=day, format="enduring", published=True)
        assert admin.post("/api/admin/activities", body).status == 201
    public = new_client()
    with count_calls() as counts:
        found = public.get("/api/activities", query="q=cafe%20cardiologia").json
    assert [a["title"] for a in found["activities"]] == ["Café Cardiología today"]
    assert found["next_cursor"] is None
    # the months in use only (today's twice: its upcoming, then its past activities), never the 240 between
    assert counts["dynamodb:Query"] <= 4
    everything, _ = _walk(public, "/api/activities", limit=1)
    assert [a["title"] for a in everything][-1] == "Old enduring course"

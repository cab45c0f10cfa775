"""axe-core over every page of the web front end, signed out, as a learner and as a
coordinator: no serious or critical violations."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from infra.local.seed import DEMO_PASSWORD
from tests.support import journeys
from tests.support.http import StackClient
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

PUBLIC = [
    "/index.html",
    "/sign-in.html",
    "/create-account.html",
    "/forgot-password.html",
    "/reset-password.html?token=x",
    "/verify-email.html?token=x",
    "/verify.html",
    "/attend.html",
    "/404.html",
]
LEARNER = ["/portal.html", "/transcript.html", "/outside-credit.html"]
ADMIN = [
    "/admin.html",
    "/admin-activity.html",
    "/admin-attendance.html?id={id}",
    "/admin-claims.html?id={id}",
    "/admin-qr.html?id={id}",
    "/admin-activity.html?id={id}",
    "/admin-reports.html",
    "/admin-requirements.html",
    "/admin-learners.html?q=zo",
    "/admin-late-claims.html",
]


def _serious(page: Any, path: str) -> list[str]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _sign_in(page: Any, email: str) -> None:
    journeys.sign_in(page, email, DEMO_PASSWORD)


def test_public_pages(page: Any) -> None:
    found = [problem for path in PUBLIC for problem in _serious(page, path)]
    assert found == []


def test_learner_pages(page: Any) -> None:
    _sign_in(page, "learner@example.org")
    found = [problem for path in LEARNER for problem in _serious(page, path)]
    assert found == []


def test_coordinator_pages(page: Any, base_url: str) -> None:
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    today = office_today().isoformat()
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": f"Axe {uuid.uuid4().hex[:6]}",
            "format": "live",
            "start_date": today,
            "end_date": today,
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "published": True,
        },
    )
    assert status == 201
    _sign_in(page, "admin@example.org")
    activity_id = created["activity"]["activity_id"]
    found = [problem for path in ADMIN for problem in _serious(page, path.format(id=activity_id))]
    assert found == []

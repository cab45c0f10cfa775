"""Every page of the web front end, in one table: what the accessibility test (axe, at 390 and
1280 px, tests/e2e/test_accessibility.py) and `make lighthouse` (infra/tools/lighthouse.py) visit.

A new page is one line here. `who` is whom it is visited as: "public" (signed out), "learner"
(the demo learner) or "admin" (the demo coordinator). A path may name `{activity_id}` (an
activity the coordinator can open) and `{learner_id}` (the demo learner's id); the callers fill
them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parents[2]

Who = Literal["public", "learner", "admin"]


@dataclass(frozen=True)
class Page:
    path: str
    who: Who
    # False only where Lighthouse cannot measure the page at all (it refuses a 4xx answer).
    lighthouse: bool = True

    def url(self, **ids: str) -> str:
        return self.path.format(**ids)


PAGES: tuple[Page, ...] = (
    # Signed out
    Page("/index.html", "public"),
    Page("/sign-in.html", "public"),
    Page("/create-account.html", "public"),
    Page("/forgot-password.html", "public"),
    Page("/reset-password.html?token=x", "public"),
    Page("/verify-email.html?token=x", "public"),
    Page("/verify.html", "public"),
    Page("/attend.html", "public"),
    Page("/attend.html?code=ZZZZ99", "public"),  # a code no activity has: the page says so before sending
    Page("/offline.html", "public"),
    Page("/reminders-unsubscribe.html?token=x", "public"),
    Page("/404.html", "public", lighthouse=False),  # served with status 404
    # The learner
    Page("/portal.html", "learner"),
    Page("/transcript.html", "learner"),
    Page("/outside-credit.html", "learner"),
    # The office
    Page("/admin.html", "admin"),
    Page("/admin-activity.html", "admin"),
    Page("/admin-activity.html?id={activity_id}", "admin"),
    Page("/admin-attendance.html?id={activity_id}", "admin"),
    Page("/admin-claims.html?id={activity_id}", "admin"),
    Page("/admin-qr.html?id={activity_id}", "admin"),
    Page("/admin-reports.html", "admin"),
    Page("/admin-requirements.html", "admin"),
    Page("/admin-learners.html", "admin"),
    Page("/admin-learners.html?q=zo", "admin"),
    Page("/admin-learners.html?q=zo&id={learner_id}", "admin"),
    Page("/admin-late-claims.html", "admin"),
    Page("/admin-imports.html", "admin"),
)

DEMO_LEARNER_EMAIL = "learner@example.org"
DEMO_ADMIN_EMAIL = "admin@example.org"

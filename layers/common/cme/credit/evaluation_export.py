"""An activity's evaluation answers as a spreadsheet (docs/api.md "The office's tools"): one row
per claim, oldest first; the learner's name (as certificates print it now), degree and email
(as claimed) and the moment of the claim in the office's time zone; then one column per question,
headed by its text, in the activity's order (a question since removed from the activity, but
answered by some claim, follows under its id). Cells go through cme.platform.spreadsheet (no
formula is ever evaluated).

DynamoDB calls: the activity (GetItem), its claims (the claims' ``by_activity`` index, one Query per
1 MB) and the claimants' names (one BatchGetItem per 100). Nothing is scanned.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cme.credit import claims_report
from cme.platform import documents
from cme.platform.models import Activity, Claim, plain
from cme.platform.schemas import Question
from cme.platform.settings import get_settings
from cme.platform.spreadsheet import to_csv
from cme.publishing import activities

COLUMNS = ["First name", "Last name", "Degree", "Email", "Claimed at"]


def answer_cell(answer: Any) -> Any:
    """An answer as its cell shows it: yes/no for a yes/no question, a rating as its number, text
    as typed (a list of choices joined by "; "); empty when not answered."""
    if answer is None:
        return ""
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, list | tuple | set):
        return "; ".join(str(a) for a in answer)
    if isinstance(answer, dict):
        return ""
    if isinstance(answer, int | float | Decimal):
        return f"{float(answer):g}"  # a rating: "4", "4.5", as the report's summary counts it
    return str(answer)


def columns(questions: list[Question], answered: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(question id, header) per column: the activity's questions, then any other id answered."""
    known = [(q.question_id, q.text) for q in questions]
    ids = {q for q, _ in known}
    extra = sorted({key for answers in answered for key in answers if key not in ids})
    return known + [(key, key) for key in extra]


def filename(activity: Activity) -> str:
    return f"evaluation-{activity.start_date}-{documents.slug(activity.title, 60) or 'activity'}.csv"


def export_csv(activity_id: str) -> tuple[str, str]:
    """(file name, CSV text) of the activity's evaluation answers; 404 for an unknown activity."""
    activity = activities.get(activity_id)
    claims = list(Claim.by_activity.query(activity_id))
    learners = claims_report.claimants({c.learner_id for c in claims})
    answered = [plain(c.evaluation) for c in claims]
    wanted = columns(activities.public_view(activity).evaluation, answered)
    zone = get_settings().office_timezone
    rows = []
    for claim, answers in zip(claims, answered, strict=True):
        first, last = claims_report.names(claim, learners.get(claim.learner_id))
        rows.append(
            [
                first,
                last,
                claim.degree,
                claim.email,
                claims_report.moment(claim.claimed_at.isoformat(), zone),
                *(answer_cell(answers.get(key)) for key, _ in wanted),
            ]
        )
    return filename(activity), to_csv([*COLUMNS, *(header for _, header in wanted)], rows)

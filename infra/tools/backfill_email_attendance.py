"""Give attendance recorded before EmailAttendance its per-email items.

Since this change every attendance row is written, and removed, in one transaction with its
email's EmailAttendance item (cme.publishing.attendance), and My activities reads those items by key instead
of querying the ``by_email`` index. Rows recorded earlier are in no item until this has run, so
run it once right after deploying (and again any time: it only writes what is missing):

    ATTENDANCE_TABLE=<the stack's table> AWS_REGION=<region> python -m infra.tools.backfill_email_attendance

(settings as the functions read them, and AWS_ENDPOINT_URL for a local DynamoDB). The local stack
needs none of it: everything it records goes through cme.publishing.attendance.

Exact while the portal runs: each email's missing activities are added in a transaction that also
checks each of those attendance rows still exists, so a row a coordinator removes meanwhile is not
added back (its check fails, the rest are written). It reads the table with two Scans (an
operator's tool with the operator's credentials, never a request path) and prints what it did as
JSON.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from typing import Any

#: condition checks per transaction, with the one update (a transaction holds 100 items)
CHECKS_PER_TRANSACTION = 99


def _add(email: str, activity_ids: list[str]) -> int:
    """Add ``activity_ids`` to ``email``'s item, each only while its row exists; the number added."""
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    from cme.platform import retry
    from cme.platform.models import Attendance, EmailAttendance

    added = 0
    for start in range(0, len(activity_ids), CHECKS_PER_TRANSACTION):
        chunk = activity_ids[start : start + CHECKS_PER_TRANSACTION]
        while chunk:
            ids = chunk

            def build(tx: TransactWrite, ids: list[str] = ids) -> None:
                for activity_id in ids:
                    tx.condition_check(Attendance, activity_id, email, condition=Attendance.email.exists())
                item = EmailAttendance(*EmailAttendance.key_of(email))
                tx.update(item, actions=[EmailAttendance.activities.add(set(ids))])

            try:
                retry.transact(build, "attendance backfill")
            except TransactWriteError as exc:
                reasons = retry.reasons_by_item(exc)
                if retry.DECISION not in reasons:
                    raise
                chunk = [a for a, reason in zip(ids, reasons, strict=False) if reason != retry.DECISION]
                continue
            added += len(chunk)
            break
    return added


def backfill() -> dict[str, Any]:
    from cme.platform.models import Attendance, EmailAttendance
    from cme.platform.models.tables import ATTENDED_PREFIX

    rows: dict[str, set[str]] = defaultdict(set)
    count = 0
    for row in Attendance.scan(filter_condition=~Attendance.activity_id.startswith(ATTENDED_PREFIX)):
        rows[row.email].add(row.activity_id)
        count += 1
    listed: dict[str, set[str]] = {}
    for item in EmailAttendance.scan(filter_condition=EmailAttendance.activity_id.startswith(ATTENDED_PREFIX)):
        listed[item.email] = set(item.activities or ())
    emails = added = 0
    for email in sorted(rows):
        missing = sorted(rows[email] - listed.get(email, set()))
        if missing:
            emails += 1
            added += _add(email, missing)
    return {"attendance_rows": count, "emails": len(rows), "emails_updated": emails, "activities_added": added}


def main() -> int:
    print(json.dumps(backfill()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

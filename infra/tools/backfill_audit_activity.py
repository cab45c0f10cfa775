"""Give audit records written before the audit table's ``by_activity`` index their activity key.

Records written since carry ``activity_id`` (cme.platform.audit.about: the subject's activity, or
the detail's, as a claim's record names it); older ones are in no activity's History until this
has run. It adds that one key attribute and changes nothing else of a record (what happened, who,
when stay as written). Run it once after deploying the index (and again any time: it only writes
records without the key):

    AUDIT_TABLE=<the stack's table> AWS_REGION=<region> python -m infra.tools.backfill_audit_activity

It reads the table with a Scan (an operator's tool with the operator's credentials, never a request
path: the functions may only put audit records) and prints what it did as JSON.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def backfill() -> dict[str, Any]:
    from pynamodb.exceptions import UpdateError

    from cme.platform.audit import activity_of
    from cme.platform.models import AuditRecord, plain

    seen = updated = 0
    for record in AuditRecord.scan():
        seen += 1
        if record.activity_id:
            continue
        activity_id = activity_of(record.subject, plain(record.detail))
        if activity_id is None:
            continue
        try:
            record.update(
                actions=[AuditRecord.activity_id.set(activity_id)],
                condition=AuditRecord.at.exists() & AuditRecord.activity_id.does_not_exist(),
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            continue  # given its key meanwhile
        updated += 1
    return {"records": seen, "updated": updated}


def main() -> int:
    print(json.dumps(backfill()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Give activities saved before the by_month index their list keys, and the lists' calendar its months.

Activities created or edited since then carry ``list_month``/``list_key`` (cme.publishing.activities.list_keys)
and widen the calendar themselves; older ones are in neither list until this has run. Run it once
after deploying the index (and again any time: it only writes what differs):

    ACTIVITIES_TABLE=<the stack's table> python -m infra.tools.backfill_activity_months

(settings as the functions read them: ACTIVITIES_TABLE, AWS_REGION, and AWS_ENDPOINT_URL for a
local DynamoDB). The local stack needs none of it: its seed creates activities through
cme.publishing.activities.create, which sets the keys.

It reads the table with a Scan (an operator's tool with the operator's credentials, never a request
path) and prints what it did as JSON.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def backfill() -> dict[str, Any]:
    from cme.platform.models import Activity
    from cme.publishing import activities

    seen = updated = 0
    months: set[str] = set()
    for activity in Activity.scan():
        if activity.activity_id == activities.CALENDAR_ID or not activity.end_date:
            continue
        seen += 1
        keys = activities.list_keys(activity.activity_id, activity.end_date, bool(activity.published))
        months.add(activity.end_date[:7])
        if activity.list_month == keys["list_month"] and activity.list_key == keys["list_key"]:
            continue
        activity.update(
            actions=[Activity.list_month.set(keys["list_month"]), Activity.list_key.set(keys["list_key"])],
            condition=Activity.activity_id.exists(),
        )
        updated += 1
    if months:
        activities.extend_calendar(sorted(months))
    return {
        "activities": seen,
        "updated": updated,
        "first_month": min(months, default=None),
        "last_month": max(months, default=None),
    }


def main() -> int:
    print(json.dumps(backfill()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

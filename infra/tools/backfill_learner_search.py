"""Give learners created before the office's learner search their search item.

Accounts created or saved since then carry one (cme.identity.learner_search.entry, put with every
write of the values it is made from); older ones are not found by the search until this has run.
Run it once after deploying the search table (and again any time: it only adds what is missing,
so it never overwrites an item a save wrote meanwhile):

    LEARNERS_TABLE=<the stack's table> LEARNER_SEARCH_TABLE=<the stack's table> \\
        python -m infra.tools.backfill_learner_search

(settings as the functions read them, with AWS_REGION, and AWS_ENDPOINT_URL for a local
DynamoDB). It reads the learners with a Scan (an operator's tool with the operator's
credentials, never a request path) and prints what it did as JSON.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def backfill() -> dict[str, Any]:
    from pynamodb.exceptions import PutError

    from cme.identity import learner_search
    from cme.platform.models import Learner, LearnerSearch

    seen = added = 0
    for learner in Learner.scan():
        seen += 1
        item = learner_search.entry_of(learner)
        try:
            item.save(condition=LearnerSearch.learner_id.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            continue  # it has one already (a save since the deploy, or an earlier run)
        added += 1
    return {"learners": seen, "added": added}


def main() -> int:
    print(json.dumps(backfill()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

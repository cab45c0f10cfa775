"""The query both activity lists take, the public catalogue's (functions/catalogue) and the
coordinators' (functions/publisher): ``?q=&from=&to=&limit=&cursor=``, as Powertools route
parameters (order and paging: cme.publishing.activities)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from cme.publishing import activities

Search = Annotated[str, Query(max_length=100, description="words of the title or location")]
From = Annotated[date | None, Query(alias="from", description="last day on or after (YYYY-MM-DD)")]
To = Annotated[date | None, Query(description="last day on or before (YYYY-MM-DD)")]
Limit = Annotated[int, Query(ge=1, le=activities.MAX_LIMIT, description="activities per page")]
Cursor = Annotated[str | None, Query(max_length=600, description="the next_cursor of the page before")]

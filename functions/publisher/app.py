"""The coordinators' pages: activities, attendance and the claims report, the board reports, learners,
claim reminders (and their unsubscribe link, signed out).

One resolver (cme.runtime.resolver.make_resolver: validation, the error mapping) that includes a Powertools
Router per area (functions/publisher/routes). The public catalogue and sign-in at the event are
functions/catalogue's."""

from __future__ import annotations

from routes import activities, attendance, imports, learners, office, reminders, reports

from cme.runtime import snapstart
from cme.runtime.resolver import lambda_entry, make_resolver

app = make_resolver()
AREAS = (activities, attendance, reports, learners, office, reminders, imports)
for area in AREAS:
    app.include_router(area.router)

snapstart.register(app, services=("dynamodb", "s3", "sqs"), modules=("segno", "email_validator"))
lambda_handler = lambda_entry(app, attendance.BODY_RULES)

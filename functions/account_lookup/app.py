"""Create Account's "one final attempt": find an account by last name and phone."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from cme.identity import accounts
from cme.platform.schemas import Lookup, LookupReply
from cme.runtime import snapstart
from cme.runtime.resolver import client_key, json_reply, lambda_entry, make_resolver, responses

app = make_resolver()


@app.post("/api/accounts/lookup", responses=responses("PHONE_INVALID", "TOO_MANY_ATTEMPTS"))
def lookup(body: Lookup) -> Response[LookupReply]:
    return json_reply(200, accounts.lookup(body.last_name, body.phone, client_key(app)))


snapstart.register(app, modules=("phonenumbers",))
lambda_handler = lambda_entry(app)

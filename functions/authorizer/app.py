"""HttpApi Lambda REQUEST authorizer (payload 2.0, simple responses).

Resolves the ``cme_session`` cookie to the learner's id and role. It always answers
``isAuthorized: true``: a request without a valid session reaches its function with an empty
identity, and the function answers the contract's 401 ``SIGN_IN_REQUIRED`` (an HTTP API
cannot give its own 401/403 that body). Every per-learner route checks the identity.

The one refusal (``isAuthorized: false``, the gateway's own 403) is a request without
CloudFront's origin secret: defense in depth, since every function's shared entry
(``cme.runtime.resolver.lambda_entry``) refuses it too, and the public routes have no authorizer.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from cme.identity import sessions
from cme.identity.sessions import SESSION_COOKIE, cookie_value
from cme.platform import secrets
from cme.platform.observability import logger
from cme.runtime import cloudfront, snapstart

snapstart.register(services=("dynamodb", "secretsmanager"))  # the session; the origin secret


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        through = cloudfront.came_through_cloudfront(event.get("headers"))
    except secrets.Unavailable:  # the origin secret cannot be read (logged there): fail closed
        return {"isAuthorized": False}
    if not through:
        logger.warning("refused: not through CloudFront", extra={"route": event.get("routeKey")})
        return {"isAuthorized": False}
    token = cookie_value(event.get("cookies") or [], SESSION_COOKIE)
    who = sessions.resolve(token)
    if who is None:
        return {"isAuthorized": True, "context": {"learner_id": "", "role": ""}}
    return {"isAuthorized": True, "context": {"learner_id": who.learner_id, "role": who.role}}

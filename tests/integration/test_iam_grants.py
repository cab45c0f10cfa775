"""The IAM check catches a missing grant: a claim, recorded in-process, held against the policies
of template.yaml as they are, and with one grant taken away.

The seed's CreditClaimFunction wrote the certificate record inside the claim's transaction
while its policies granted nothing on CertificatesTable: moto allowed it, AWS would have
answered AccessDenied and the learner a 500. Taking that grant away reproduces the miss.
"""

from __future__ import annotations

import copy
from typing import Any

from infra.local import aws_calls, cfn
from infra.local.aws_calls import table_arn
from infra.tools import iam
from tests.integration.test_claims import claim_body, verify_primary, world  # noqa: F401 - fixtures

CLAIMER = "CreditClaimFunction"


def _without_grant(function: str, table: str) -> dict[str, Any]:
    """template.yaml with every statement of ``function`` that names ``table`` removed."""
    template = copy.deepcopy(cfn.template())
    policies = template["Resources"][function]["Properties"]["Policies"]
    kept: list[Any] = []
    for policy in policies:
        if not (isinstance(policy, dict) and "Statement" in policy):  # a SAM policy template
            if table not in repr(policy):
                kept.append(policy)
            continue
        statements = []
        for statement in policy["Statement"]:
            targets = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            left = [r for r in targets if table not in repr(r)]
            if left:
                statements.append({**statement, "Resource": left})
        if statements:
            kept.append({**policy, "Statement": statements})
    assert repr(kept) != repr(policies), f"{function} has no grant on {table} to take away"
    template["Resources"][function]["Properties"]["Policies"] = kept
    return template


def _claim_requests(world: dict[str, Any]) -> list[aws_calls.Request]:  # noqa: F811
    recorder = aws_calls.recorder()
    assert recorder is not None, "tests/conftest.py installs the recorder"
    with recorder.capture() as captured:
        answer = world["md"].post("/api/me/claims", claim_body(world["activity"]))
    assert answer.status == 201, answer.json
    return captured


def test_a_claim_is_granted_everything_it_does(world: dict[str, Any]) -> None:  # noqa: F811
    requests = _claim_requests(world)
    claimed = [r for r in requests if r.function == CLAIMER]
    assert aws_calls.Request(CLAIMER, "dynamodb:PutItem", table_arn("CertificatesTable")) in claimed
    verdict = iam.check(requests, iam.roles())
    assert verdict.denied == {}, iam.report(verdict, iam.roles(), requests)


def test_removing_the_certificates_grant_is_caught(world: dict[str, Any]) -> None:  # noqa: F811
    requests = _claim_requests(world)
    policies = iam.roles(_without_grant(CLAIMER, "CertificatesTable"))
    verdict = iam.check(requests, policies)
    assert verdict.denied == {CLAIMER: [aws_calls.Request(CLAIMER, "dynamodb:PutItem", table_arn("CertificatesTable"))]}
    assert "DENIED dynamodb:PutItem on table/CertificatesTable" in iam.report(verdict, policies, requests)


# ---------------------------------------------------------------- mail: the address and its domain
SES = "arn:aws:ses:us-east-1:123456789012"
SENDER = "RecoveryFunction"


def _reset_email_requests(world: dict[str, Any]) -> list[aws_calls.Request]:  # noqa: F811
    """The requests of a password reset, which emails a link through SES."""
    recorder = aws_calls.recorder()
    assert recorder is not None, "tests/conftest.py installs the recorder"
    with recorder.capture() as captured:
        answer = world["md"].post("/api/auth/password-reset", {"email": "md@example.org"})
    assert answer.status == 202, answer.json
    return [r for r in captured if r.action.startswith("ses:")]


def _send_mail_policy(template: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = template["Resources"]["SendMailPolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    return statements


def test_an_email_is_granted_on_both_identities_and_the_configuration_set(world: dict[str, Any]) -> None:  # noqa: F811
    requests = _reset_email_requests(world)
    assert {r.resource for r in requests} == {
        f"{SES}:identity/cme-office@example.org",
        f"{SES}:identity/example.org",
        f"{SES}:configuration-set/MailConfigurationSet",
    }
    assert all(r.context == (("ses:fromaddress", "cme-office@example.org"),) for r in requests)
    verdict = iam.check(requests, iam.roles())
    assert verdict.denied == {}, iam.report(verdict, iam.roles(), requests)


def test_a_missing_domain_grant_is_caught(world: dict[str, Any]) -> None:  # noqa: F811
    """The grant AWS checks when the office verified its domain, not the address (the seed's
    miss: Create Account's verification email failed and the account undid itself)."""
    requests = _reset_email_requests(world)
    template = copy.deepcopy(cfn.template())
    identities = _send_mail_policy(template)[0]
    identities["Resource"] = [r for r in identities["Resource"] if "Domain" not in repr(r)]
    policies = iam.roles(template)
    verdict = iam.check(requests, policies)
    denied = aws_calls.Request(
        SENDER, "ses:SendRawEmail", f"{SES}:identity/example.org", (("ses:fromaddress", "cme-office@example.org"),)
    )
    assert verdict.denied == {SENDER: [denied]}
    assert "DENIED ses:SendRawEmail on identity/example.org" in iam.report(verdict, policies, requests)


def test_a_from_address_other_than_the_condition_is_caught(world: dict[str, Any]) -> None:  # noqa: F811
    requests = _reset_email_requests(world)
    template = copy.deepcopy(cfn.template())
    _send_mail_policy(template)[0]["Condition"] = {"StringEquals": {"ses:FromAddress": "someone-else@example.org"}}
    verdict = iam.check(requests, iam.roles(template))
    assert sorted(r.resource for r in verdict.denied[SENDER]) == [
        f"{SES}:identity/cme-office@example.org",
        f"{SES}:identity/example.org",
    ]

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

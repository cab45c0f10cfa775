"""template.yaml's policies, as AWS's SAM translator expands them: least privilege by rule, and
the call-to-IAM mapping the recorded-calls check relies on."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest

from infra.local import cfn
from infra.local.aws_calls import Request, context_for, requests_for, table_arn
from infra.tools import iam

KEPT = ("ClaimsTable", "CertificatesTable", "AuditTable")
# BatchWriteItem on attendance (it can also delete) was roster import's named exception; roster import
# now writes rows in transactions with each email's EmailAttendance item (cme.publishing.attendance.record_many),
# so no function holds it.
BULK_ATTENDANCE: set[str] = set()
# The one kept record a function may remove is attendance, through the coordinator's audited removal
# (DELETE /api/admin/activities/{id}/attendance/{email}, in one transaction with its audit record).
REMOVES_ATTENDANCE = {"PublisherFunction"}
# A claim's record is never deleted; two places MOVE one (a delete of its key in the same transaction
# as a put of the same claim): the office's revocation (cme.credit.revocation: under its revoked key,
# so the activity is free for a new claim; docs/architecture.md "Revoked claims") and the office's
# merge of two accounts (cme.credit.merge: under the kept learner, with an audit record naming it;
# tests/integration/test_learner_merge.py). Only those functions hold DeleteItem on claims.
MOVES_CLAIMS = {"CreditClaimFunction", "PublisherFunction"}


@pytest.fixture(scope="module")
def roles() -> dict[str, iam.Role]:
    return iam.roles()


def _grants(roles: dict[str, iam.Role]) -> list[tuple[str, str, str]]:
    return [
        (name, action, resource)
        for name, role in roles.items()
        for g in role.grants
        for action in g.actions
        for resource in g.resources
    ]


def test_every_function_has_its_own_role(roles: dict[str, iam.Role]) -> None:
    assert {"CreditClaimFunction", "CertificatesFunction", "AuthorizerFunction", "TranscriptWorkerFunction"} <= set(
        roles
    )


def test_no_wildcard_actions_and_no_scan(roles: dict[str, iam.Role]) -> None:
    for name, action, _ in _grants(roles):
        assert "*" not in action, f"{name} is granted {action}"
        assert action != "dynamodb:Scan", f"{name} may scan"


def test_nothing_deletes_claims_certificates_or_the_audit_trail(roles: dict[str, iam.Role]) -> None:
    for name, action, resource in _grants(roles):
        table = resource.rsplit("table/", 1)[-1].split("/")[0] if ":table/" in resource else ""
        if table in KEPT:
            moves = table == "ClaimsTable" and action == "dynamodb:DeleteItem" and name in MOVES_CLAIMS
            assert moves or action not in ("dynamodb:DeleteItem", "dynamodb:BatchWriteItem"), (
                f"{name}: {action} on {table}"
            )
        if table == "AuditTable":
            assert action in ("dynamodb:PutItem", "dynamodb:Query", "dynamodb:GetItem"), f"{name}: {action} on audit"
        if table == "AttendanceTable" and action == "dynamodb:BatchWriteItem":
            assert name in BULK_ATTENDANCE, f"{name} may bulk-write attendance"
        if table == "AttendanceTable" and action == "dynamodb:DeleteItem":
            assert name in REMOVES_ATTENDANCE, f"{name} may delete attendance"


# The public routes' function (no session: the catalogue, credit types, settings, topics, sign-in at
# the event) writes only what a sign-in writes: the attendance row (with its email's EmailAttendance
# item), the throttle counters, and the activity's attendance count (one ADD: cme.publishing.activities.add_to_count).
PUBLIC = "CatalogueFunction"
PUBLIC_WRITES = {
    ("dynamodb:PutItem", "AttendanceTable"),
    ("dynamodb:UpdateItem", "AttendanceTable"),
    ("dynamodb:UpdateItem", "RateLimitsTable"),
    ("dynamodb:UpdateItem", "ActivitiesTable"),
}
READS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "secretsmanager:GetSecretValue")


def test_the_public_function_deletes_nothing_and_writes_nothing_a_coordinator_owns(roles: dict[str, iam.Role]) -> None:
    """docs/architecture.md "Functions, modules, tables and grants": code any visitor reaches runs
    under a role with no delete, and no write to activities' content, codes, claims or the audit trail."""
    granted = [(action, resource) for name, action, resource in _grants(roles) if name == PUBLIC]
    assert granted
    writes = set()
    for action, resource in granted:
        assert not action.split(":", 1)[1].startswith("Delete"), f"{PUBLIC} may {action} on {resource}"
        assert not action.startswith(("s3:", "ses:", "sns:", "sqs:")), f"{PUBLIC} may {action}"
        if action not in READS:
            writes.add((action, resource.rsplit(":table/", 1)[-1]))
    assert writes == PUBLIC_WRITES
    for table in ("ClaimsTable", "AuditTable", "CodesTable", "CertificatesTable", "LearnersTable", "EmailsTable"):
        assert not any(t.split("/")[0] == table for _, t in writes), f"{PUBLIC} writes {table}"
    assert not any(roles[PUBLIC].allows("dynamodb:PutItem", table_arn(t)) for t in ("ActivitiesTable", "AuditTable"))


def test_s3_grants_are_per_prefix_and_never_delete_or_reconfigure(roles: dict[str, iam.Role]) -> None:
    for name, action, resource in _grants(roles):
        if not action.startswith("s3:"):
            continue
        assert action in (
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:PutObject",
            "s3:PutObjectTagging",
            "s3:ListBucket",
        ), f"{name}: {action}"
        if action == "s3:ListBucket":  # the hourly sweep lists the certificates' keys (a bucket action)
            assert name == "OutsideSweepFunction" and resource.endswith(":::cme-local-documents-bucket"), resource
            continue
        if action == "s3:PutObjectTagging":  # marks a deleted outside credit's file for the lifecycle rule
            assert name in ("OutsideCreditFunction", "OutsideSweepFunction"), name
            assert resource.partition(":::")[2].partition("/")[2] == "outside-credits/*"
        bucket, _, key = resource.partition(":::")[2].partition("/")
        assert key and key != "*" and not key.startswith("*"), f"{name}: {action} on the whole bucket {bucket}"


SES = "arn:aws:ses:us-east-1:123456789012"
OFFICE = (("ses:fromaddress", "cme-office@example.org"),)
SENDERS = {
    "CertificateMailFunction",
    "CreditClaimFunction",
    "ProfileFunction",
    "RecoveryFunction",
    "TranscriptWorkerFunction",
}


def test_ses_only_sends_raw_email_from_the_office(roles: dict[str, iam.Role]) -> None:
    """As the office's address, through the address's identity or its domain's (whichever SES
    verified), with the stack's configuration set: nothing else, and only by the senders."""
    expected = {
        f"{SES}:identity/cme-office@example.org",
        f"{SES}:identity/example.org",
        f"{SES}:configuration-set/MailConfigurationSet",
    }
    for name, role in roles.items():
        granted = {r for g in role.grants if "ses:SendRawEmail" in g.actions for r in g.resources}
        assert all(a == "ses:SendRawEmail" for g in role.grants for a in g.actions if a.startswith("ses:")), name
        assert granted == (expected if name in SENDERS else set()), name
        for identity in sorted(r for r in granted if ":identity/" in r):
            assert role.allows("ses:SendRawEmail", identity, OFFICE)
            # the ses:FromAddress condition: another sender, or none given, is refused
            assert not role.allows("ses:SendRawEmail", identity, (("ses:fromaddress", "someone@example.org"),))
            assert not role.allows("ses:SendRawEmail", identity)


def test_an_ses_send_asks_for_the_address_the_domain_and_the_configuration_set() -> None:
    params = {"Source": "cme-office@example.org", "ConfigurationSetName": "Set", "RawMessage": {"Data": b"x"}}
    assert requests_for("ses", "SendRawEmail", params) == [
        ("ses:SendRawEmail", f"{SES}:identity/cme-office@example.org"),
        ("ses:SendRawEmail", f"{SES}:identity/example.org"),
        ("ses:SendRawEmail", f"{SES}:configuration-set/Set"),
    ]
    assert context_for("ses", "SendRawEmail", params) == OFFICE


def test_the_check_holds_string_conditions() -> None:
    grant = iam.Grant(
        "p",
        ("ses:SendRawEmail",),
        (f"{SES}:identity/*",),
        (
            ("StringEquals", "ses:fromaddress", ("a@example.org",)),
            ("StringLike", "ses:fromaddress", ("*@example.org",)),
        ),
    )
    assert grant.allows("ses:SendRawEmail", f"{SES}:identity/example.org", (("ses:fromaddress", "a@example.org"),))
    assert not grant.allows("ses:SendRawEmail", f"{SES}:identity/example.org", (("ses:fromaddress", "b@example.org"),))
    assert not grant.allows("ses:SendRawEmail", f"{SES}:identity/example.org", ())
    request = Request("F", "ses:SendRawEmail", f"{SES}:identity/example.org", (("ses:fromaddress", "b@example.org"),))
    verdict = iam.check([request], {"F": iam.Role("F", [grant])})
    assert verdict.denied == {"F": [request]}


def test_a_transaction_is_authorized_item_by_item() -> None:
    params = {
        "TransactItems": [
            {"Put": {"TableName": "ClaimsTable", "Item": {}}},
            {"Update": {"TableName": "ActivitiesTable", "Key": {}}},
            {"ConditionCheck": {"TableName": "LearnersTable", "Key": {}}},
            {"Delete": {"TableName": "TokensTable", "Key": {}}},
        ]
    }
    assert requests_for("dynamodb", "TransactWriteItems", params) == [
        ("dynamodb:PutItem", table_arn("ClaimsTable")),
        ("dynamodb:UpdateItem", table_arn("ActivitiesTable")),
        ("dynamodb:ConditionCheckItem", table_arn("LearnersTable")),
        ("dynamodb:DeleteItem", table_arn("TokensTable")),
    ]


def test_index_queries_batches_s3_ses_and_sqs_map_to_what_iam_checks() -> None:
    assert requests_for("dynamodb", "Query", {"TableName": "ClaimsTable", "IndexName": "by_activity"}) == [
        ("dynamodb:Query", table_arn("ClaimsTable") + "/index/by_activity")
    ]
    assert requests_for("dynamodb", "BatchGetItem", {"RequestItems": {"A": {}, "B": {}}}) == [
        ("dynamodb:BatchGetItem", table_arn("A")),
        ("dynamodb:BatchGetItem", table_arn("B")),
    ]
    assert requests_for("s3", "GetObject", {"Bucket": "b", "Key": "certificates/x.pdf", "VersionId": "v"}) == [
        ("s3:GetObjectVersion", "arn:aws:s3:::b/certificates/x.pdf")
    ]
    assert requests_for("s3", "HeadObject", {"Bucket": "b", "Key": "k"}) == [("s3:GetObject", "arn:aws:s3:::b/k")]
    raw = b"From: CME <cme-office@example.org>\r\nTo: a@b.org\r\n\r\nhi"
    assert requests_for("ses", "SendRawEmail", {"RawMessage": {"Data": raw}}) == [
        ("ses:SendRawEmail", "arn:aws:ses:us-east-1:123456789012:identity/cme-office@example.org"),
        ("ses:SendRawEmail", "arn:aws:ses:us-east-1:123456789012:identity/example.org"),
    ]
    assert requests_for("sqs", "SendMessageBatch", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/Q"}) == [
        ("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:Q")
    ]


def test_the_check_matches_iam_wildcards() -> None:
    role = iam.Role("F", [iam.Grant("p", ("dynamodb:Query",), (table_arn("T") + "/index/*",))])
    assert role.allows("dynamodb:Query", table_arn("T") + "/index/by_x")
    assert not role.allows("dynamodb:Query", table_arn("T"))
    assert not role.allows("dynamodb:Query", table_arn("T2") + "/index/by_x")
    assert fnmatchcase("arn:aws:s3:::b/certificates/l/c.pdf", "arn:aws:s3:::b/certificates/*")


def test_only_the_sms_and_profile_functions_text_and_each_topic_is_subscribed_and_guarded() -> None:
    # an SMS goes to a phone number, which is no ARN: IAM authorizes sns:Publish on "*" for it
    assert requests_for("sns", "Publish", {"PhoneNumber": "+14805550142", "Message": "hi"}) == [("sns:Publish", "*")]
    topic = "arn:aws:sns:us-east-1:123456789012:T"
    assert requests_for("sns", "Publish", {"TopicArn": topic, "Message": "hi"}) == [("sns:Publish", topic)]
    texting = {name for name, action, _ in _grants(iam.roles()) if action.startswith("sns:")}
    # the replies to texts, and the codes that confirm a profile's phone (cme.identity.phones)
    assert texting == {"SmsAttendanceFunction", "ProfileFunction"}
    resources = iam.translate()["Resources"]
    # each topic feeds one function's alias (SnapStart), never $LATEST; only its AWS service publishes
    topics = {
        "InboundTextsTopic": ("SmsAttendanceFunctionAliaslive", "sms-voice.amazonaws.com"),
        "MailFeedbackTopic": ("MailFeedbackFunctionAliaslive", "ses.amazonaws.com"),
    }
    subscriptions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::SNS::Subscription"]
    expected = [
        {"Endpoint": {"Ref": alias}, "Protocol": "lambda", "TopicArn": {"Ref": t}} for t, (alias, _) in topics.items()
    ]
    assert sorted(subscriptions, key=repr) == sorted(expected, key=repr)
    permissions = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Permission" and r["Properties"].get("Principal") == "sns.amazonaws.com"
    ]
    assert sorted((p["FunctionName"]["Ref"], p["SourceArn"]["Ref"]) for p in permissions) == sorted(
        (alias, topic) for topic, (alias, _) in topics.items()
    )
    policies = {
        r["Properties"]["Topics"][0]["Ref"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::SNS::TopicPolicy"
    }
    assert set(policies) == set(topics)
    for topic, (_, service) in topics.items():
        (statement,) = policies[topic]["PolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": service}
        assert statement["Action"] == "sns:Publish" and statement["Resource"] == {"Ref": topic}
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    # SES publishes only the stack's own configuration set's events
    own_set = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${MailConfigurationSet}"
    condition = policies["MailFeedbackTopic"]["PolicyDocument"]["Statement"][0]["Condition"]
    assert condition["ArnLike"] == {"aws:SourceArn": {"Fn::Sub": own_set}}


def test_the_failed_text_destination_is_granted_to_lambdas_delivery_not_the_code(roles: dict[str, iam.Role]) -> None:
    """SAM gives SmsAttendanceFunction's role sqs:SendMessage on the failed-texts queue for its
    EventInvokeConfig: Lambda itself sends the failed event there with that role, so no call of
    the function's code ever records it. The check knows it as the Lambda service's grant (never
    reported unused), and only when it grants exactly that action on exactly that queue."""
    import copy

    service = [(name, g) for name, role in roles.items() for g in role.grants if g.service]
    assert [(name, g.service, g.actions, g.resources) for name, g in service] == [
        (
            "SmsAttendanceFunction",
            "lambda",
            ("sqs:SendMessage",),
            ("arn:aws:sqs:us-east-1:123456789012:FailedTextsQueue",),
        )
    ]
    verdict = iam.check([], {"SmsAttendanceFunction": roles["SmsAttendanceFunction"]})
    unused = verdict.unused["SmsAttendanceFunction"]
    assert ("sns:Publish", "*") in unused  # the code's own grants still need a recorded call
    assert all(action != "sqs:SendMessage" for action, _ in unused)
    report = iam.report(verdict, {"SmsAttendanceFunction": roles["SmsAttendanceFunction"]}, [])
    assert "- sqs:SendMessage on FailedTextsQueue: used by lambda (destination), not the code" in report

    # the function's code granting itself the same on another queue is its own grant, checked as ever
    template = copy.deepcopy(cfn.template())
    function = template["Resources"]["SmsAttendanceFunction"]["Properties"]
    destination = function["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    destination["Destination"] = {"Fn::GetAtt": ["TranscriptQueue", "Arn"]}
    function["Policies"][0]["Statement"].append(
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": {"Fn::GetAtt": ["FailedTextsQueue", "Arn"]}}
    )
    changed = iam.roles(template)["SmsAttendanceFunction"]
    kinds = {(g.service, g.resources) for g in changed.grants if "sqs:SendMessage" in g.actions}
    assert kinds == {
        ("lambda", ("arn:aws:sqs:us-east-1:123456789012:TranscriptQueue",)),
        ("", ("arn:aws:sqs:us-east-1:123456789012:FailedTextsQueue",)),
    }


# ---------------------------------------------------------------- secrets
# The one function that signs and reads known-device cookies (cme.identity.devices).
READS_DEVICE_KEY = {"SignInFunction"}
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:{}-??????"


def _parameters_named(value: object) -> set[str]:
    """Every name a value refers to: ``Ref`` targets and ``${...}`` of ``Fn::Sub``."""
    import re

    if isinstance(value, dict):
        found: set[str] = set()
        if isinstance(value.get("Ref"), str):
            found.add(value["Ref"])
        sub = value.get("Fn::Sub")
        text = sub if isinstance(sub, str) else sub[0] if isinstance(sub, list) else ""
        found.update(re.findall(r"\$\{([^}!.]+)", text))
        for item in value.values():
            found |= _parameters_named(item)
        return found
    if isinstance(value, list):
        return set().union(*(_parameters_named(v) for v in value)) if value else set()
    return set()


def test_no_function_is_given_a_secret_value() -> None:
    """After SAM's expansion, no function (nor a published version of one) refers to a NoEcho
    parameter: anyone allowed lambda:GetFunctionConfiguration could read it, and SnapStart would
    snapshot it. They name the secrets (their ARNs) instead."""
    from infra.local import cfn

    secret_parameters = {name for name, spec in cfn.template()["Parameters"].items() if spec.get("NoEcho")}
    assert {"OriginSecret", "OriginSecretPrevious", "DeviceCookieKey", "DeviceCookieKeyPrevious"} <= secret_parameters
    resources = iam.translate()["Resources"]
    functions = {k: v for k, v in resources.items() if v["Type"] in ("AWS::Lambda::Function", "AWS::Lambda::Version")}
    assert len(functions) == 2 * len(cfn.functions())
    for name, resource in functions.items():
        assert not _parameters_named(resource["Properties"]) & secret_parameters, name
    for name, resource in functions.items():
        if resource["Type"] == "AWS::Lambda::Function":
            env = resource["Properties"]["Environment"]["Variables"]
            assert env["ORIGIN_SECRET_ID"] == {"Ref": "OriginVerifySecret"}, name
            assert env["DEVICE_COOKIE_KEY_ID"] == {"Ref": "DeviceCookieSecret"}, name


def test_each_function_may_read_only_the_secrets_it_uses(roles: dict[str, iam.Role]) -> None:
    """The functions that check CloudFront's origin header (every API function and the
    authorizer) read the origin secret; the sign-in function also reads the device-cookie
    key; nothing else reads any secret, and reading is all they may do."""
    from infra.local import cfn

    checks_origin = {route.function for route in cfn.routes()} | {cfn.authorizer_function()}
    origin, device = SECRET_ARN.format("OriginVerifySecret"), SECRET_ARN.format("DeviceCookieSecret")
    expected = {name: {origin} | ({device} if name in READS_DEVICE_KEY else set()) for name in checks_origin if name}
    granted: dict[str, set[str]] = {}
    for name, action, resource in _grants(roles):
        if action.startswith("secretsmanager:") or resource.startswith("arn:aws:secretsmanager:"):
            assert action == "secretsmanager:GetSecretValue", (name, action)
            granted.setdefault(name, set()).add(resource)
    assert granted == expected
    assert {"TranscriptMailerFunction", "TranscriptWorkerFunction", "SmsAttendanceFunction"}.isdisjoint(granted)


def test_a_secret_read_is_authorized_on_the_secrets_full_arn(roles: dict[str, iam.Role]) -> None:
    """IAM checks the full ARN (name, dash, six random characters), whatever SecretId named;
    the recorder takes it from the reply. The grant on one secret matches no other."""
    from infra.local.aws_calls import SECRET_ARN as REPLY

    full = "arn:aws:secretsmanager:us-east-1:123456789012:secret:OriginVerifySecret-AbCdEf"
    assert requests_for("secretsmanager", "GetSecretValue", {"SecretId": "OriginVerifySecret", REPLY: full}) == [
        ("secretsmanager:GetSecretValue", full)
    ]
    partial = "arn:aws:secretsmanager:us-east-1:123456789012:secret:OriginVerifySecret"
    assert requests_for("secretsmanager", "GetSecretValue", {"SecretId": "OriginVerifySecret"}) == [
        ("secretsmanager:GetSecretValue", partial)
    ]
    authorizer = roles["AuthorizerFunction"]
    assert authorizer.allows("secretsmanager:GetSecretValue", full)
    assert not authorizer.allows("secretsmanager:GetSecretValue", partial)  # a name alone is not what IAM sees
    assert not authorizer.allows("secretsmanager:GetSecretValue", full.replace("OriginVerify", "DeviceCookie"))
    assert not authorizer.allows("secretsmanager:GetSecretValue", full.replace("Secret-", "SecretX-"))
    assert roles["SignInFunction"].allows("secretsmanager:GetSecretValue", full.replace("OriginVerify", "DeviceCookie"))


def test_a_claim_is_deleted_only_where_revocation_moves_it() -> None:
    """The DeleteItem MOVES_CLAIMS holds is used in two places: the revocation's transaction,
    beside the put of the same claim under its revoked key, and the merge of two accounts (the
    same claim put under the kept learner in the same transaction)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    deleting = [
        path.relative_to(root).as_posix()
        for path in sorted((root / "layers/common/cme").rglob("*.py"))
        if re.search(r"\.delete\(\s*claim\b", path.read_text(encoding="utf-8"))
    ]
    assert deleting == ["layers/common/cme/credit/merge.py", "layers/common/cme/credit/revocation.py"]
    merge = (root / "layers/common/cme/credit/merge.py").read_text(encoding="utf-8")
    moved = merge[: merge.index("tx.delete(claim")]
    assert "tx.save(" in moved[-400:]  # the put under the kept learner, in the same transaction
    source = (root / "layers/common/cme/credit/revocation.py").read_text(encoding="utf-8")
    move = source[source.index("tx.delete(claim") :]
    assert move.index("tx.save(copy, condition=Claim.activity_id.does_not_exist())") < 200

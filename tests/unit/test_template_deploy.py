"""What a deployer expects of template.yaml: access logs kept for a set time and free of
secrets, the API reachable only through CloudFront with the viewer's address, and the optional
logging, custom domain and WAF wired through conditions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from infra.local import cfn

# The $context variables of HTTP API access logs (they differ from REST APIs'):
# https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
HTTP_API_LOG_VARIABLES = {
    "$context.requestId",
    "$context.requestTime",
    "$context.requestTimeEpoch",
    "$context.identity.sourceIp",
    "$context.httpMethod",
    "$context.routeKey",
    "$context.status",
    "$context.protocol",
    "$context.responseLength",
    "$context.integrationStatus",
    "$context.integrationLatency",
    "$context.integrationErrorMessage",
    "$context.responseLatency",
    "$context.authorizer.error",
    "$context.error.message",
    "$context.stage",
    "$context.apiId",
}
OPTIONAL = {
    "CloudFrontLogBucket": "HasCloudFrontLogs",
    "DomainName": "HasCustomDomain",
    "CertificateArn": "HasCustomDomain",
    "WebAclArn": "HasWebAcl",
    "AlarmEmail": "HasAlarmEmail",
}


def _resources() -> dict[str, Any]:
    return cfn.template()["Resources"]


def _distribution() -> dict[str, Any]:
    (distribution,) = cfn.resources("AWS::CloudFront::Distribution").values()
    return distribution["Properties"]["DistributionConfig"]


def _api_behaviour() -> dict[str, Any]:
    (behaviour,) = [b for b in _distribution()["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    return behaviour


def _conditions_in(value: Any) -> set[str]:
    """Every parameter a condition refers to."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            return {value["Ref"]}
        return set().union(*(_conditions_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_conditions_in(v) for v in value)) if value else set()
    return set()


def test_api_access_logs_are_kept_for_a_set_time() -> None:
    settings = _resources()["HttpApi"]["Properties"]["AccessLogSettings"]
    group = settings["DestinationArn"]["Fn::GetAtt"][0]
    assert _resources()[group]["Type"] == "AWS::Logs::LogGroup"
    assert _resources()[group]["Properties"]["RetentionInDays"] == {"Ref": "AccessLogRetentionDays"}
    retention = cfn.template()["Parameters"]["AccessLogRetentionDays"]
    assert retention["Default"] in retention["AllowedValues"] and 0 not in retention["AllowedValues"]


def test_access_log_format_is_one_json_line_without_secrets() -> None:
    format_ = _resources()["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
    assert "\n" not in format_
    fields = json.loads(format_)
    assert fields["requestId"] == "$context.requestId"  # API Gateway requires it
    values = set(fields.values())
    authorizer_context = {v for v in values if re.fullmatch(r"\$context\.authorizer\.[a-z_]+", v)}
    assert values - authorizer_context <= HTTP_API_LOG_VARIABLES, values - HTTP_API_LOG_VARIABLES
    # Our authorizer's context holds ids only (never the cookie); anything else would be a leak.
    assert authorizer_context <= {"$context.authorizer.error", "$context.authorizer.learner_id"}
    # Paths carry emails and certificate codes; headers, cookies and query strings carry tokens.
    for value in values:
        assert not re.search(r"path|header|cookie|query|token|userAgent|\$request", value, re.IGNORECASE), value


def _secret_string(logical_id: str) -> dict[str, Any]:
    """A secret's SecretString: the JSON text of its !Sub, with the parameter each field holds."""
    text = _resources()[logical_id]["Properties"]["SecretString"]["Fn::Sub"]
    return {k: v.removeprefix("${").removesuffix("}") for k, v in json.loads(text).items()}


def test_origin_secret_is_no_echo_and_has_no_default() -> None:
    secret = cfn.template()["Parameters"]["OriginSecret"]
    assert secret["NoEcho"] is True and "Default" not in secret and secret["MinLength"] >= 32
    previous = cfn.template()["Parameters"]["OriginSecretPrevious"]
    assert previous["NoEcho"] is True and previous["Default"] == ""
    assert re.fullmatch(previous["AllowedPattern"], "") and re.fullmatch(previous["AllowedPattern"], "ab" * 32)
    assert not re.fullmatch(previous["AllowedPattern"], "short")
    # in Secrets Manager, never in the functions' environment: that names the secret only
    assert _resources()["OriginVerifySecret"]["Type"] == "AWS::SecretsManager::Secret"
    assert _secret_string("OriginVerifySecret") == {"current": "OriginSecret", "previous": "OriginSecretPrevious"}
    env = cfn.template()["Globals"]["Function"]["Environment"]["Variables"]
    assert env["ORIGIN_SECRET_ID"] == {"Ref": "OriginVerifySecret"} and "ORIGIN_SECRET" not in env


def test_device_cookie_key_is_its_own_no_echo_secret() -> None:
    key = cfn.template()["Parameters"]["DeviceCookieKey"]
    assert key["NoEcho"] is True and "Default" not in key and key["MinLength"] >= 32
    previous = cfn.template()["Parameters"]["DeviceCookieKeyPrevious"]
    assert previous["NoEcho"] is True and previous["Default"] == ""
    assert _secret_string("DeviceCookieSecret") == {"current": "DeviceCookieKey", "previous": "DeviceCookieKeyPrevious"}
    env = cfn.template()["Globals"]["Function"]["Environment"]["Variables"]
    assert env["DEVICE_COOKIE_KEY_ID"] == {"Ref": "DeviceCookieSecret"} and "DEVICE_COOKIE_KEY" not in env
    assert cfn.parameter("DeviceCookieKey") != cfn.parameter("OriginSecret")


def test_the_secrets_json_cannot_be_broken_by_a_value() -> None:
    """The values are put into JSON by !Sub: the parameters' patterns keep out what JSON escapes."""
    parameters = cfn.template()["Parameters"]
    for name in ("OriginSecret", "OriginSecretPrevious", "DeviceCookieKey", "DeviceCookieKeyPrevious"):
        pattern = parameters[name]["AllowedPattern"]
        for bad in ('a"' + "b" * 40, "a\\" + "b" * 40, "a b" + "c" * 40, "a\n" + "b" * 40):
            assert not re.fullmatch(pattern, bad), (name, bad)


def test_cloudfront_sends_a_new_origin_secret_only_after_the_secret_holds_it() -> None:
    """One deploy changes the secret and CloudFront's header: the distribution depends on the
    secret, so CloudFormation updates the secret first (the API then accepts the new value from
    the first edge that sends it)."""
    depends = _resources()["Distribution"].get("DependsOn")
    assert "OriginVerifySecret" in ([depends] if isinstance(depends, str) else depends or [])


def test_only_the_api_origin_sends_the_origin_secret() -> None:
    origins = {o["Id"]: o for o in _distribution()["Origins"]}
    assert origins["api"]["OriginCustomHeaders"] == [
        {"HeaderName": "X-Origin-Verify", "HeaderValue": {"Ref": "OriginSecret"}}
    ]
    assert "OriginCustomHeaders" not in origins["web"]  # S3 needs no secret, and must not see it
    assert _api_behaviour()["TargetOriginId"] == "api"


def test_the_api_receives_the_viewer_address_cookies_and_queries_but_not_host() -> None:
    policy_ref = _api_behaviour()["OriginRequestPolicyId"]
    policy = _resources()[policy_ref["Ref"]]
    assert policy["Type"] == "AWS::CloudFront::OriginRequestPolicy"
    config = policy["Properties"]["OriginRequestPolicyConfig"]
    headers = config["HeadersConfig"]
    # whitelist: "all viewer headers" would forward Host, and execute-api answers 403 to it
    assert headers["HeaderBehavior"] == "whitelist"
    names = {h.lower() for h in headers["Headers"]}
    assert "cloudfront-viewer-address" in names
    assert {"content-type", "user-agent"} <= names  # the API reads them (415 checks, claim records)
    assert not names & {"host", "referer", "authorization", "x-origin-verify"}
    assert len(names) <= 10  # CloudFront's limit per origin request policy
    assert config["CookiesConfig"]["CookieBehavior"] == "all"
    assert config["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    assert _api_behaviour()["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled


def test_optional_parameters_are_wired_through_conditions() -> None:
    template = cfn.template()
    for parameter, condition in OPTIONAL.items():
        assert template["Parameters"][parameter]["Default"] == ""
        assert parameter in _conditions_in(template["Conditions"][condition]), (parameter, condition)
    dist = _distribution()
    assert dist["Logging"]["Fn::If"][0] == "HasCloudFrontLogs"
    logging = dist["Logging"]["Fn::If"][1]
    assert logging["Bucket"] == {"Ref": "CloudFrontLogBucket"} and logging["IncludeCookies"] is False
    assert dist["Logging"]["Fn::If"][2] == {"Ref": "AWS::NoValue"}
    assert dist["Aliases"] == {"Fn::If": ["HasCustomDomain", [{"Ref": "DomainName"}], {"Ref": "AWS::NoValue"}]}
    condition, custom, default = dist["ViewerCertificate"]["Fn::If"]
    assert condition == "HasCustomDomain" and default == {"CloudFrontDefaultCertificate": True}
    assert custom == {
        "AcmCertificateArn": {"Ref": "CertificateArn"},
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": {"Ref": "MinimumProtocolVersion"},
    }
    assert dist["WebACLId"] == {"Fn::If": ["HasWebAcl", {"Ref": "WebAclArn"}, {"Ref": "AWS::NoValue"}]}
    assert template["Outputs"]["SiteUrl"]["Value"]["Fn::If"][0] == "HasCustomDomain"
    # A domain without its certificate (or the reverse) is refused before anything deploys.
    rules = template["Rules"]
    assert {"DomainName", "CertificateArn"} <= _conditions_in(rules)


def test_certificate_and_web_acl_must_be_in_us_east_1() -> None:
    parameters = cfn.template()["Parameters"]
    certificate = parameters["CertificateArn"]["AllowedPattern"]
    assert re.fullmatch(
        certificate, "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-00000000abcd"
    )
    assert not re.fullmatch(certificate, "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000")
    acl = parameters["WebAclArn"]["AllowedPattern"]
    assert re.fullmatch(acl, "arn:aws:wafv2:us-east-1:123456789012:global/webacl/cme/0a1b2c3d")
    assert not re.fullmatch(acl, "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/cme/0a1b2c3d")
    for name in ("CloudFrontLogBucket", "DomainName", "CertificateArn", "WebAclArn"):
        assert re.fullmatch(parameters[name]["AllowedPattern"], "")  # empty means off
    assert re.fullmatch(parameters["CloudFrontLogBucket"]["AllowedPattern"], "cme-logs.s3.amazonaws.com")
    assert re.fullmatch(parameters["OriginSecret"]["AllowedPattern"], "0123456789abcdef" * 4)


def test_readme_names_every_parameter_a_deployer_sets() -> None:
    readme = Path(cfn.ROOT, "docs", "operations.md").read_text(encoding="utf-8")
    deploy = readme.split("## Deploy to AWS", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in cfn.template()["Parameters"] if f"`{name}`" not in deploy]
    assert missing == []
    assert "make smoke URL=" in deploy


def test_a_transcript_email_that_keeps_failing_raises_an_alarm() -> None:
    """A message in the transcript dead-letter queue (three failed deliveries) sets off a
    CloudWatch alarm, which emails AlarmEmail through an SNS topic when one is given."""
    resources = _resources()
    alarm = resources["TranscriptDeadLetterAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["TranscriptDeadLetterQueue", "QueueName"]}}
    ]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert alarm["TreatMissingData"] == "notBreaching"  # an empty queue reports nothing: all is well
    assert alarm["AlarmActions"] == {"Fn::If": ["HasAlarmEmail", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]}
    topic = resources["AlarmTopic"]
    assert topic["Condition"] == "HasAlarmEmail"
    assert topic["Properties"]["Subscription"] == [{"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}]
    assert "KmsMasterKeyId" not in topic["Properties"]  # alarms cannot publish to a topic under aws/sns
    queue = resources["TranscriptQueue"]["Properties"]["RedrivePolicy"]
    assert queue["deadLetterTargetArn"] == {"Fn::GetAtt": ["TranscriptDeadLetterQueue", "Arn"]}


def test_a_text_whose_function_keeps_failing_goes_to_a_queue_and_raises_an_alarm() -> None:
    """SNS invokes SmsAttendanceFunction asynchronously: after the first try and two retries,
    Lambda hands the event to the failed-texts queue (encrypted, kept 14 days, the longest SQS
    keeps a message), and a message there sets off an alarm wired as the transcript one is."""
    from infra.tools import iam

    resources = _resources()
    invoke = resources["SmsAttendanceFunction"]["Properties"]["EventInvokeConfig"]
    assert invoke == {
        "MaximumRetryAttempts": 2,
        "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": ["FailedTextsQueue", "Arn"]}}},
    }
    queue = resources["FailedTextsQueue"]["Properties"]
    assert queue == {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True}

    alarm = resources["FailedTextsAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["FailedTextsQueue", "QueueName"]}}]
    wiring = ("AlarmDescription", "Dimensions")
    transcript = resources["TranscriptDeadLetterAlarm"]["Properties"]
    assert {k: v for k, v in alarm.items() if k not in wiring} == {
        k: v for k, v in transcript.items() if k not in wiring
    }
    assert "SmsAttendanceFunction" in alarm["AlarmDescription"]

    # as AWS deploys it: on the alias SNS invokes (SnapStart's `live`), not $LATEST
    (config,) = [
        r["Properties"] for r in iam.translate()["Resources"].values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"
    ]
    assert config["FunctionName"] == {"Ref": "SmsAttendanceFunction"}
    assert (config["Qualifier"], config["MaximumRetryAttempts"]) == ("live", 2)
    assert config["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": ["FailedTextsQueue", "Arn"]}}}


def test_the_mail_queue_workers_together_keep_max_send_rate() -> None:
    """One fact, one place: the SQS event's MaximumConcurrency and the workers' MAIL_SENDERS
    read the same Mapping; MaxSendRate reaches MAX_SEND_RATE; each worker paces to their
    quotient (cme.platform.pacing), and the settings read them as the local stack resolves them."""
    from cme.platform.settings import from_environment

    template = cfn.template()
    mapping = ["MailQueue", "Worker", "MaximumConcurrency"]
    worker = template["Resources"]["TranscriptWorkerFunction"]["Properties"]
    event = worker["Events"]["Queue"]["Properties"]
    assert event["ScalingConfig"] == {"MaximumConcurrency": {"Fn::FindInMap": mapping}}
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["MAIL_SENDERS"] == {"Fn::FindInMap": mapping}
    assert variables["MAX_SEND_RATE"] == {"Ref": "MaxSendRate"}
    senders = template["Mappings"]["MailQueue"]["Worker"]["MaximumConcurrency"]
    assert 2 <= senders <= 1000  # what SQS event sources accept

    parameter = template["Parameters"]["MaxSendRate"]
    assert (parameter["Type"], parameter["Default"], parameter["MinValue"]) == ("Number", 1, 1)
    settings = from_environment(cfn.environment())
    assert (settings.max_send_rate, settings.mail_senders) == (1.0, senders)


def test_the_worker_timeout_fits_a_batch_at_the_slowest_rate() -> None:
    """A full batch at the lowest MaxSendRate (each instance one send per MAIL_SENDERS / rate
    seconds) plus the reserve no send starts in leaves room for retries; the queue hides a
    message for six times the Timeout, as AWS advises for an SQS event source."""
    from cme.platform import pacing

    template = cfn.template()
    worker = template["Resources"]["TranscriptWorkerFunction"]["Properties"]
    batch = worker["Events"]["Queue"]["Properties"]["BatchSize"]
    senders = template["Mappings"]["MailQueue"]["Worker"]["MaximumConcurrency"]
    slowest = template["Parameters"]["MaxSendRate"]["MinValue"]
    paced = batch * senders / slowest  # 10 x 2 / 1 = 20 s
    assert paced == 20
    assert worker["Timeout"] >= 2 * paced + pacing.RESERVE_SECONDS  # as much again for throttling retries
    assert template["Resources"]["TranscriptQueue"]["Properties"]["VisibilityTimeout"] >= 6 * worker["Timeout"]


def test_an_imported_file_expires_from_the_documents_bucket() -> None:
    """An import's file holds the learners of the portal the office left (emails, names): the
    bucket's lifecycle removes every object under the prefix the import's upload key uses."""
    from cme.credit.imports import upload_key

    (bucket,) = (r for name, r in cfn.resources("AWS::S3::Bucket").items() if name == "DocumentsBucket")
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    key = upload_key("an-import", "CloudCME learners.csv", "csv")
    expiring = [
        r for r in rules if r["Status"] == "Enabled" and key.startswith(r.get("Prefix", "\0")) and "TagFilters" not in r
    ]
    assert [r["ExpirationInDays"] for r in expiring] == [30]

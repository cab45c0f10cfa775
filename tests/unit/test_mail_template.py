"""template.yaml's mail as AWS's SAM translator expands it: the domain identity a first stack
creates (Easy DKIM, custom MAIL FROM) and the DNS records it outputs, the configuration set
every email goes with and the bounces and complaints it publishes."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local import cfn
from infra.tools import iam


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    return iam.translate()


def test_a_first_stack_creates_the_domain_identity_of_mail_from_with_easy_dkim(translated: dict[str, Any]) -> None:
    identity = translated["Resources"]["MailIdentity"]
    assert identity["Condition"] == "CreatesMailIdentity"
    assert translated["Conditions"]["CreatesMailIdentity"] == {"Fn::Equals": [{"Ref": "CreateMailIdentity"}, "true"]}
    assert identity["DeletionPolicy"] == "Retain"  # another stack may send through it
    props = identity["Properties"]
    assert props["EmailIdentity"] == {"Fn::Select": [1, {"Fn::Split": ["@", {"Ref": "MailFrom"}]}]}
    assert props["DkimAttributes"] == {"SigningEnabled": True}
    assert props["MailFromAttributes"]["Fn::If"][0] == "HasCustomMailFrom"
    assert props["MailFromAttributes"]["Fn::If"][1]["MailFromDomain"] == {"Ref": "MailFromDomain"}
    assert cfn.parameter("CreateMailIdentity") == "false"  # a stack reuses an identity unless told


def test_the_dns_records_to_publish_are_output(translated: dict[str, Any]) -> None:
    outputs = translated["Outputs"]
    for n in (1, 2, 3):
        record = outputs[f"MailDkimRecord{n}"]
        assert record["Condition"] == "CreatesMailIdentity"
        assert record["Value"] == {
            "Fn::Sub": f"${{MailIdentity.DkimDNSTokenName{n}}} CNAME ${{MailIdentity.DkimDNSTokenValue{n}}}"
        }
    assert outputs["MailFromMxRecord"]["Condition"] == outputs["MailFromSpfRecord"]["Condition"] == "HasCustomMailFrom"
    assert outputs["MailFromMxRecord"]["Value"] == {
        "Fn::Sub": "${MailFromDomain} MX 10 feedback-smtp.${AWS::Region}.amazonses.com"
    }
    assert outputs["MailFromSpfRecord"]["Value"] == {
        "Fn::Sub": '${MailFromDomain} TXT "v=spf1 include:amazonses.com ~all"'
    }


def test_every_email_goes_with_a_configuration_set_that_reports_bounces_and_complaints(
    translated: dict[str, Any],
) -> None:
    resources = translated["Resources"]
    assert "Name" not in resources["MailConfigurationSet"]["Properties"]  # generated: two stacks, two sets
    destination = resources["MailFeedbackDestination"]["Properties"]
    assert destination["ConfigurationSetName"] == {"Ref": "MailConfigurationSet"}
    assert destination["EventDestination"]["Enabled"] is True
    assert sorted(destination["EventDestination"]["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["EventDestination"]["SnsDestination"] == {"TopicARN": {"Ref": "MailFeedbackTopic"}}
    assert cfn.topic_subscribers()["MailFeedbackTopic"] == ["MailFeedbackFunction"]
    assert cfn.environment()["MAIL_CONFIGURATION_SET"] == "MailConfigurationSet"
    senders = {
        name
        for name, res in resources.items()
        if res["Type"] == "AWS::IAM::Role"
        and {"Ref": "SendMailPolicy"} in res["Properties"].get("ManagedPolicyArns", [])
    }
    assert senders == {
        "CreditClaimFunctionRole",  # a late-claim decision (cme.credit.late_claims)
        "ProfileFunctionRole",
        "RecoveryFunctionRole",
        "TranscriptWorkerFunctionRole",
    }

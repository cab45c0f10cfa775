"""Two stacks, one account and region (staging beside production): nothing the template makes
may have a fixed name, or the second stack fails with "already exists".

The template is expanded with AWS's own SAM translator, then resolved as two stacks: every name
a resource is given (a ``Name`` or ``...Name`` property, wherever it sits) is compared between
them. A name CloudFormation generates, or one built from the stack's name, differs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from infra.tools import iam

STACKS = ("cme-portal", "cme-staging")
# keys named like a name that are not a name the account holds once
NOT_ACCOUNT_NAMES = {
    "AttributeName",  # a DynamoDB attribute
    "IndexName",  # an index, within its table
    "MetricName",  # the metric an alarm watches
    "HeaderName",  # an HTTP header CloudFront adds
    "PolicyName",  # an inline policy, within its role
    "StageName",  # an API stage, within its API
    "DisplayName",  # an SNS topic's label
}
# (resource type, key) whose name is within something else, or may be shared on purpose
SCOPED = {
    ("AWS::Lambda::Alias", "Name"),  # the alias `live`, within its function
    ("AWS::CloudWatch::Alarm", "Dimensions.Name"),  # a dimension's key
    ("AWS::Lambda::LayerVersion", "LayerName"),  # one name, a new version per stack: may be shared
}


def _as_stack(value: Any, stack: str, resources: dict[str, Any]) -> Any:
    """``value`` as it resolves in stack ``stack``: the stack's name, and the physical names
    CloudFormation generates for resources (they start with the stack's name); parameters and
    the account's pseudo parameters are the same in both stacks."""
    if isinstance(value, list):
        return [_as_stack(v, stack, resources) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        return {k: _as_stack(v, stack, resources) for k, v in value.items()}
    ((key, arg),) = value.items()

    def name_of(reference: str) -> str:
        if reference == "AWS::StackName":
            return stack
        logical = reference.split(".", 1)[0]
        if logical in resources:
            return f"{stack}-{reference}-GENERATED"
        return f"<{reference}>"  # a parameter or pseudo parameter: the same in both stacks

    if key == "Ref":
        return name_of(arg)
    if key == "Fn::GetAtt":
        return name_of(".".join(arg) if isinstance(arg, list) else arg)
    if key == "Fn::Sub":
        text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        scope = {k: str(_as_stack(v, stack, resources)) for k, v in extra.items()}
        return re.sub(r"\$\{([^}!]+)\}", lambda m: scope.get(m.group(1), name_of(m.group(1))), text)
    return {key: _as_stack(arg, stack, resources)}


def _names(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(dotted key path, value) of every key named ``Name`` or ``...Name``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("Name") and not key.startswith("Fn::"):
                yield ".".join((*path, key)), item
            yield from _names(item, (*path, key))
    elif isinstance(value, list):
        for item in value:
            yield from _names(item, path)


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    return iam.translate()["Resources"]


def _collisions(translated: dict[str, Any]) -> list[str]:
    found = []
    for logical_id, resource in translated.items():
        for path, value in _names(resource.get("Properties") or {}):
            key = path.rsplit(".", 1)[-1]
            if key in NOT_ACCOUNT_NAMES or (resource["Type"], path) in SCOPED:
                continue
            first, second = (_as_stack(value, stack, translated) for stack in STACKS)
            if first == second:
                found.append(f"{logical_id} ({resource['Type']}) {path} = {first!r}")
    return found


def test_two_stacks_name_nothing_the_same(translated: dict[str, Any]) -> None:
    assert _collisions(translated) == []


def test_the_check_finds_a_fixed_name() -> None:
    """The check itself: the schedule's name SAM gives without OmitName (its logical id), and a
    fixed log group name, are found."""
    resources = {
        "Daily": {"Type": "AWS::Scheduler::Schedule", "Properties": {"Name": "TranscriptMailerFunctionDaily"}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Sub": "/aws/cme-${AWS::Region}"}}},
        "Mine": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Sub": "/aws/${AWS::StackName}"}}},
    }
    assert [row.split(" ", 1)[0] for row in _collisions(resources)] == ["Daily", "Logs"]


def test_the_schedule_has_no_fixed_name(translated: dict[str, Any]) -> None:
    schedules = [r for r in translated.values() if r["Type"] == "AWS::Scheduler::Schedule"]
    for schedule in schedules:
        assert "Name" not in schedule["Properties"]  # CloudFormation generates a unique one
    assert sorted(s["Properties"]["Target"]["Arn"]["Ref"] for s in schedules) == [
        "OutsideSweepFunctionAliaslive",
        "ReminderScheduleFunctionAliaslive",
        "TranscriptMailerFunctionAliaslive",
    ]

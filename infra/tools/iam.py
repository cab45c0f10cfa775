"""Each function's IAM policies as SAM deploys them, held against the calls it was seen making.

The policies are expanded by AWS's own SAM translator (``aws-sam-translator``: the code
``sam deploy`` runs in CloudFormation), not by a copy of its policy templates; the
intrinsics they use (``Fn::Sub``, ``Ref``, ``Fn::GetAtt``) are then resolved with the local
stack's names, the same names the recorded calls carry (``infra.local.aws_calls``).

``python -m infra.tools.iam [records-dir]`` prints, per function, the requests its policies
deny and the grants no recorded call used.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from infra.local import cfn
from infra.local.aws_calls import ACCOUNT, PARTITION, REGION, Request

DEFAULT_RECORDS = cfn.ROOT / "build" / "aws-calls"


#: the condition operators the check evaluates (a policy using another one is refused, not guessed)
OPERATORS = ("StringEquals", "StringLike")


@dataclass(frozen=True)
class Grant:
    """One Allow statement of a function's role, its intrinsics resolved, and its conditions as
    (operator, lower-case key, values).

    ``service``: the AWS service that makes the calls it grants with the function's role, not the
    function's code (e.g. ``"lambda"`` for an asynchronous invocation's destination), so no
    recorded call can use it; empty for the function's own grants.
    """

    policy: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    service: str = ""

    def allows(self, action: str, resource: str, context: tuple[tuple[str, str], ...] = ()) -> bool:
        return (
            any(fnmatchcase(action.lower(), a.lower()) for a in self.actions)
            and any(fnmatchcase(resource, r) for r in self.resources)
            and self.holds(context)
        )

    def holds(self, context: tuple[tuple[str, str], ...]) -> bool:
        """Whether the request's condition keys meet every condition, as IAM evaluates them: each
        key must be present (no ...IfExists here) and match one of the values."""
        given = dict(context)
        for operator, key, values in self.conditions:
            value = given.get(key)
            if value is None:
                return False
            if operator == "StringEquals" and value not in values:
                return False
            if operator == "StringLike" and not any(fnmatchcase(value, pattern) for pattern in values):
                return False
        return True


@dataclass
class Role:
    function: str
    grants: list[Grant] = field(default_factory=list)
    managed: list[str] = field(default_factory=list)  # managed policy ARNs (AWS's own: not expanded)

    def allows(self, action: str, resource: str, context: tuple[tuple[str, str], ...] = ()) -> bool:
        return any(grant.allows(action, resource, context) for grant in self.grants)


class _NoManagedPolicies:
    """The translator asks IAM for managed policy names only when a template names one by
    name instead of ARN; this template does not, so there is nothing to load."""

    def load(self) -> dict[str, str]:
        return {}


# ---------------------------------------------------------------- expanding the template
def _packaged(template: dict[str, Any]) -> dict[str, Any]:
    """The template as ``sam package`` hands it over: code locations are S3 URIs."""
    out = copy.deepcopy(template)
    for resource in out["Resources"].values():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://sam-artifacts/{props[key].strip('/')}"
    return out


def _parameter_values(template: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for name, spec in (template.get("Parameters") or {}).items():
        values[name] = str(cfn.resolve({"Ref": name})) if "Default" in spec or spec.get("NoEcho") else "x" * 40
    return values


def translate(template: dict[str, Any] | None = None, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The CloudFormation template SAM makes of ``template`` (default: template.yaml), with
    ``parameters`` in place of the local values of those parameters."""
    from samtranslator.translator.transform import transform

    source = template if template is not None else cfn.template()
    values = {**_parameter_values(source), **(parameters or {})}
    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = REGION  # the translator needs a region for its ARNs
    try:
        return transform(_packaged(source), values, _NoManagedPolicies())
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous


def _arn_of(logical_id: str, resources: dict[str, Any]) -> str:
    kind = resources.get(logical_id, {}).get("Type", "")
    name = cfn.physical_name(logical_id)
    if kind == "AWS::DynamoDB::Table":
        return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    if kind == "AWS::S3::Bucket":
        return f"arn:{PARTITION}:s3:::{name}"
    if kind == "AWS::SQS::Queue":
        return f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{name}"
    if kind in ("AWS::Lambda::Function", "AWS::Serverless::Function"):
        return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{name}"
    if kind == "AWS::SecretsManager::Secret":  # the name, a dash and six random characters
        return f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-??????"
    return f"arn:{PARTITION}:local:{REGION}:{ACCOUNT}:{name}"


def _published_arn(logical_id: str, resources: dict[str, Any]) -> str | None:
    """The ARN of a function's alias or published version (``AutoPublishAlias``, SnapStart):
    the function's ARN qualified by the alias name, or by ``*`` for a version (its number is
    known only at deploy). Accepts the translated resources (``XAliaslive``, an
    ``AWS::Lambda::Alias``; ``XVersion1a2b3c``, an ``AWS::Lambda::Version``) and the SAM
    references ``X.Alias`` / ``X.Version`` as written in template.yaml."""
    resource = resources.get(logical_id, {})
    kind = resource.get("Type", "")
    props = resource.get("Properties") or {}
    if kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
        function = props.get("FunctionName", {})
        target = function.get("Ref") if isinstance(function, dict) else None
        if not isinstance(target, str):
            return None
        qualifier = str(props.get("Name", "*")) if kind == "AWS::Lambda::Alias" else "*"
        return f"{_arn_of(target, resources)}:{qualifier}"
    logical, _, attribute = logical_id.partition(".")
    if attribute in ("Alias", "Version") and logical in resources:
        alias = cfn.auto_publish_alias(logical) if logical in cfn.template()["Resources"] else None
        qualifier = alias if attribute == "Alias" and alias else "*"
        return f"{_arn_of(logical, resources)}:{qualifier}"
    return None


def _ref_of(logical_id: str, resources: dict[str, Any]) -> str:
    """What ``Ref`` of a resource gives: its name, but a queue's URL and a secret's ARN."""
    kind = resources[logical_id].get("Type", "")
    if kind == "AWS::SQS::Queue":
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{cfn.physical_name(logical_id)}"
    if kind == "AWS::SecretsManager::Secret":
        return _arn_of(logical_id, resources)
    return cfn.physical_name(logical_id)


PSEUDO = {
    "AWS::Partition": PARTITION,
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": "amazonaws.com",
}


def resolve(value: Any, resources: dict[str, Any], variables: dict[str, Any] | None = None) -> Any:
    """Resolve the intrinsics IAM policies use, with the local stack's names."""
    if isinstance(value, list):
        return [resolve(v, resources, variables) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        return {k: resolve(v, resources, variables) for k, v in value.items()}
    ((key, arg),) = value.items()
    if key == "Ref":
        if arg in PSEUDO:
            return PSEUDO[arg]
        published = _published_arn(arg, resources)
        if published is not None:
            return published
        if arg in resources:
            return _ref_of(arg, resources)
        return str(cfn.resolve({"Ref": arg}))
    if key == "Fn::GetAtt":
        logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
        if attribute == "Arn":
            return _arn_of(logical, resources)
        return cfn.physical_name(logical)  # QueueName, ...
    if key == "Fn::Sub":
        text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        scope = {**(variables or {}), **{k: resolve(v, resources, variables) for k, v in extra.items()}}

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in scope:
                return str(scope[name])
            if "." in name:
                logical, attribute = name.split(".", 1)
                if attribute in ("Alias", "Version"):
                    return str(resolve({"Ref": name}, resources))
                return str(resolve({"Fn::GetAtt": [logical, attribute]}, resources))
            return str(resolve({"Ref": name}, resources))

        return re.sub(r"\$\{([^}!]+)\}", one, text)
    if key in ("Fn::Join", "Fn::Split", "Fn::Select"):
        return _list_function(key, arg, resources, variables)
    return {key: resolve(arg, resources, variables)}


def _list_function(key: str, arg: Any, resources: dict[str, Any], variables: dict[str, Any] | None) -> Any:
    """``Fn::Join``, ``Fn::Split`` and ``Fn::Select`` (the domain of MailFrom, for one)."""
    if key == "Fn::Join":
        separator, parts = arg
        return separator.join(str(resolve(p, resources, variables)) for p in parts)
    if key == "Fn::Split":
        separator, text = arg
        return str(resolve(text, resources, variables)).split(separator)
    index, items = arg
    return resolve(items, resources, variables)[int(index)]


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


#: what Lambda itself sends to an asynchronous invocation's destination, by destination type
#: (SAM's EventInvokeConfig adds the grant to the function's role: Lambda delivers with it)
DESTINATION_ACTIONS = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish", "Lambda": "lambda:InvokeFunction"}


def _destination_policies(resources: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The policies SAM generated for each EventInvokeConfig destination: policy name ->
    (the action Lambda's delivery needs, the destination's ARN as written)."""
    found: dict[str, tuple[str, str]] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::EventInvokeConfig":
            continue
        for outcome, target in (resource["Properties"].get("DestinationConfig") or {}).items():
            arn = str(resolve(target["Destination"], resources))
            for kind, action in DESTINATION_ACTIONS.items():  # SAM names it <config><outcome><type>Policy
                found[f"{logical_id}{outcome}{kind}Policy"] = (action, arn)
    return found


def _conditions(
    logical_id: str, condition: dict[str, Any], resources: dict[str, Any]
) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    found = []
    for operator, tests in condition.items():
        if operator not in OPERATORS:
            raise ValueError(f"{logical_id}: condition operator {operator} is not understood here")
        for key, values in tests.items():
            resolved = tuple(str(v) for v in _as_tuple(resolve(values, resources)))
            found.append((operator, key.lower(), resolved))
    return tuple(found)


def _grants(logical_id: str, name: str, document: dict[str, Any], resources: dict[str, Any]) -> list[Grant]:
    grants = []
    for statement in _as_tuple(document["Statement"]):
        if statement.get("Effect") != "Allow":
            raise ValueError(f"{logical_id}: only Allow statements are understood here")
        actions = _as_tuple(statement["Action"])
        targets = tuple(str(r) for r in _as_tuple(resolve(statement["Resource"], resources)))
        conditions = _conditions(logical_id, statement.get("Condition") or {}, resources)
        grants.append(Grant(name, actions, targets, conditions=conditions))
    return grants


def roles(template: dict[str, Any] | None = None) -> dict[str, Role]:
    """Every function's role (by the function's logical id), as SAM expands its Policies; a
    managed policy the template itself defines (``AWS::IAM::ManagedPolicy``) is expanded too."""
    translated = translate(template)
    resources = translated["Resources"]
    destinations = _destination_policies(resources)
    found: dict[str, Role] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        role_ref: Any = resource["Properties"].get("Role", {})
        role_id = role_ref.get("Fn::GetAtt", [None])[0] if isinstance(role_ref, dict) else None
        role: dict[str, Any] = resources.get(role_id or "", {}).get("Properties", {})
        out = Role(logical_id)
        for arn in role.get("ManagedPolicyArns", []):
            own = arn.get("Ref") if isinstance(arn, dict) else None
            if isinstance(own, str) and resources.get(own, {}).get("Type") == "AWS::IAM::ManagedPolicy":
                document = resources[own]["Properties"]["PolicyDocument"]
                out.grants.extend(_grants(logical_id, own, document, resources))
            else:
                out.managed.append(str(resolve(arn, resources)))
        for policy in role.get("Policies", []):
            delivery = destinations.get(policy["PolicyName"])
            for grant in _grants(logical_id, policy["PolicyName"], policy["PolicyDocument"], resources):
                # Lambda's own delivery to a destination: only when it grants exactly that
                exactly = delivery is not None and (grant.actions, grant.resources) == ((delivery[0],), (delivery[1],))
                out.grants.append(replace(grant, service="lambda") if exactly else grant)
        found[logical_id] = out
    return found


# ---------------------------------------------------------------- checking
@dataclass
class Verdict:
    denied: dict[str, list[Request]]
    unused: dict[str, list[tuple[str, str]]]
    unknown_functions: list[str]

    @property
    def ok(self) -> bool:
        return not any(self.denied.values()) and not self.unknown_functions


def _matches(request: Request, role: Role) -> list[tuple[str, str, str]]:
    """The (policy, action, resource) grants of ``role`` that allow ``request`` (conditions met)."""
    return [
        (grant.policy, action, resource)
        for grant in role.grants
        if grant.holds(request.context)
        for action in grant.actions
        if fnmatchcase(request.action.lower(), action.lower())
        for resource in grant.resources
        if fnmatchcase(request.resource, resource)
    ]


def check(requests: Iterable[Request], policies: dict[str, Role]) -> Verdict:
    """Which requests the policies deny, and which (action, resource) grants nothing used."""
    denied: dict[str, list[Request]] = defaultdict(list)
    used: set[tuple[str, str, str, str]] = set()
    unknown: set[str] = set()
    for request in sorted(set(requests)):
        role = policies.get(request.function)
        if role is None:
            unknown.add(request.function)
            continue
        matched = _matches(request, role)
        used.update((request.function, *grant) for grant in matched)
        if not matched:
            denied[request.function].append(request)
    unused: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, role in policies.items():
        for grant in role.grants:
            if grant.service:  # used by an AWS service on the function's behalf, never by its code
                continue
            unused[name].extend(
                (action, resource)
                for action in grant.actions
                for resource in grant.resources
                if (name, grant.policy, action, resource) not in used
            )
    return Verdict(dict(denied), {name: rows for name, rows in unused.items() if rows}, sorted(unknown))


def read_records(directory: Path = DEFAULT_RECORDS) -> tuple[list[Request], set[str]]:
    """Every request recorded under ``directory`` and the sources that recorded them."""
    requests: list[Request] = []
    sources: set[str] = set()
    for path in sorted(directory.glob("calls-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            sources.add(row.pop("source", "unknown"))
            requests.append(Request(**row))
    return requests, sources


def _short(resource: str) -> str:
    return re.sub(rf"^arn:{PARTITION}:[a-z0-9-]+:({REGION})?:({ACCOUNT})?:", "", resource)


def report(verdict: Verdict, policies: dict[str, Role], requests: Iterable[Request]) -> str:
    """The verdict as Markdown: per function, calls seen, denied requests, unused grants."""
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for request in requests:  # S3 objects counted by key prefix, not one by one
        resource = re.sub(r"^(arn:[^:]+:s3:::[^/]+/[^/]+)/.+$", r"\1/*", request.resource)
        seen[request.function].add((request.action, resource))
    lines = ["| function | distinct requests seen | denied | unused grants |", "|---|---:|---:|---:|"]
    for name in sorted(policies):
        lines.append(
            f"| {name} | {len(seen.get(name, ()))} | {len(verdict.denied.get(name, []))} "
            f"| {len(verdict.unused.get(name, []))} |"
        )
    for name in sorted(policies):
        denied = verdict.denied.get(name, [])
        unused = verdict.unused.get(name, [])
        by_service = [(g, a, r) for g in policies[name].grants if g.service for a in g.actions for r in g.resources]
        if not denied and not unused and not by_service:
            continue
        lines.append(f"\n### {name}")
        lines.extend(f"- DENIED {r.action} on {_short(r.resource)}" for r in denied)
        lines.extend(f"- unused {action} on {_short(resource)}" for action, resource in unused)
        lines.extend(
            f"- {action} on {_short(resource)}: used by {grant.service} (destination), not the code"
            for grant, action, resource in by_service
        )
    if verdict.unknown_functions:
        lines.append(f"\nCalls from functions not in the template: {', '.join(verdict.unknown_functions)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    directory = Path(argv[1]) if len(argv) > 1 else DEFAULT_RECORDS
    requests, sources = read_records(directory)
    policies = roles()
    verdict = check(requests, policies)
    print(f"{len(set(requests))} distinct requests recorded ({', '.join(sorted(sources)) or 'none'})")
    print(report(verdict, policies, requests))
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Reads template.yaml: the tables, buckets, functions and HttpApi routes the local stack,
the gateway and the tests build from, so none of them can drift from what deploys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub, ...)."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _tag)


@lru_cache(maxsize=1)
def template() -> dict[str, Any]:
    with TEMPLATE.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)  # noqa: S506 - SafeLoader subclass


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template()["Resources"].items() if res["Type"] == kind}


def physical_name(logical_id: str) -> str:
    """What a resource is called locally: its logical id (buckets: lower-case, dashed)."""
    res = template()["Resources"].get(logical_id)
    if res and res["Type"] == "AWS::S3::Bucket":
        return "cme-local-" + re.sub(r"(?<!^)(?=[A-Z])", "-", logical_id).lower()
    return logical_id


def local_secret(parameter: str) -> str:
    """The local stand-in for a NoEcho parameter that has no default (a secret the deployer
    gives): fixed, so the local gateway (playing CloudFront) and the functions agree on it."""
    return "local-only-" + re.sub(r"(?<!^)(?=[A-Z])", "-", parameter).lower() + "-not-for-aws"


# The local values of parameters a deployer must give (no Default) that are not secrets.
LOCAL_VALUES = {
    "CmeDirectorName": "Dana Whitfield, MD",  # the signer on local certificates (a made-up name)
}


def parameter(name: str) -> str:
    """A template parameter's local value: its Default, a local secret when it is NoEcho, or
    the local stand-in (LOCAL_VALUES) for a required one."""
    spec = template().get("Parameters", {})[name]
    if "Default" not in spec and spec.get("NoEcho") in (True, "true", "True"):
        return local_secret(name)
    if "Default" not in spec and name in LOCAL_VALUES:
        return LOCAL_VALUES[name]
    return str(spec.get("Default", ""))


def resolve(value: Any) -> Any:
    """Resolve the intrinsics the function environment uses, the local way."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            if arg in template().get("Parameters", {}):
                return parameter(arg)
            target = function_ref(value)
            if target is not None:  # a function's alias or version: locally, the function itself
                return f"arn:aws:local:::{physical_name(target)}"
            if template()["Resources"].get(arg, {}).get("Type") == "AWS::SQS::Queue":
                return queue_url(physical_name(arg))  # Ref of a queue is its URL, as in AWS
            return physical_name(arg)
        if key == "Fn::GetAtt":
            return f"arn:aws:local:::{physical_name(arg[0])}"
        if key == "Fn::FindInMap":
            mapping, top, second = (resolve(part) for part in arg)
            return template()["Mappings"][mapping][top][second]
        if key == "Fn::Sub" and isinstance(arg, str):
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(resolve({"Ref": m.group(1)})), arg)
    return value


def function_ref(value: Any) -> str | None:
    """The logical id of the function ``value`` names: ``!GetAtt X.Arn``, ``!Ref X``, or,
    with ``AutoPublishAlias`` (SnapStart), ``!Ref X.Alias`` (the alias's ARN) or
    ``!Ref X.Version`` (the published version's ARN). None when it names no function."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((key, arg),) = value.items()
    if key == "Fn::GetAtt":
        logical = arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0]
    elif key == "Ref" and isinstance(arg, str):
        logical, _, attribute = arg.partition(".")
        if attribute not in ("", "Alias", "Version"):
            return None
    else:
        return None
    res = template()["Resources"].get(logical, {})
    return logical if res.get("Type") == "AWS::Serverless::Function" else None


def auto_publish_alias(logical_id: str) -> str | None:
    """The alias SAM publishes for a function (its own ``AutoPublishAlias`` or the Globals'),
    None when it publishes none."""
    props = template()["Resources"][logical_id].get("Properties") or {}
    globals_ = template().get("Globals", {}).get("Function", {})
    alias = props.get("AutoPublishAlias", globals_.get("AutoPublishAlias"))
    return str(alias) if alias else None


def snap_start(logical_id: str) -> str | None:
    """A function's ``SnapStart.ApplyOn`` (its own or the Globals'), None when off."""
    props = template()["Resources"][logical_id].get("Properties") or {}
    globals_ = template().get("Globals", {}).get("Function", {})
    spec = props.get("SnapStart", globals_.get("SnapStart")) or {}
    apply_on = spec.get("ApplyOn") if isinstance(spec, dict) else None
    return str(apply_on) if apply_on and apply_on != "None" else None


def queue_url(name: str, region: str = "us-east-1", account: str = "123456789012") -> str:
    """A queue's URL as AWS spells it (moto finds the queue by the URL's last part)."""
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def api_forwarded_headers() -> frozenset[str]:
    """The viewer headers CloudFront forwards to the API (lower case): the /api/* behaviour's
    origin request policy in template.yaml. CloudFront sends the cookies, Host (the API's own)
    and the body's length besides, and adds its own headers."""
    distribution = next(iter(resources("AWS::CloudFront::Distribution").values()))
    behaviours = distribution["Properties"]["DistributionConfig"].get("CacheBehaviors", [])
    api = next(b for b in behaviours if b.get("PathPattern") == "/api/*")
    policy_id = api["OriginRequestPolicyId"]
    logical = policy_id.get("Ref") if isinstance(policy_id, dict) else None
    config = template()["Resources"][logical]["Properties"]["OriginRequestPolicyConfig"]["HeadersConfig"]
    if config.get("HeaderBehavior") != "whitelist":
        raise ValueError("the local gateway plays only a whitelist origin request policy for /api/*")
    return frozenset(h.lower() for h in config.get("Headers", []))


def secret_strings() -> dict[str, str]:
    """Every Secrets Manager secret of the template by its local name: its SecretString, with the
    parameters' local values (what the local stack stores in moto)."""
    return {
        physical_name(name): str(resolve(res["Properties"]["SecretString"]))
        for name, res in resources("AWS::SecretsManager::Secret").items()
    }


def origin_verify() -> str:
    """The X-Origin-Verify value the distribution's API origin sends, resolved the local way (the
    local value of the OriginSecret parameter): what the local gateway, playing CloudFront, adds."""
    distribution = next(iter(resources("AWS::CloudFront::Distribution").values()))
    origins = distribution["Properties"]["DistributionConfig"]["Origins"]
    headers = [h for o in origins for h in o.get("OriginCustomHeaders", []) if h["HeaderName"] == "X-Origin-Verify"]
    (value,) = [h["HeaderValue"] for h in headers]
    return str(resolve(value))


def environment() -> dict[str, str]:
    """The Globals' function environment, resolved (every function shares it locally)."""
    variables = template().get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    return {name: str(resolve(value)) for name, value in variables.items()}


def table_definitions() -> dict[str, dict[str, Any]]:
    """``create_table`` arguments for every DynamoDB table, keyed by table name."""
    out: dict[str, dict[str, Any]] = {}
    for name, res in resources("AWS::DynamoDB::Table").items():
        props = res["Properties"]
        spec: dict[str, Any] = {
            "TableName": physical_name(name),
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            spec["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        out[spec["TableName"]] = spec
    return out


def ttl_attributes() -> dict[str, str]:
    return {
        physical_name(name): res["Properties"]["TimeToLiveSpecification"]["AttributeName"]
        for name, res in resources("AWS::DynamoDB::Table").items()
        if res["Properties"].get("TimeToLiveSpecification", {}).get("Enabled")
    }


def queue_consumers() -> dict[str, list[str]]:
    """SQS queues by name: the functions (logical ids) whose ``SQS`` events read them."""
    out: dict[str, list[str]] = {}
    for name, res in resources("AWS::Serverless::Function").items():
        for event in (res["Properties"].get("Events") or {}).values():
            if event["Type"] != "SQS":
                continue
            queue = event["Properties"]["Queue"]
            target = queue.get("Fn::GetAtt") if isinstance(queue, dict) else None
            if isinstance(target, list) and target:
                out.setdefault(physical_name(str(target[0])), []).append(name)
    return out


def queues() -> dict[str, dict[str, Any]]:
    """SQS queues by name: their attributes, dead-letter targets resolved to queue names."""
    out = {}
    for name, res in resources("AWS::SQS::Queue").items():
        props = res.get("Properties", {})
        attributes: dict[str, Any] = {}
        if "VisibilityTimeout" in props:
            attributes["VisibilityTimeout"] = str(props["VisibilityTimeout"])
        redrive = props.get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            attributes["RedrivePolicy"] = {
                "deadLetterTargetName": physical_name(target),
                "maxReceiveCount": int(redrive["maxReceiveCount"]),
            }
        out[physical_name(name)] = attributes
    return out


def configuration_sets() -> list[str]:
    """The SES configuration sets' local names."""
    return [physical_name(name) for name in resources("AWS::SES::ConfigurationSet")]


def bucket_names() -> list[str]:
    return [physical_name(name) for name in resources("AWS::S3::Bucket")]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the template, e.g. /api/me/claims/{claim_id}/certificate
    function: str  # logical id
    authorized: bool
    pattern: re.Pattern[str] = field(compare=False)

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_dir: Path
    module: str
    attribute: str
    timeout: int = 3  # seconds (Lambda's default)


def functions() -> dict[str, Function]:
    globals_ = template().get("Globals", {}).get("Function", {})
    out = {}
    for name, res in resources("AWS::Serverless::Function").items():
        props = res["Properties"]
        module, _, attribute = props["Handler"].rpartition(".")
        timeout = int(props.get("Timeout", globals_.get("Timeout", 3)))
        out[name] = Function(name, ROOT / props["CodeUri"], module, attribute, timeout)
    return out


def _compile(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", path)
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
    return re.compile(f"^{pattern}$")


def routes() -> list[Route]:
    """Every HttpApi event, most specific first (literal segments before parameters)."""
    api = resources("AWS::Serverless::HttpApi")
    default_auth = {name: res["Properties"].get("Auth", {}).get("DefaultAuthorizer") for name, res in api.items()}
    out = []
    for name, res in resources("AWS::Serverless::Function").items():
        for event in (res["Properties"].get("Events") or {}).values():
            if event["Type"] != "HttpApi":
                continue
            props = event["Properties"]
            api_id = props.get("ApiId", {}).get("Ref")
            authorizer = props.get("Auth", {}).get("Authorizer", default_auth.get(api_id))
            out.append(
                Route(
                    method=props["Method"].upper(),
                    path=props["Path"],
                    function=name,
                    authorized=bool(authorizer) and authorizer != "NONE",
                    pattern=_compile(props["Path"]),
                )
            )
    out.sort(key=lambda r: (r.path.count("{"), -len(r.path)))
    return out


def topic_subscribers() -> dict[str, list[str]]:
    """SNS topics (logical ids) and the functions whose ``SNS`` events subscribe to them."""
    out: dict[str, list[str]] = {}
    for name, res in resources("AWS::Serverless::Function").items():
        for event in (res["Properties"].get("Events") or {}).values():
            if event["Type"] == "SNS":
                topic = event["Properties"]["Topic"]
                logical = topic.get("Ref") if isinstance(topic, dict) else None
                if logical:
                    out.setdefault(str(logical), []).append(name)
    return out


def mail_feedback_topics() -> list[str]:
    """The SNS topics (logical ids) SES publishes the configuration sets' events to."""
    out = []
    for res in resources("AWS::SES::ConfigurationSetEventDestination").values():
        topic = res["Properties"]["EventDestination"].get("SnsDestination", {}).get("TopicARN")
        if isinstance(topic, dict) and isinstance(topic.get("Ref"), str):
            out.append(topic["Ref"])
    return out


def topic_arn(logical_id: str, region: str = "us-east-1", account: str = "123456789012") -> str:
    return f"arn:aws:sns:{region}:{account}:{physical_name(logical_id)}"


def authorizer_function() -> str | None:
    for res in resources("AWS::Serverless::HttpApi").values():
        auth = res["Properties"].get("Auth", {})
        default = auth.get("DefaultAuthorizer")
        spec = auth.get("Authorizers", {}).get(default, {})
        target = function_ref(spec.get("FunctionArn"))
        if target is not None:
            return target
    return None

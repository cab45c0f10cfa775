"""Lambda SnapStart: on for every function, every caller of a function calls its alias (never
$LATEST, which never restores from a snapshot), and the hooks each function registers do the
work before the snapshot and refresh what must not be shared after a restore."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from typing import Any

import pytest

from infra.local import cfn
from infra.tools import iam

LAYER = cfn.ROOT / "layers" / "common"
PDF_FUNCTIONS = {
    "CertificatesFunction",
    "CertificateMailFunction",
    "TranscriptsFunction",
    "TranscriptWorkerFunction",
    "TranscriptMailerFunction",
}


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    return iam.translate()["Resources"]


def _ref(value: Any) -> str | None:
    return value.get("Ref") if isinstance(value, dict) else None


def test_every_function_inherits_snapstart_and_an_alias() -> None:
    functions = cfn.resources("AWS::Serverless::Function")
    assert functions
    runtime = cfn.template()["Globals"]["Function"]["Runtime"]
    assert runtime.startswith("python3.") and int(runtime.split(".")[1]) >= 12  # SnapStart for Python: 3.12+
    for name in functions:
        assert cfn.auto_publish_alias(name) == "live", name
        assert cfn.snap_start(name) == "PublishedVersions", name
        assert functions[name]["Properties"].get("Runtime", runtime) == runtime, name


def test_translated_functions_have_snapstart_a_version_and_the_alias(translated: dict[str, Any]) -> None:
    functions = {k for k, v in translated.items() if v["Type"] == "AWS::Lambda::Function"}
    aliases = {
        _ref(v["Properties"]["FunctionName"]): v["Properties"]["Name"]
        for v in translated.values()
        if v["Type"] == "AWS::Lambda::Alias"
    }
    versions = {
        _ref(v["Properties"]["FunctionName"]) for v in translated.values() if v["Type"] == "AWS::Lambda::Version"
    }
    assert functions == set(cfn.functions())
    for name in functions:
        assert translated[name]["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}, name
        assert aliases.get(name) == "live", name
        assert name in versions, name


def test_the_authorizer_is_the_alias() -> None:
    api = next(iter(cfn.resources("AWS::Serverless::HttpApi").values()))
    auth = api["Properties"]["Auth"]
    spec = auth["Authorizers"][auth["DefaultAuthorizer"]]
    assert spec["FunctionArn"] == {"Ref": "AuthorizerFunction.Alias"}
    assert cfn.authorizer_function() == "AuthorizerFunction"


def _alias_ids(translated: dict[str, Any]) -> set[str]:
    return {k for k, v in translated.items() if v["Type"] == "AWS::Lambda::Alias"}


def test_every_caller_invokes_an_alias_never_latest(translated: dict[str, Any]) -> None:
    aliases = _alias_ids(translated)
    functions = set(cfn.functions())
    body = translated["HttpApi"]["Properties"]["Body"]
    authorizer = next(iter(body["components"]["securitySchemes"].values()))["x-amazon-apigateway-authorizer"]
    assert authorizer["authorizerUri"]["Fn::Sub"][1]["__FunctionArn__"] == {"Ref": "AuthorizerFunctionAliaslive"}
    integrations = [
        op["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        for path in body["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "x-amazon-apigateway-integration" in op
    ]
    assert integrations
    for uri in integrations:
        target = uri.split("functions/${", 1)[1].split("}", 1)[0]
        assert target in aliases, uri
    callers = 0
    for name, res in translated.items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Lambda::Permission" or res["Type"] == "AWS::Lambda::EventSourceMapping":
            target = _ref(props["FunctionName"])
        elif res["Type"] == "AWS::Scheduler::Schedule":
            target = _ref(props["Target"]["Arn"])
        else:
            continue
        callers += 1
        assert target in aliases and target not in functions, (name, target)
    assert callers > len(integrations) // 2


def test_local_names_and_iam_understand_alias_references(translated: dict[str, Any]) -> None:
    assert cfn.function_ref({"Ref": "AuthorizerFunction.Alias"}) == "AuthorizerFunction"
    assert cfn.function_ref({"Ref": "AuthorizerFunction.Version"}) == "AuthorizerFunction"
    assert cfn.function_ref({"Fn::GetAtt": ["AuthorizerFunction", "Arn"]}) == "AuthorizerFunction"
    assert cfn.function_ref({"Ref": "SessionsTable"}) is None
    assert cfn.resolve({"Ref": "AuthorizerFunction.Alias"}) == "arn:aws:local:::AuthorizerFunction"
    arn = "arn:aws:lambda:us-east-1:123456789012:function:AuthorizerFunction"
    assert iam.resolve({"Ref": "AuthorizerFunctionAliaslive"}, translated) == f"{arn}:live"
    assert iam.resolve({"Ref": "AuthorizerFunction.Alias"}, translated) == f"{arn}:live"
    assert iam.resolve({"Fn::Sub": "${AuthorizerFunction.Version}"}, translated) == f"{arn}:*"
    # the schedule's role may invoke the mailer's alias, as SAM grants it
    role = translated["TranscriptMailerFunctionDailyRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    resource = iam.resolve(role["Statement"][0]["Resource"], translated)
    assert resource == "arn:aws:lambda:us-east-1:123456789012:function:TranscriptMailerFunction:live"


_PROBE = """
import importlib.util, json, os, random, sys
sys.path[:0] = [{layer!r}, {code!r}, {root!r}]
from moto import mock_aws
from infra.local import aws_calls, cfn
recorder = aws_calls.install("snapstart-probe")  # before any client is made
mock_aws().start()  # the template's secrets in moto: a hook that read one would succeed, and show
import boto3
from infra.local.provision import provision_secrets
provision_secrets(boto3.client("secretsmanager", region_name="us-east-1"))
spec = importlib.util.spec_from_file_location("handler", {path!r})
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
assert callable(getattr(module, {attribute!r}))
import snapshot_restore_py as hooks
before, after = hooks.get_before_snapshot(), hooks.get_after_restore()
pdf_at_import = "fpdf" in sys.modules
with aws_calls.running({function!r}), recorder.capture() as calls:
    for fn, args, kwargs in before:
        fn(*args, **kwargs)
from cme.platform import aws, retry, secrets
from cme.platform.models.base import BaseModel
from cme.platform.settings import get_settings
from cme.runtime.snapstart import _models
values = [v for text in cfn.secret_strings().values() for v in secrets.parse(text).accepted()]
settings = json.dumps(get_settings().model_dump(), default=str)
snapshot = {{
    "secret_reads": sum(r.action.startswith("secretsmanager:") for r in calls),
    "secrets_held": len(secrets.held_ids()),
    "secret_in_env": any(v in value for v in values for value in os.environ.values()),
    "secret_in_settings": any(v in settings for v in values),
}}
jitter, state = retry._jitter.getstate(), random.getstate()
tables = [m.__name__ for m in _models(BaseModel) if m.table_setting and m._connection is not None]
fonts = sys.modules.get("cme.records.pdf.fonts")
if after:  # a secret held when a snapshot is restored (none should be) is read afresh after it
    secrets.get(get_settings().origin_secret_id)
held_at_restore = bool(secrets.held_ids())
for fn, args, kwargs in after:
    fn(*args, **kwargs)
print(json.dumps({{
    "before": len(before), "after": len(after), "pdf_at_import": pdf_at_import,
    "fpdf": "fpdf" in sys.modules, "fonts_parsed": bool(fonts and fonts._template.cache_info().currsize),
    "clients": len(aws.made_clients()), "tables": len(tables),
    "reseeded": retry._jitter.getstate() != jitter and random.getstate() != state,
    "restore_forgets_secrets": held_at_restore and not secrets.held_ids(),
    **snapshot,
}}))
"""

_ENV = {
    "PATH": "/usr/bin:/bin",
    "AWS_ACCESS_KEY_ID": "snapstart-test",
    "AWS_SECRET_ACCESS_KEY": "snapstart-test",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


@functools.cache
def _probe(function: str, init_type: str) -> dict[str, Any]:
    """Import ``function`` in a new process with the environment the template gives it, run its
    before-snapshot hooks (under the AWS call recorder), then its after-restore hooks."""
    spec = cfn.functions()[function]
    code = _PROBE.format(
        layer=str(LAYER),
        code=str(spec.code_dir),
        root=str(cfn.ROOT),
        path=str(spec.code_dir / (spec.module + ".py")),
        attribute=spec.attribute,
        function=function,
    )
    env = {**cfn.environment(), **_ENV, "AWS_LAMBDA_INITIALIZATION_TYPE": init_type}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("function", sorted(cfn.functions()))
def test_no_secret_is_read_or_held_before_the_snapshot(function: str) -> None:
    """What a snapshot captures (the environment, the settings, anything a before-snapshot hook
    made) holds no secret: the hooks, run under the call recorder with the secrets readable in
    moto, read none, and the environment and settings name the secrets, never their values. A
    restore forgets any secret held, so each restored environment reads them afresh."""
    seen = _probe(function, "snap-start")
    assert seen["secret_reads"] == 0, f"{function} reads a secret before the snapshot"
    assert seen["secrets_held"] == 0
    assert not seen["secret_in_env"], f"{function}'s environment holds a secret's value"
    assert not seen["secret_in_settings"]
    assert seen["restore_forgets_secrets"]


@pytest.mark.parametrize("function", sorted(cfn.functions()))
def test_hooks_prepare_before_the_snapshot_and_refresh_after_restore(function: str) -> None:
    seen = _probe(function, "snap-start")
    assert seen["before"] == 1 and seen["after"] == 1, f"{function} registers no SnapStart hooks"
    assert not seen["pdf_at_import"]  # the import itself stays lean; the hook does the work
    assert seen["clients"] >= 1 and seen["tables"] >= 1  # botocore clients made before the snapshot
    assert seen["reseeded"]
    if function in PDF_FUNCTIONS:
        assert seen["fpdf"] and seen["fonts_parsed"], f"{function} leaves fpdf2 and the fonts to the first request"
    else:
        assert not seen["fpdf"], f"{function} makes no PDF but imported fpdf2 before the snapshot"


def test_without_snapstart_nothing_is_registered_or_made() -> None:
    seen = _probe("CertificatesFunction", "on-demand")
    assert seen == {
        "before": 0,
        "after": 0,
        "pdf_at_import": False,
        "fpdf": False,
        "fonts_parsed": False,
        "clients": 0,
        "tables": 0,
        "reseeded": False,
        "restore_forgets_secrets": False,
        "secret_reads": 0,
        "secrets_held": 0,
        "secret_in_env": False,
        "secret_in_settings": False,
    }


def test_after_restore_drops_pooled_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.platform import aws
    from cme.runtime import snapstart

    for key, value in _ENV.items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    aws.reset_clients()
    try:
        client = aws.client("sqs")
        pool = client._endpoint.http_session._manager
        pool.connection_from_url("https://sqs.us-east-1.amazonaws.com/")  # a pool, as a request leaves
        assert len(pool.pools) == 1
        assert snapstart.drop_connections() >= 1
        assert len(pool.pools) == 0
    finally:
        aws.reset_clients()

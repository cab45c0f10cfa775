"""make deploy ENV=<env> (infra/tools/deploy.py): the deploy file, the revision, the `sam deploy`
command, and the site's upload (types, Cache-Control, stale objects, the invalidation)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from infra import web
from infra.local import cfn
from infra.tools import deploy

PARAMETERS = cfn.template()["Parameters"]
EXAMPLE_PATH = deploy.DEPLOY_DIR / "example.json"
SECRET_NAMES = sorted(name for name, spec in PARAMETERS.items() if deploy.is_secret(spec))


def _example() -> deploy.DeployFile:
    return deploy.parse_deploy_file(json.loads(EXAMPLE_PATH.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- the deploy file
def test_the_example_names_every_parameter_an_operator_sets_and_no_secret() -> None:
    """deploy/example.json is where an operator starts: every non-secret parameter is there
    (a new template parameter must be added to it), no secret, nothing make deploy computes."""
    example = _example()
    settable = {n for n, spec in PARAMETERS.items() if not deploy.is_secret(spec) and n not in deploy.COMPUTED}
    assert set(example.parameters) == settable
    assert SECRET_NAMES and not set(example.parameters) & set(SECRET_NAMES)
    assert deploy.parameter_values(PARAMETERS, example.parameters) == example.parameters


def test_parameters_left_out_take_the_template_default_not_the_stacks_previous_value() -> None:
    values = deploy.parameter_values(PARAMETERS, {"CmeDirectorName": "Dana Whitfield, MD"})
    assert values["LogLevel"] == "INFO" and values["AccessLogRetentionDays"] == "90"
    assert values["SmsNumber"] == ""  # an empty default is a value too: texting off
    assert not set(values) & set(SECRET_NAMES) and "DeployRevision" not in values


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"CmeDirectorName": "D", "SiteURL": "https://x"}, "not parameters of template.yaml: ['SiteURL']"),
        ({"CmeDirectorName": "D", "OriginSecret": "s" * 64}, "give them as ORIGIN_SECRET"),
        ({"CmeDirectorName": "D", "DeployRevision": "ab" * 32}, "make deploy sets ['DeployRevision'] itself"),
        ({}, "required parameters missing from the deploy file: ['CmeDirectorName']"),
    ],
)
def test_a_deploy_file_is_refused_with_what_to_do(given: dict[str, str], message: str) -> None:
    with pytest.raises(deploy.DeployError, match=message.replace("[", r"\[").replace("]", r"\]")):
        deploy.parameter_values(PARAMETERS, given)


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"stack_name": "cme", "region": "us-east-1", "parameters": {}, "secrets": {}},
        {"stack_name": "1cme", "region": "us-east-1", "parameters": {}},
        {"stack_name": "cme", "region": "Virginia", "parameters": {}},
        {"stack_name": "cme", "region": "us-east-1", "parameters": {"AdminEmails": ["a@x.org"]}},
    ],
)
def test_a_malformed_deploy_file_is_refused(data: Any) -> None:
    with pytest.raises(deploy.DeployError):
        deploy.parse_deploy_file(data)


def test_json_numbers_and_booleans_become_parameter_text() -> None:
    parsed = deploy.parse_deploy_file(
        {
            "stack_name": "cme",
            "region": "eu-west-1",
            "parameters": {"AccessLogRetentionDays": 30, "JointlyAccredited": True},
        }
    )
    assert parsed.parameters == {"AccessLogRetentionDays": "30", "JointlyAccredited": "true"}


def test_secrets_come_from_the_environment_and_a_new_stack_needs_them() -> None:
    assert deploy.secret_variable("OriginSecret") == "ORIGIN_SECRET"
    assert deploy.secret_variable("DeviceCookieKey") == "DEVICE_COOKIE_KEY"
    environ = {"ORIGIN_SECRET": "o" * 64, "DEVICE_COOKIE_KEY": ""}  # empty: not given
    secrets = deploy.secret_values(PARAMETERS, environ)
    assert secrets == {"OriginSecret": "o" * 64}
    assert deploy.missing_secrets(PARAMETERS, secrets, stack_exists=False) == ["DeviceCookieKey"]
    assert deploy.missing_secrets(PARAMETERS, secrets, stack_exists=True) == []  # the stack keeps its value


def test_a_rotation_drops_the_previous_secret_with_an_empty_variable() -> None:
    """docs/operations.md "Rotating a secret", step 4: ORIGIN_SECRET_PREVIOUS= (empty) must reach the stack,
    or it would keep accepting the old value for good."""
    dropping = deploy.secret_values(PARAMETERS, {"ORIGIN_SECRET_PREVIOUS": ""})
    assert dropping == {"OriginSecretPrevious": ""}
    assert deploy.secret_values(PARAMETERS, {}) == {}  # not set at all: the stack keeps it


# ---------------------------------------------------------------- the revision
def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def test_the_revision_is_the_bytes_and_paths_of_the_sources_not_caches_or_times(tmp_path: Path) -> None:
    sources = {
        "template.yaml": b"Resources: {}\n",
        "functions/a/app.py": b"print('a')\n",
        "layers/common/requirements.txt": b"fpdf2==2.8.3\n",
        "layers/common/cme/x.py": b"X = 1\n",
    }
    root = _tree(tmp_path / "one", sources)
    files = deploy.source_files(root)
    assert [name for name, _ in files] == sorted(sources)
    first = deploy.revision(files, {}, PARAMETERS)
    assert len(first) == 64 and int(first, 16) >= 0

    # caches, bytecode and dot-files are not sources; file times never enter
    _tree(root, {"functions/a/__pycache__/app.cpython-312.pyc": b"\0", "layers/common/.mypy_cache/x": b"1"})
    _tree(root, {"layers/common/cme/y.pyc": b"\0", "functions/a/.DS_Store": b"\0"})
    os.utime(root / "functions/a/app.py", (0, 0))
    assert deploy.revision(deploy.source_files(root), {}, PARAMETERS) == first

    # a byte of the layer, a dependency pin, a renamed file: each is a new revision
    for change in (
        {"layers/common/cme/x.py": b"X = 2\n"},
        {"layers/common/requirements.txt": b"fpdf2==2.8.4\n"},
    ):
        changed = _tree(tmp_path / f"c{len(os.listdir(tmp_path))}", {**sources, **change})
        assert deploy.revision(deploy.source_files(changed), {}, PARAMETERS) != first
    renamed = {("functions/b/app.py" if k == "functions/a/app.py" else k): v for k, v in sources.items()}
    moved = _tree(tmp_path / "moved", renamed)
    assert deploy.revision(deploy.source_files(moved), {}, PARAMETERS) != first


def test_the_revision_covers_the_repository_functions_layer_and_template() -> None:
    names = [name for name, _ in deploy.source_files()]
    assert "template.yaml" in names and "layers/common/requirements.txt" in names
    assert "layers/common/build_layer.py" in names and "layers/common/Makefile" in names
    assert {f"functions/{f.code_dir.name}/app.py" for f in cfn.functions().values()} <= set(names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("web/", "tests/", "infra/"))]


# ---------------------------------------------------------------- sam deploy
def test_sam_deploy_runs_without_a_question_with_every_value() -> None:
    values = {"OfficeName": "Continuing Medical Education Office", "SmsNumber": "", "OriginSecret": 'a"b'}
    command = deploy.sam_deploy_command("sam", deploy.DeployFile("cme-staging", "eu-west-1", {}), values)
    assert command[:2] == ["sam", "deploy"]
    assert command[command.index("--stack-name") + 1] == "cme-staging"
    assert command[command.index("--region") + 1] == "eu-west-1"
    assert command[command.index("--capabilities") + 1] == "CAPABILITY_IAM"
    assert {"--resolve-s3", "--no-confirm-changeset", "--no-fail-on-empty-changeset"} <= set(command)
    assert "--guided" not in command
    # each value quoted: SAM CLI splits an unquoted value at its spaces (checked against its parser)
    assert command[command.index("--parameter-overrides") + 1 :] == [
        'ParameterKey=OfficeName,ParameterValue="Continuing Medical Education Office"',
        'ParameterKey=OriginSecret,ParameterValue="a\\"b"',
        'ParameterKey=SmsNumber,ParameterValue=""',
    ]
    with pytest.raises(deploy.DeployError, match="backslash"):
        deploy.parameter_overrides({"OfficeName": "a\\b"})


def test_the_printed_command_hides_the_secrets() -> None:
    secret = "0123456789abcdef" * 4
    command = deploy.sam_deploy_command("sam", _example(), {"OriginSecret": secret, "LogLevel": "INFO"})
    printed = deploy.redacted(command, [secret])
    assert secret not in printed and 'ParameterKey=OriginSecret,ParameterValue="****"' in printed
    assert 'ParameterKey=LogLevel,ParameterValue="INFO"' in printed


def test_dry_run_prints_the_revision_and_command_from_the_file_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    (tmp_path / "staging.json").write_text(json.dumps({**example, "stack_name": "cme-staging"}), encoding="utf-8")
    monkeypatch.setattr(deploy, "DEPLOY_DIR", tmp_path)
    secret = "f" * 64
    monkeypatch.setenv("ORIGIN_SECRET", secret)
    monkeypatch.delenv("DEVICE_COOKIE_KEY", raising=False)
    assert deploy.main(["staging", "--dry-run", "--sam", "/opt/sam"]) == 0
    out = capsys.readouterr().out
    values = deploy.parameter_values(PARAMETERS, deploy.parse_deploy_file(example).parameters)
    expected = deploy.revision(deploy.source_files(), values, PARAMETERS)
    assert f"cme-staging (us-east-1): revision {expected}" in out
    assert f'ParameterKey=DeployRevision,ParameterValue="{expected}"' in out
    assert 'ParameterKey=OriginSecret,ParameterValue="****"' in out and secret not in out
    assert "DeviceCookieKey" not in out  # not given: the stack keeps its value
    assert "/opt/sam deploy --stack-name cme-staging" in out
    # the CloudFront Function's list of the site's files, written at every deploy, outside the revision
    from infra.tools import site

    assert f'ParameterKey=SiteFiles,ParameterValue="{site.site_files_parameter(site.site_files())}"' in out
    assert deploy.revision(deploy.source_files(), {**values, "SiteFiles": "x.html"}, PARAMETERS) == expected


def test_a_missing_deploy_file_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setattr(deploy, "DEPLOY_DIR", tmp_path)
    assert deploy.main(["prod", "--dry-run"]) == 2
    assert "copy deploy/example.json" in capsys.readouterr().err
    assert deploy.main(["../etc/passwd", "--dry-run"]) == 2


# ---------------------------------------------------------------- the site
def test_pages_scripts_and_the_worker_are_revalidated_images_kept_a_day() -> None:
    files = deploy.site_files()
    for key in files:
        if key.endswith((".html", ".js", ".css", ".webmanifest")):
            assert web.cache_control(key) == "no-cache", key
        else:
            assert key.endswith((".png", ".svg")) and web.cache_control(key) == "public, max-age=86400", key
        assert web.content_type(key) != "application/octet-stream", key
    assert {"sw.js", "index.html", "404.html", "manifest.webmanifest", "js/api.js", "icons/icon-192.png"} <= set(files)
    assert web.cache_control("sw.js") == "no-cache"
    assert web.cache_control("data/new-kind.bin") == "no-cache"  # anything unknown is revalidated
    assert web.stored_content_type("js/api.js") == "text/javascript; charset=utf-8"
    assert web.stored_content_type("manifest.webmanifest") == "application/manifest+json; charset=utf-8"
    assert web.stored_content_type("icons/icon-192.png") == "image/png"


def test_the_site_plan_uploads_every_file_and_deletes_only_what_web_no_longer_has(tmp_path: Path) -> None:
    site = _tree(tmp_path, {"index.html": b"<p>", "js/a.js": b"1", ".DS_Store": b"\0", "logo.png": b"\x89"})
    files = deploy.site_files(site)
    assert sorted(files) == ["index.html", "js/a.js", "logo.png"]
    plan = deploy.site_plan(files, ["index.html", "js/old.js", "old.html"])
    assert [(u.key, u.cache_control) for u in plan.uploads] == [
        ("index.html", "no-cache"),
        ("js/a.js", "no-cache"),
        ("logo.png", "public, max-age=86400"),
    ]
    assert plan.deletes == ["js/old.js", "old.html"]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def test_publish_site_uploads_with_headers_removes_stale_objects_and_invalidates(aws: None) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="site")
    s3.put_object(Bucket="site", Key="old-page.html", Body=b"gone")
    s3.put_object(Bucket="site", Key="index.html", Body=b"stale")
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    stub = Stubber(cloudfront)
    stub.add_response(
        "create_invalidation",
        {
            "Location": "https://x",
            "Invalidation": {
                "Id": "I2",
                "Status": "InProgress",
                "CreateTime": "2026-01-01T00:00:00Z",
                "InvalidationBatch": deploy.invalidation_batch("ref-1"),
            },
        },
        {
            "DistributionId": "E123",
            "InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": "ref-1"},
        },
    )
    with stub:
        plan, invalidation = deploy.publish_site(s3, cloudfront, "site", "E123", reference="ref-1")
    stub.assert_no_pending_responses()
    assert invalidation == "I2"
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket="site")["Contents"]}
    assert keys == set(deploy.site_files())
    assert plan.deletes == ["old-page.html"]
    index = s3.get_object(Bucket="site", Key="index.html")
    assert index["Body"].read() == (deploy.WEB / "index.html").read_bytes()
    assert (index["ContentType"], index["CacheControl"]) == ("text/html; charset=utf-8", "no-cache")
    worker = s3.head_object(Bucket="site", Key="sw.js")
    assert (worker["ContentType"], worker["CacheControl"]) == ("text/javascript; charset=utf-8", "no-cache")
    icon = s3.head_object(Bucket="site", Key="icons/icon-192.png")
    assert (icon["ContentType"], icon["CacheControl"]) == ("image/png", "public, max-age=86400")


def test_a_stack_that_does_not_exist_yet_is_told_apart(aws: None) -> None:
    cloudformation = boto3.client("cloudformation", region_name="us-east-1")
    assert deploy.stack_exists(cloudformation, "cme-never-made") is False
    cloudformation.create_stack(
        StackName="cme-made", TemplateBody=json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})
    )
    assert deploy.stack_exists(cloudformation, "cme-made") is True
    assert deploy.stack_outputs(cloudformation, "cme-made") == {}


def test_deploy_guided_publishes_the_site_of_the_stack_samconfig_names() -> None:
    import tomllib

    with (cfn.ROOT / "samconfig.toml").open("rb") as handle:
        assert deploy.samconfig_stack(tomllib.load(handle)) == ("cme-portal", "us-east-1")
    guided = {"default": {"deploy": {"parameters": {"stack_name": "cme-try", "region": "eu-west-1"}}}}
    assert deploy.samconfig_stack(guided) == ("cme-try", "eu-west-1")
    with pytest.raises(deploy.DeployError, match="make deploy-guided first"):
        deploy.samconfig_stack({"default": {"deploy": {"parameters": {"capabilities": "CAPABILITY_IAM"}}}})


def test_a_deploy_names_its_environment(capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy.main(["--dry-run"]) == 2
    assert "make deploy ENV=prod" in capsys.readouterr().err

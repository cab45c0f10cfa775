"""Versions follow what changed: every deploy that changes a function's code, the shared layer,
template.yaml or a non-secret parameter value publishes a new version of every function behind
the alias ``live``, and a deploy that changes nothing publishes none.

Shown with AWS's own SAM translator (``infra.tools.iam.translate``, what CloudFormation runs):
an ``AWS::Lambda::Version``'s logical id is what decides; a new id is a new published version
(and a SnapStart snapshot), the same id none. The revision each deploy gives the template is
``infra.tools.deploy.revision``, computed here from the repository's own files."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

import pytest

from infra.local import cfn
from infra.tools import deploy, iam

PARAMETERS = cfn.template()["Parameters"]
EXAMPLE = deploy.parse_deploy_file(json.loads((deploy.DEPLOY_DIR / "example.json").read_text(encoding="utf-8")))
SECRETS = {name: "s" * 64 for name, spec in PARAMETERS.items() if deploy.is_secret(spec)}
LAYER_FILE = "layers/common/cme/platform/settings.py"
CODE_FILE = "functions/sign_in/app.py"


def _versions(translated: Mapping[str, Any]) -> dict[str, str]:
    """Each function's published version: function logical id -> the version's logical id."""
    return {
        resource["Properties"]["FunctionName"]["Ref"]: logical_id
        for logical_id, resource in translated["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Version"
    }


def _new_package(template: dict[str, Any], folder: str | None) -> dict[str, Any]:
    """``template`` with a new package of ``folder`` (a layer's or function's): another S3 URI,
    as `sam package` gives it (iam.translate packages the rest as before)."""
    out = copy.deepcopy(template)
    for resource in out["Resources"].values():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if folder is not None and props.get(key) == folder:
                props[key] = f"s3://sam-artifacts/{folder.strip('/')}/new-package.zip"
    return out


def _deploy(
    files: list[tuple[str, bytes]],
    values: Mapping[str, str],
    *,
    changed: str | None = None,
    template: dict[str, Any] | None = None,
    with_revision: bool = True,
) -> dict[str, str]:
    """The version ids of a deploy: its revision computed the way make deploy does, and the
    template expanded with it and with the parameter values."""
    current = deploy.revision(files, values, PARAMETERS) if with_revision else ""
    source = _new_package(template if template is not None else cfn.template(), changed)
    return _versions(iam.translate(source, {**values, "DeployRevision": current}))


def _with(files: list[tuple[str, bytes]], path: str, extra: bytes) -> list[tuple[str, bytes]]:
    assert path in dict(files), path
    return [(name, data + extra if name == path else data) for name, data in files]


def _other_value(name: str, value: str) -> str:
    spec = PARAMETERS[name]
    allowed = [str(v) for v in spec.get("AllowedValues", [])]
    if allowed:
        return next(v for v in allowed if v != value)
    return value + "x" if value else "x"


def _without_revision(all_properties: bool = False) -> dict[str, Any]:
    """template.yaml without the code hash: SAM's own hash of each function's code location,
    MemorySize, SnapStart and environment as written (as before DeployRevision). With
    ``all_properties``, SAM's other option: AutoPublishAliasAllProperties (every property of
    the function) and the layer's PublishLambdaVersion (the layer's properties too)."""
    template = copy.deepcopy(cfn.template())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"].pop("AutoPublishCodeSha256")
    if all_properties:
        template["Globals"]["Function"]["AutoPublishAliasAllProperties"] = True
        template["Resources"]["CommonLayer"]["Properties"]["PublishLambdaVersion"] = True
    return template


@pytest.fixture(scope="module")
def files() -> list[tuple[str, bytes]]:
    return deploy.source_files()


@pytest.fixture(scope="module")
def values() -> dict[str, str]:
    return {**deploy.parameter_values(PARAMETERS, EXAMPLE.parameters), **SECRETS}


@pytest.fixture(scope="module")
def baseline(files: list[tuple[str, bytes]], values: dict[str, str]) -> dict[str, str]:
    versions = _deploy(files, values)
    assert set(versions) == set(cfn.functions())  # one version per function
    return versions


def _all_moved(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """The functions whose version did NOT move (empty when every one did)."""
    assert set(before) == set(after) == set(cfn.functions())
    return sorted(name for name in before if before[name] == after[name])


def test_every_function_takes_the_revision_as_its_code_hash() -> None:
    """AutoPublishCodeSha256 is refused in Globals: each function names it, so a function
    added without it fails here."""
    for name, resource in cfn.resources("AWS::Serverless::Function").items():
        assert resource["Properties"].get("AutoPublishCodeSha256") == {"Ref": "DeployRevision"}, name
    spec = PARAMETERS["DeployRevision"]
    assert spec["Default"] == "" and not deploy.is_secret(spec)
    assert re.fullmatch(spec["AllowedPattern"], "") and re.fullmatch(spec["AllowedPattern"], "ab" * 32)
    assert not re.fullmatch(spec["AllowedPattern"], "AB" * 32)


def test_the_same_inputs_publish_nothing(
    files: list[tuple[str, bytes]], values: dict[str, str], baseline: dict[str, str]
) -> None:
    again = deploy.source_files()  # read afresh: file order and times do not enter
    assert deploy.revision(again, dict(reversed(list(values.items()))), PARAMETERS) == deploy.revision(
        files, values, PARAMETERS
    )
    assert _deploy(again, values) == baseline


def test_a_new_layer_package_publishes_every_function(
    files: list[tuple[str, bytes]], values: dict[str, str], baseline: dict[str, str]
) -> None:
    changed = _deploy(_with(files, LAYER_FILE, b"\n# a fix\n"), values, changed="layers/common/")
    assert _all_moved(baseline, changed) == []


def test_a_new_code_package_publishes_every_function(
    files: list[tuple[str, bytes]], values: dict[str, str], baseline: dict[str, str]
) -> None:
    changed = _deploy(_with(files, CODE_FILE, b"\n# a fix\n"), values, changed="functions/sign_in/")
    assert _all_moved(baseline, changed) == []


def test_a_template_change_publishes_every_function(
    files: list[tuple[str, bytes]], values: dict[str, str], baseline: dict[str, str]
) -> None:
    """A new memory size or environment variable is the template's: it must reach `live` too."""
    changed = _deploy(_with(files, "template.yaml", b"\n# a change\n"), values)
    assert _all_moved(baseline, changed) == []


@pytest.mark.parametrize("name", sorted(deploy.parameter_values(PARAMETERS, EXAMPLE.parameters)))
def test_each_parameter_value_publishes_every_function(
    name: str, files: list[tuple[str, bytes]], values: dict[str, str], baseline: dict[str, str]
) -> None:
    changed = _deploy(files, {**values, name: _other_value(name, values[name])})
    assert _all_moved(baseline, changed) == []


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_a_secret_is_not_in_the_revision(
    name: str, files: list[tuple[str, bytes]], values: dict[str, str], baseline: dict[str, str]
) -> None:
    rotated = {**values, name: "r" * 64}
    assert deploy.revision(files, rotated, PARAMETERS) == deploy.revision(files, values, PARAMETERS)
    assert _deploy(files, rotated) == baseline


def test_without_the_code_hash_neither_a_layer_nor_a_parameter_moves_a_version(
    files: list[tuple[str, bytes]], values: dict[str, str]
) -> None:
    """What the issue found (and what an empty DeployRevision still gives): SAM's own hash
    leaves every id as it was after a new layer or new parameter values."""
    for template in (_without_revision(), None):  # None: template.yaml with DeployRevision empty
        old = _deploy(files, values, template=template, with_revision=False)
        assert _deploy(files, values, template=template, with_revision=False, changed="layers/common/") == old
        for name in ("SiteUrl", "MailFrom", "LogLevel"):
            other = {**values, name: _other_value(name, values[name])}
            assert _deploy(files, other, template=template, with_revision=False) == old, name


def test_all_properties_alone_moves_on_a_new_layer_but_never_on_a_parameter(
    files: list[tuple[str, bytes]], values: dict[str, str]
) -> None:
    """Why the code hash: AutoPublishAliasAllProperties with the layer's PublishLambdaVersion
    moves every version on a new layer package, but no parameter value reaches an id."""
    template = _without_revision(all_properties=True)
    old = _deploy(files, values, template=template, with_revision=False)
    new_layer = _deploy(files, values, template=template, with_revision=False, changed="layers/common/")
    assert _all_moved(old, new_layer) == []
    for name in ("SiteUrl", "MailFrom", "LogLevel"):
        other = {**values, name: _other_value(name, values[name])}
        assert _deploy(files, other, template=template, with_revision=False) == old, name


def test_replaced_versions_are_deleted(
    baseline: dict[str, str], files: list[tuple[str, bytes]], values: dict[str, str]
) -> None:
    """Each version keeps a billed SnapStart snapshot: the replaced one goes (SAM's default keeps it)."""
    translated = iam.translate(None, {**values, "DeployRevision": deploy.revision(files, values, PARAMETERS)})
    for logical_id in baseline.values():
        assert translated["Resources"][logical_id]["DeletionPolicy"] == "Delete", logical_id


def test_descriptions_keep_within_lambdas_limit_with_the_revision(
    files: list[tuple[str, bytes]], values: dict[str, str]
) -> None:
    """SAM appends the code hash to each function's Description (so $LATEST changes and Lambda
    publishes); Lambda takes 256 characters."""
    current = deploy.revision(files, values, PARAMETERS)
    translated = iam.translate(None, {**values, "DeployRevision": current})
    for name in cfn.functions():
        description = translated["Resources"][name]["Properties"]["Description"]
        assert description.endswith(" " + current) and len(description) <= 256, name

"""``make deploy ENV=<env>``: deploy the stack of one environment, then its site.

    python -m infra.tools.deploy ENV [--sam PATH] [--dry-run]
    python -m infra.tools.deploy [ENV] --site-only

1. Reads ``deploy/<ENV>.json`` (``deploy/example.json`` shows every key): the stack's name and
   region and the value of every non-secret template parameter the operator sets; a parameter
   left out takes the template's default (never the stack's previous value, so the file is the
   whole truth). Secrets (``NoEcho`` parameters) are never in the file: each comes from the
   environment variable named like it in upper snake case (``OriginSecret`` ->
   ``ORIGIN_SECRET``) when set, else the stack keeps its current value (a new stack needs them).
2. Computes ``DeployRevision``: a SHA-256 over template.yaml, every function's code
   (functions/), the shared layer's sources (layers/common/, with requirements.txt and its build
   files) and the non-secret parameter values; never the secrets, never a file's time. Every
   function's ``AutoPublishCodeSha256`` is that revision, so a change to any of them publishes a
   new version of every function behind the alias ``live``, and a deploy that changes nothing
   publishes none.
3. Runs ``sam deploy`` without questions (the built template of ``make build``), with every
   parameter value and the revision.
4. Uploads web/ to the stack's ``WebBucketName`` with each file's type and ``Cache-Control``
   (``infra.web``), deletes the site objects no longer in web/, and invalidates ``/*`` on
   ``DistributionId``.

``--dry-run`` checks the file and prints the revision and the ``sam deploy`` command (secrets
shown as ``****``), calling nothing. ``--site-only`` does step 4 alone: for ENV's stack, or
without ENV for the stack samconfig.toml names (``make deploy-guided``).

The rules (the file, the revision, the overrides, the site's plan) are pure functions; the
AWS and ``sam`` calls are the thin rest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra import web
from infra.local import cfn
from infra.tools import site

ROOT = cfn.ROOT
DEPLOY_DIR = ROOT / "deploy"
WEB = ROOT / "web"
# What the revision covers: what `sam build` packs into the functions and the layer, and the
# template that configures them (a new memory size or environment variable must publish too).
SOURCES = ("template.yaml", "functions", "layers/common")
# Never part of a deploy's meaning: caches, and dot-files (editor and OS litter).
SKIPPED_DIRS = frozenset({"__pycache__"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")
# Parameters make deploy sets itself; a deploy file must not. SiteFiles (the site's file list,
# infra.tools.site) reaches only the CloudFront Function, no Lambda function: it is not part of
# the revision, so a new page does not publish every function again.
COMPUTED = frozenset({"DeployRevision", "SiteFiles"})
CAPABILITIES = ("CAPABILITY_IAM",)
_STACK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,127}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]")
_FILE_KEYS = frozenset({"stack_name", "region", "parameters"})


class DeployError(Exception):
    """A deploy file or environment make deploy refuses, with what to do about it."""


@dataclass(frozen=True)
class DeployFile:
    stack_name: str
    region: str
    parameters: dict[str, str]


# ---------------------------------------------------------------- the deploy file
def _as_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    raise DeployError(f"parameter {name}: give a string or a number, not {type(value).__name__}")


def parse_deploy_file(data: Any) -> DeployFile:
    """A deploy file's contents, checked: ``{"stack_name", "region", "parameters": {...}}``."""
    if not isinstance(data, dict):
        raise DeployError("a deploy file is a JSON object with stack_name, region and parameters")
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise DeployError(f"unknown keys {unknown}: a deploy file has only {sorted(_FILE_KEYS)}")
    stack, region, parameters = data.get("stack_name"), data.get("region"), data.get("parameters", {})
    if not isinstance(stack, str) or not _STACK_NAME.fullmatch(stack):
        raise DeployError("stack_name: a letter, then letters, digits and hyphens (128 at most)")
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise DeployError("region: an AWS region such as us-east-1")
    if not isinstance(parameters, dict):
        raise DeployError("parameters: an object of parameter names and values")
    return DeployFile(stack, region, {str(k): _as_text(str(k), v) for k, v in parameters.items()})


def read_deploy_file(env: str, directory: Path | None = None) -> DeployFile:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", env):
        raise DeployError(f"ENV={env!r}: letters, digits, - and _ (it names deploy/<ENV>.json)")
    path = (directory or DEPLOY_DIR) / f"{env}.json"
    if not path.is_file():
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        raise DeployError(f"no {shown}: copy deploy/example.json to it and fill it in")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DeployError(f"{path.name}: not JSON ({error})") from None
    return parse_deploy_file(data)


# ---------------------------------------------------------------- parameters
def is_secret(spec: Mapping[str, Any]) -> bool:
    return spec.get("NoEcho") in (True, "true", "True")


def secret_variable(parameter: str) -> str:
    """The environment variable a secret parameter is given in: ``OriginSecret`` -> ``ORIGIN_SECRET``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", parameter).upper()


def parameter_values(template_parameters: Mapping[str, Mapping[str, Any]], given: Mapping[str, str]) -> dict[str, str]:
    """Every non-secret parameter's value for this deploy: the file's, else the template's
    default. Refuses unknown names, secrets, the computed parameters, and a required one left out."""
    unknown = sorted(set(given) - set(template_parameters))
    if unknown:
        raise DeployError(f"not parameters of template.yaml: {unknown}")
    secrets = sorted(name for name in given if is_secret(template_parameters[name]))
    if secrets:
        variables = ", ".join(secret_variable(name) for name in secrets)
        raise DeployError(f"secrets never go in a deploy file: remove {secrets}, give them as {variables}")
    computed = sorted(set(given) & COMPUTED)
    if computed:
        raise DeployError(f"make deploy sets {computed} itself: remove them from the file")
    values: dict[str, str] = {}
    missing = []
    for name, spec in template_parameters.items():
        if is_secret(spec) or name in COMPUTED:
            continue
        if name in given:
            values[name] = given[name]
        elif "Default" in spec:
            values[name] = _as_text(name, spec["Default"])
        else:
            missing.append(name)
    if missing:
        raise DeployError(f"required parameters missing from the deploy file: {missing}")
    return values


def secret_values(template_parameters: Mapping[str, Mapping[str, Any]], environ: Mapping[str, str]) -> dict[str, str]:
    """The secrets given in the environment (a secret not given keeps the stack's value). An
    empty variable is not given for a required secret (it can never be empty), and is given for
    one that may be empty: that is how a rotation drops its previous value
    (``ORIGIN_SECRET_PREVIOUS=``)."""
    return {
        name: environ[secret_variable(name)]
        for name, spec in template_parameters.items()
        if is_secret(spec)
        and secret_variable(name) in environ
        and (environ[secret_variable(name)] or "Default" in spec)
    }


def missing_secrets(
    template_parameters: Mapping[str, Mapping[str, Any]], secrets: Mapping[str, str], stack_exists: bool
) -> list[str]:
    """The secrets a deploy cannot do without: none for a stack that has them, else every
    secret without a default that the environment does not give."""
    if stack_exists:
        return []
    return [
        name
        for name, spec in template_parameters.items()
        if is_secret(spec) and "Default" not in spec and name not in secrets
    ]


# ---------------------------------------------------------------- the revision
def source_files(root: Path = ROOT, sources: Iterable[str] = SOURCES) -> list[tuple[str, bytes]]:
    """What the revision covers, as (path relative to ``root``, bytes), sorted by path."""
    found: dict[str, bytes] = {}
    for source in sources:
        base = root / source
        paths = [base] if base.is_file() else sorted(base.rglob("*"))
        for path in paths:
            relative = path.relative_to(root)
            if not path.is_file() or path.suffix in SKIPPED_SUFFIXES:
                continue
            if any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts):
                continue
            found[relative.as_posix()] = path.read_bytes()
    return sorted(found.items())


def revision(
    files: Iterable[tuple[str, bytes]], values: Mapping[str, str], template_parameters: Mapping[str, Mapping[str, Any]]
) -> str:
    """The deploy's revision: SHA-256 over the files (path and bytes, in path order) and the
    parameter values less the secrets (``NoEcho``) and the computed ones, in name order."""
    digest = hashlib.sha256()

    def field(tag: bytes, data: bytes) -> None:
        digest.update(tag + len(data).to_bytes(8, "big") + data)

    for path, data in sorted(files):
        field(b"path", path.encode("utf-8"))
        field(b"data", data)
    public = {
        name: value
        for name, value in values.items()
        if name not in COMPUTED and not is_secret(template_parameters.get(name, {"NoEcho": True}))
    }
    field(b"parameters", json.dumps(public, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    return digest.hexdigest()


# ---------------------------------------------------------------- sam deploy
def parameter_overrides(values: Mapping[str, str]) -> list[str]:
    """``sam deploy --parameter-overrides`` arguments, one per parameter, each value quoted
    (SAM CLI splits unquoted values at spaces). A backslash or a line break is refused: SAM
    CLI's parser would not give it back as written."""
    out = []
    for name in sorted(values):
        value = values[name]
        if "\\" in value or "\n" in value or "\r" in value:
            raise DeployError(f"parameter {name}: a value cannot hold a backslash or a line break")
        escaped = value.replace('"', '\\"')
        out.append(f'ParameterKey={name},ParameterValue="{escaped}"')
    return out


def sam_deploy_command(sam: str, deploy: DeployFile, overrides: Mapping[str, str]) -> list[str]:
    """``sam deploy`` of the built template (``make build``) without a question: these flags
    override samconfig.toml's (which ``make deploy-guided`` uses)."""
    return [
        sam,
        "deploy",
        "--stack-name",
        deploy.stack_name,
        "--region",
        deploy.region,
        "--capabilities",
        *CAPABILITIES,
        "--resolve-s3",
        "--no-confirm-changeset",
        "--no-fail-on-empty-changeset",
        "--parameter-overrides",
        *parameter_overrides(overrides),
    ]


def redacted(command: Iterable[str], secrets: Iterable[str]) -> str:
    """The command as printed: every secret value shown as ``****``."""
    text = " ".join(command)
    for value in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(value.replace('"', '\\"'), "****")
    return text


# ---------------------------------------------------------------- the site
@dataclass(frozen=True)
class Upload:
    key: str
    path: Path
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class SitePlan:
    uploads: list[Upload]
    deletes: list[str]


def site_files(web_dir: Path = WEB) -> dict[str, Path]:
    """The site's files by their S3 key (the path under web/): exactly the list the SiteFiles
    parameter gives the CloudFront Function (infra.tools.site.site_files)."""
    return {name: web_dir / name for name in site.site_files(web_dir)}


def site_files_value(web_dir: Path = WEB) -> str:
    """The ``SiteFiles`` parameter for web/ (a name it cannot hold, or too many: DeployError)."""
    try:
        return site.site_files_parameter(site.site_files(web_dir))
    except site.SiteFilesError as error:
        raise DeployError(f"web/ cannot be deployed: {error}") from error


def site_plan(files: Mapping[str, Path], existing: Iterable[str]) -> SitePlan:
    """Every file uploaded (its type and Cache-Control stored with it: a changed rule reaches
    unchanged files too), and every object of the bucket that is no longer a file deleted."""
    uploads = [Upload(key, files[key], web.stored_content_type(key), web.cache_control(key)) for key in sorted(files)]
    return SitePlan(uploads, sorted(set(existing) - set(files)))


def invalidation_batch(reference: str) -> dict[str, Any]:
    """One CloudFront invalidation of every path (counted as one path: free up to 1,000 a month)."""
    return {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": reference}


def publish_site(
    s3: Any, cloudfront: Any, bucket: str, distribution_id: str, web_dir: Path = WEB, reference: str | None = None
) -> tuple[SitePlan, str]:
    """Upload web/, delete what it no longer has, invalidate the distribution; returns the
    plan carried out and the invalidation's id."""
    existing = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
    ]
    plan = site_plan(site_files(web_dir), existing)
    for upload in plan.uploads:
        s3.put_object(
            Bucket=bucket,
            Key=upload.key,
            Body=upload.path.read_bytes(),
            ContentType=upload.content_type,
            CacheControl=upload.cache_control,
        )
    for start in range(0, len(plan.deletes), 1000):  # DeleteObjects takes 1,000 keys at most
        chunk = plan.deletes[start : start + 1000]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True})
    answer = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch=invalidation_batch(reference or f"make-deploy-{uuid.uuid4().hex}"),
    )
    return plan, str(answer["Invalidation"]["Id"])


# ---------------------------------------------------------------- the stack
def stack_exists(cloudformation: Any, stack_name: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return False
        raise
    return any(stack.get("StackStatus") != "REVIEW_IN_PROGRESS" for stack in stacks)


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def samconfig_stack(config: Mapping[str, Any]) -> tuple[str, str]:
    """The stack and region samconfig.toml names (where ``sam deploy --guided`` saves them)."""
    default = config.get("default", {})
    merged = {**default.get("global", {}).get("parameters", {}), **default.get("deploy", {}).get("parameters", {})}
    if not merged.get("stack_name") or not merged.get("region"):
        raise DeployError("samconfig.toml names no stack_name and region: run make deploy-guided first")
    return str(merged["stack_name"]), str(merged["region"])


def _publish(stack_name: str, region: str) -> None:
    import boto3

    outputs = stack_outputs(boto3.client("cloudformation", region_name=region), stack_name)
    plan, invalidation = publish_site(
        boto3.client("s3", region_name=region),
        boto3.client("cloudfront"),
        outputs["WebBucketName"],
        outputs["DistributionId"],
    )
    print(
        f"site: {len(plan.uploads)} files to s3://{outputs['WebBucketName']}, {len(plan.deletes)} removed, "
        f"invalidation {invalidation} of /* on {outputs['DistributionId']}; {outputs.get('SiteUrl', '')}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.tools.deploy", description=__doc__.split("\n")[0])
    parser.add_argument("env", nargs="?", help="the environment: deploy/<env>.json")
    parser.add_argument("--sam", default="sam", help="the sam executable")
    parser.add_argument("--dry-run", action="store_true", help="print the revision and the command, call nothing")
    parser.add_argument(
        "--site-only",
        action="store_true",
        help="only upload web/ and invalidate: to ENV's stack, or without ENV samconfig.toml's (make deploy-guided)",
    )
    args = parser.parse_args(argv)
    template_parameters = cfn.template()["Parameters"]
    try:
        if args.site_only and not args.env:
            import tomllib

            with (ROOT / "samconfig.toml").open("rb") as handle:
                _publish(*samconfig_stack(tomllib.load(handle)))
            return 0
        if not args.env:
            raise DeployError("name the environment: make deploy ENV=prod reads deploy/prod.json")
        deploy = read_deploy_file(args.env)
        if args.site_only:
            _publish(deploy.stack_name, deploy.region)
            return 0
        values = parameter_values(template_parameters, deploy.parameters)
        secrets = secret_values(template_parameters, os.environ)
        current = revision(source_files(), {**values, **secrets}, template_parameters)
        computed = {"DeployRevision": current, "SiteFiles": site_files_value()}
        command = sam_deploy_command(args.sam, deploy, {**values, **secrets, **computed})
        print(f"{deploy.stack_name} ({deploy.region}): revision {current}")
        print(redacted(command, secrets.values()))
        if args.dry_run:
            return 0
        import boto3

        cloudformation = boto3.client("cloudformation", region_name=deploy.region)
        missing = missing_secrets(template_parameters, secrets, stack_exists(cloudformation, deploy.stack_name))
        if missing:
            variables = ", ".join(secret_variable(name) for name in missing)
            raise DeployError(f"a new stack needs its secrets: set {variables} (e.g. openssl rand -hex 32)")
    except DeployError as error:
        print(f"make deploy: {error}", file=sys.stderr)
        return 2
    deployed = subprocess.run(command, cwd=ROOT, check=False)  # our own argument list, no shell
    if deployed.returncode != 0:
        return deployed.returncode
    _publish(deploy.stack_name, deploy.region)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Issue 22 finding 7: a deleted outside credit's file does not come back. An upload form still
valid after its credit is deleted lets S3 take a file the delete never saw; the hourly sweep
(OutsideSweepFunction, cme.records.outside.sweep) finds it and tags it for the bucket's
DeletedOutsideCertificates rule, as the delete tags the file it saw."""

from __future__ import annotations

from typing import Any

from tests.integration.test_outside_credit import JPEG, PDF, PNG, add, learner, other, post_file, upload_form  # noqa: F401
from tests.support.client import ApiClient

DELETED = [{"Key": "cme-deleted", "Value": "true"}]


def tags(key: str, version: str | None = None) -> list[dict[str, str]]:
    import boto3

    from cme.platform.settings import get_settings

    s3 = boto3.client("s3", region_name="us-east-1")
    extra = {"VersionId": version} if version else {}
    return s3.get_object_tagging(Bucket=get_settings().documents_bucket, Key=key, **extra)["TagSet"]


def sweep(gateway: Any) -> dict[str, Any]:
    from infra.local.scheduler import run_outside_sweep

    return run_outside_sweep(gateway.invoke)


def test_a_file_uploaded_after_its_credit_was_deleted_is_expired(
    learner: ApiClient,  # noqa: F811
    other: ApiClient,  # noqa: F811
    gateway: Any,
) -> None:
    doomed = add(learner, title="Deleted")
    form = upload_form(learner, doomed["outside_credit_id"], "image/png")
    never = add(learner, title="Deleted before any upload")
    never_form = upload_form(learner, never["outside_credit_id"], "application/pdf")
    kept = add(learner, title="Kept")
    kept_form = upload_form(learner, kept["outside_credit_id"], "image/jpeg")
    assert post_file(kept_form, JPEG, "image/jpeg").status_code == 204
    theirs = add(other, title="Another learner's")
    their_form = upload_form(other, theirs["outside_credit_id"], "application/pdf")
    assert post_file(their_form, PDF, "application/pdf").status_code == 204

    # the attack: delete the credits, then upload with their forms, still valid
    assert learner.call("DELETE", f"/api/me/outside-credits/{doomed['outside_credit_id']}").status == 204
    assert learner.call("DELETE", f"/api/me/outside-credits/{never['outside_credit_id']}").status == 204
    assert post_file(form, PNG, "image/png").status_code == 204
    assert post_file(never_form, PDF, "application/pdf").status_code == 204
    assert tags(form["fields"]["key"]) == []  # S3 took them, untagged: what the sweep is for

    assert sweep(gateway) == {"marked": 2}
    assert tags(form["fields"]["key"]) == DELETED
    assert tags(never_form["fields"]["key"]) == DELETED
    assert tags(kept_form["fields"]["key"]) == [] and tags(their_form["fields"]["key"]) == []
    assert learner.get(f"/api/me/outside-credits/{kept['outside_credit_id']}/document").status == 200


def test_a_second_upload_with_one_form_leaves_one_current_file(learner: ApiClient, gateway: Any) -> None:  # noqa: F811
    """S3 takes a form as often as it is sent while it is valid (60 s): each upload after the
    first makes the one before a noncurrent version, which ReplacedOutsideCertificates expires."""
    import boto3

    from cme.platform.settings import get_settings
    from infra.local import cfn

    mine = add(learner)
    form = upload_form(learner, mine["outside_credit_id"], "image/png")
    assert form["expires_in"] == 60
    for _ in range(3):
        assert post_file(form, PNG, "image/png").status_code == 204
    s3 = boto3.client("s3", region_name="us-east-1")
    versions = s3.list_object_versions(Bucket=get_settings().documents_bucket, Prefix=form["fields"]["key"])
    assert [v["IsLatest"] for v in versions["Versions"]].count(True) == 1 and len(versions["Versions"]) == 3
    rules = cfn.template()["Resources"]["DocumentsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    (replaced,) = [r for r in rules if r["Id"] == "ReplacedOutsideCertificates"]
    assert replaced["Prefix"] == "outside-credits/" and replaced["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1
    assert sweep(gateway) == {"marked": 0}  # the current file's credit exists: nothing to mark


def test_a_file_its_credit_no_longer_names_is_expired(learner: ApiClient, gateway: Any) -> None:  # noqa: F811
    """Issue 24: each upload has a key of its own; one replaced (or refused) whose tag was never
    written is found by the sweep, while the accepted certificate and a pending upload are kept."""
    mine = add(learner)
    path = f"/api/me/outside-credits/{mine['outside_credit_id']}/document"
    first = upload_form(learner, mine["outside_credit_id"], "application/pdf")
    assert post_file(first, PDF, "application/pdf").status_code == 204
    assert learner.get(path).status == 200
    second = upload_form(learner, mine["outside_credit_id"], "image/png")
    assert post_file(second, PNG, "image/png").status_code == 204
    assert learner.get(path).status == 200  # accepted: the first is tagged by the request itself
    assert tags(first["fields"]["key"]) == DELETED
    # as if that tag had failed: the sweep finds the file no credit names
    import boto3

    from cme.platform.settings import get_settings

    boto3.client("s3", region_name="us-east-1").delete_object_tagging(
        Bucket=get_settings().documents_bucket, Key=first["fields"]["key"]
    )
    pending = upload_form(learner, mine["outside_credit_id"], "image/jpeg")
    assert post_file(pending, JPEG, "image/jpeg").status_code == 204  # not yet checked: kept
    assert sweep(gateway) == {"marked": 1}
    assert tags(first["fields"]["key"]) == DELETED
    assert tags(second["fields"]["key"]) == [] and tags(pending["fields"]["key"]) == []

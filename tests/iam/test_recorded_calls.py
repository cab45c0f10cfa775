"""Every AWS call the functions made during this run's tests, held against their IAM policies.

`make test` runs the whole suite first (which records into build/aws-calls/, in-process and
on the local stack), then this file. moto grants every call; AWS grants only what
template.yaml's policies say, as SAM expands them.
"""

from __future__ import annotations

from infra.tools import iam


def test_every_recorded_call_is_granted() -> None:
    requests, sources = iam.read_records()
    assert requests, "no AWS calls recorded: run the whole suite first (make test does)"
    assert {"in-process", "local-stack"} <= sources, f"calls recorded only from {sources}"
    policies = iam.roles()
    verdict = iam.check(requests, policies)
    report = iam.report(verdict, policies, requests)
    print(report)
    (iam.DEFAULT_RECORDS / "REPORT.md").write_text(report, encoding="utf-8")
    assert not verdict.unknown_functions
    assert not verdict.denied, "AWS would deny:\n" + report
    # Least privilege: a grant no test exercises is either not needed or not tested.
    assert not verdict.unused, "granted but never used:\n" + report


def test_every_function_was_seen() -> None:
    """A function no test ran has policies nobody checked."""
    requests, _ = iam.read_records()
    seen = {r.function for r in requests}
    missing = sorted(set(iam.roles()) - seen)
    assert not missing, f"no recorded call from {missing}"

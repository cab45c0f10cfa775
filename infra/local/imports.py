"""A whole import run in-process through the local queues, without the API or a browser: what
`make bench` (and any script) calls to import a file as an office would (create, upload, check,
commit), with the reader and the worker run from their queues as their SQS event sources run
them in AWS (infra.local.scheduler.run_imports). AWS clients must already point at the local
stack or at moto (tests: the ``aws`` fixture; a script: infra.local.server's environment)."""

from __future__ import annotations

from typing import Any

from infra.local.scheduler import Invoke, run_imports


def run_import(
    invoke: Invoke,
    kind: str,
    data: bytes,
    *,
    filename: str = "import.csv",
    source_name: str = "Bench",
    actor_id: str = "bench",
    mapping: dict[str, str] | None = None,
    check: bool = True,
    report_to_boards: bool = False,
) -> dict[str, Any]:
    """Import ``data`` (a CSV or XLSX file's bytes) of ``kind``: the job created, the file put
    where its upload form points, the check run (unless ``check`` is False: the commit then
    follows an unchecked file, as the API never allows) and the commit. Returns
    {"import": the job as GET shows it, "check": the checked job or None, "drains": [...]}."""
    from cme.credit import imports
    from cme.platform import aws
    from cme.platform.models import ImportJob
    from cme.platform.models.tables import JOB_SK
    from cme.platform.schemas import ImportIn
    from cme.platform.settings import get_settings

    settings = get_settings()
    job, _ = imports.create(
        ImportIn(kind=kind, filename=filename, source_name=source_name, report_to_boards=report_to_boards),  # type: ignore[arg-type]
        actor_id,
    )
    key = ImportJob.get(job.import_id, JOB_SK).s3_key
    aws.client("s3").put_object(Bucket=settings.documents_bucket, Key=key, Body=data)
    uploaded = imports.get(job.import_id)
    if uploaded.status != "uploaded":
        return {"import": uploaded.model_dump(mode="json"), "check": None, "drains": []}
    drains = []
    checked = None
    if check:
        imports.start(job.import_id, "check", mapping or {})
        drains.append(run_imports(invoke, settings.aws_region))
        checked = imports.get(job.import_id).model_dump(mode="json")
    else:
        ImportJob(job.import_id, JOB_SK).update(
            actions=[
                ImportJob.status.set("checked"),
                ImportJob.mapping.set(mapping or dict(uploaded.suggested_mapping)),
            ]
        )
    imports.start(job.import_id, "commit")
    drains.append(run_imports(invoke, settings.aws_region))
    return {"import": imports.get(job.import_id).model_dump(mode="json"), "check": checked, "drains": drains}

"""Importing another portal's history (issue 25): the job, from the upload to the counts. No HTTP.
The contract is docs/api.md "Imports"; the flow and its numbers docs/architecture.md "Imports".

- ``create``: the job record (``awaiting_upload``) and a pre-signed POST for its file.
- ``get``: the job as the page polls it; while ``awaiting_upload`` it looks for the file, and
  once there reads its head (``columns``, ``preview``, ``suggested_mapping``: ``uploaded``).
- ``start``: a check (dry run) or the commit: one conditional UpdateItem, one SQS message to the
  reader.
- ``read_file`` (ImportReaderFunction): streams the file from S3 and sends its rows in batches of
  ``ROWS_PER_BATCH`` to the batch queue (SendMessageBatch of up to 10), numbered; then records
  ``rows`` and ``batches``.
- ``write_batch`` (ImportWorkerFunction): parses and writes one batch (each row's writes with
  its ImportKey; the learners', attendance and claims rows grouped, as many as fit in one
  transaction: cme.platform.retry.Group), writes its problems (BatchWriteItem) and adds its
  counts to the job in ONE UpdateItem that also adds the batch's number to ``batches_done``
  (only if absent: a redelivered batch never counts twice). The batch that completes the count sets the final status.
- ``invite``: queues the invitations of the learners the import created (cme.identity.invitations).
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import json
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import PynamoDBException, TransactWriteError, UpdateError

from cme.identity import learner_search, passwords
from cme.platform import aws, clock, documents, retry, spreadsheet, tabular
from cme.platform.errors import BadToken, Conflict, InvalidInput, NotFound
from cme.platform.models import (
    Activity,
    Attendance,
    AttendanceCode,
    EmailAttendance,
    EmailOwner,
    ImportCreated,
    ImportJob,
    ImportKey,
    ImportProblem,
    Learner,
    get_many,
    plain,
)
from cme.platform.models.tables import CREATED_PREFIX, JOB_SK, PROBLEM_PREFIX, CreditDesignation
from cme.platform.normalize import name_key
from cme.platform.observability import logger
from cme.platform.schemas import ImportIn, ImportOut, ImportProblemOut, OurColumn, UploadForm
from cme.platform.settings import get_settings
from cme.publishing import activities
from cme.rules import imports as rules
from cme.rules.imports import Context, Outcome, Problem, Row

MAX_BYTES = {"csv": tabular.MAX_CSV_BYTES, "xlsx": tabular.MAX_XLSX_BYTES}
UPLOAD_SECONDS = 3600  # a 200 MB file over a slow office line
HEAD_BYTES = 256 * 1024  # what a preview reads of a CSV
PROBLEMS_PAGE = 100
LIST_PAGE = 50
ROWS_PER_BATCH = rules.ROWS_PER_BATCH
MESSAGES_PER_SEND = 10  # SendMessageBatch's most
SEND_BYTES = 200 * 1024  # a SendMessageBatch's payload, kept under SQS's 256 KB
MESSAGE_BYTES = 120 * 1024  # a batch of long cells closes early: its message stays under 256 KB
FINAL_RECEIVE = 3  # the receive on which a failing batch's rows become problems
CLAIM_WINDOW_DAYS = 30  # an imported activity's window (its claims come from the file)
RUNNING = {"check": "checking", "commit": "importing"}
FINISHED = {"check": "checked", "commit": "done"}
STARTS_FROM = {"check": ("uploaded", "checked"), "commit": ("checked",)}
INVITE = "invite"


# ------------------------------------------------------------------ the job record


def _not_found() -> NotFound:
    return NotFound("NOT_FOUND", "There is no such import.")


def _job(import_id: str) -> ImportJob:
    try:
        return ImportJob.get(import_id, JOB_SK, consistent_read=True)
    except ImportJob.DoesNotExist:
        raise _not_found() from None


def _text_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in plain(value).items()}


def _texts(values: Any) -> list[str]:
    return [str(value) for value in values or []]


def view(job: ImportJob, problems: list[ImportProblemOut] | None = None, cursor: str | None = None) -> ImportOut:
    return ImportOut(
        import_id=job.pk,
        kind=job.kind,  # type: ignore[arg-type]
        filename=job.filename,
        source_name=job.source_name,
        report_to_boards=job.report_to_boards,
        our_columns=[
            OurColumn(column=column, required=column in rules.REQUIRED.get(job.kind, ()))
            for column in rules.COLUMNS[job.kind]
        ],
        status=job.status,  # type: ignore[arg-type]
        columns=_texts(job.columns),
        preview=[_text_map(row) for row in job.preview or []],
        suggested_mapping=_text_map(job.suggested_mapping),
        mapping=_text_map(job.mapping),
        rows=int(job.rows) if job.rows is not None else None,
        done=int(job.done or 0),
        created=int(job.created or 0),
        matched=int(job.matched or 0),
        skipped=int(job.skipped or 0),
        problem_count=int(job.problem_count or 0),
        problems=problems or [],
        next_problems_cursor=cursor,
        failure=job.failure,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


def upload_key(import_id: str, filename: str, media: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    return f"imports/{import_id}/{documents.slug(stem) or 'file'}.{media}"


def create(data: ImportIn, actor_id: str) -> tuple[ImportOut, UploadForm]:
    """A new import awaiting its file, and the pre-signed POST that uploads it (CSV up to 200 MB,
    XLSX up to 20 MB); 422 IMPORT_FILENAME_INVALID for another extension."""
    media = tabular.media_of(data.filename)
    if media is None:
        raise InvalidInput(
            "IMPORT_FILENAME_INVALID",
            "Import a CSV file (.csv) or an Excel workbook (.xlsx).",
            [{"field": "filename", "message": "Not a .csv or .xlsx file."}],
        )
    now = clock.now()
    import_id = str(uuid.uuid4())
    job = ImportJob(
        import_id,
        JOB_SK,
        kind=data.kind,
        filename=data.filename,
        media=media,
        source_name=data.source_name,
        source_key=rules.source_key(data.source_name),
        report_to_boards=data.report_to_boards,
        status="awaiting_upload",
        s3_key=upload_key(import_id, data.filename, media),
        created_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    if not job.source_key:
        raise InvalidInput(
            "IMPORT_SOURCE_INVALID",
            "Name the portal the records come from with letters or digits (such as “CloudCME”).",
            [{"field": "source_name", "message": "No letters or digits."}],
        )
    retry.call(lambda: job.save(condition=ImportJob.pk.does_not_exist()), "import create")
    limit = MAX_BYTES[media]
    signed = aws.client("s3").generate_presigned_post(
        Bucket=get_settings().documents_bucket,
        Key=job.s3_key,
        Conditions=[["content-length-range", 1, limit]],
        ExpiresIn=UPLOAD_SECONDS,
    )
    form = UploadForm(url=signed["url"], fields=signed["fields"], max_bytes=limit, expires_in=UPLOAD_SECONDS)
    return view(job), form


def _head(job: ImportJob) -> tabular.Table | None:
    """The file's header and first rows; None while it is not uploaded."""
    try:
        if job.media == "xlsx":
            read = documents.read(job.s3_key, what="import file", doing="read the file", limit=tabular.MAX_XLSX_BYTES)
            if not read.body:
                raise InvalidInput("IMPORT_FILE_TOO_LARGE", "An Excel workbook can be at most 20 MB; save it as CSV.")
            return tabular.read(io.BytesIO(read.body), "xlsx")
        read = documents.read(job.s3_key, what="import file", doing="read the file", first=HEAD_BYTES)
        partial = read.size is not None and read.size > len(read.body)
        return tabular.read(io.BytesIO(read.body), "csv", partial=partial)
    except documents.Absent:
        return None


def _settle_upload(job: ImportJob) -> ImportJob:
    """An awaiting import whose file is in: its columns, preview and suggested mapping, status
    ``uploaded`` (or ``failed`` with the reason for a file that cannot be read). Conditional on
    the status, so two GETs at once settle it once."""
    try:
        table = _head(job)
    except InvalidInput as exc:
        actions = [ImportJob.status.set("failed"), ImportJob.failure.set(exc.message)]
    else:
        if table is None:
            return job
        preview = []
        for row in table.rows:
            preview.append({header: row.values.get(header, "") for header in table.columns if header})
            if len(preview) >= rules.PREVIEW_ROWS:
                break
        actions = [
            ImportJob.status.set("uploaded"),
            ImportJob.columns.set(table.columns),  # type: ignore[arg-type]
            ImportJob.preview.set(preview),
            ImportJob.suggested_mapping.set(rules.suggest_mapping(job.kind, table.columns)),
        ]
    try:
        retry.call(
            lambda: job.update(
                actions=[*actions, ImportJob.updated_at.set(clock.now())],
                condition=ImportJob.status == "awaiting_upload",
            ),
            "import uploaded",
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return _job(job.pk)  # another request settled it
    return job


def _encode(sk: str) -> str:
    return base64.urlsafe_b64encode(sk.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        sk = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        sk = ""
    if not sk.startswith(PROBLEM_PREFIX):
        raise BadToken("CURSOR_INVALID", "This page link is not valid; please load the import again.")
    return sk


def problems_page(job: ImportJob, cursor: str | None) -> tuple[list[ImportProblemOut], str | None]:
    """One page (PROBLEMS_PAGE) of the problems of the job's current run, by row."""
    start = {"pk": {"S": job.pk}, "sk": {"S": _decode(cursor)}} if cursor else None
    found = ImportProblem.query(
        job.pk,
        ImportProblem.sk.startswith(PROBLEM_PREFIX),
        filter_condition=ImportProblem.run == (job.run or "check"),
        limit=PROBLEMS_PAGE,
        last_evaluated_key=start,
    )
    items = [ImportProblemOut(row=int(p.row), field=p.field, code=p.code, message=p.message) for p in found]
    last = found.last_evaluated_key
    return items, _encode(last["sk"]["S"]) if last and len(items) >= PROBLEMS_PAGE else None


def get(import_id: str, problems_cursor: str | None = None) -> ImportOut:
    job = _job(import_id)
    if job.status == "awaiting_upload":
        job = _settle_upload(job)
    problems, cursor = problems_page(job, problems_cursor) if job.run else ([], None)
    return view(job, problems, cursor)


def list_imports(cursor: str | None = None) -> tuple[list[ImportOut], str | None]:
    """The office's imports, newest first (a Query of the by_created index)."""
    start = None
    if cursor:
        try:
            start = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            assert isinstance(start, dict) and set(start) == {"pk", "sk", "listed", "created_at"}
        except Exception:
            raise BadToken("CURSOR_INVALID", "This page link is not valid; please load the list again.") from None
    found = ImportJob.by_created.query("import", scan_index_forward=False, limit=LIST_PAGE, last_evaluated_key=start)
    jobs = [view(job) for job in found]
    last = found.last_evaluated_key
    following = base64.urlsafe_b64encode(json.dumps(last).encode()).decode().rstrip("=") if last else None
    return jobs, following if len(jobs) >= LIST_PAGE else None


def problems_csv(import_id: str) -> tuple[str, str]:
    """Every problem of the import's current run as CSV (Row, Column, Code, Message); (file name, text)."""
    job = _job(import_id)
    found = ImportProblem.query(
        job.pk, ImportProblem.sk.startswith(PROBLEM_PREFIX), filter_condition=ImportProblem.run == (job.run or "check")
    )
    rows = ([int(p.row), p.field, p.code, p.message] for p in found)
    name = f"import-problems-{documents.slug(job.filename.rsplit('.', 1)[0]) or job.kind}.csv"
    return name, spreadsheet.to_csv(["Row", "Column", "Code", "Message"], rows)


# ------------------------------------------------------------------ starting a run


def _queue_url(queue: str) -> str:
    if queue.startswith("http"):
        return queue
    return str(aws.client("sqs").get_queue_url(QueueName=queue)["QueueUrl"])


def _status_conflict(job: ImportJob, run: str) -> Conflict:
    wants = " or ".join(f"“{s}”" for s in STARTS_FROM[run])
    doing = "checked" if run == "check" else "imported"
    return Conflict(
        "IMPORT_STATUS",
        f"This import is “{job.status}”: a file is {doing} only when it is {wants}.",
    )


def start(import_id: str, run: str, mapping: dict[str, str] | None = None) -> ImportOut:
    """Start a check (``run`` "check", with ``mapping``; ``{}``: our own headers) or the commit
    (with the mapping the check used). 422 IMPORT_MAPPING_INVALID (details: the row-0 problems);
    409 IMPORT_STATUS when the import is not in a state to start it."""
    job = _job(import_id)
    if job.status not in STARTS_FROM[run]:
        raise _status_conflict(job, run)
    columns = _texts(job.columns)
    if run == "check":
        used = rules.effective_mapping(job.kind, mapping or {}, columns)
        found = rules.check_mapping(job.kind, used, columns)
        if found:
            raise InvalidInput(
                "IMPORT_MAPPING_INVALID",
                "The column mapping needs fixing before the file can be checked.",
                [{"field": p.field, "message": p.message, "code": p.code} for p in found],
            )
    else:
        used = _text_map(job.mapping)
    run_id = str(uuid.uuid4())
    condition = ImportJob.status.is_in(*STARTS_FROM[run])
    try:
        job.update(
            actions=[
                ImportJob.status.set(RUNNING[run]),
                ImportJob.run.set(run),
                ImportJob.run_id.set(run_id),
                ImportJob.mapping.set(used),
                ImportJob.rows.remove(),
                ImportJob.batches.remove(),
                ImportJob.batches_done.remove(),
                ImportJob.failure.remove(),
                ImportJob.done.set(0),
                ImportJob.created.set(0),
                ImportJob.matched.set(0),
                ImportJob.skipped.set(0),
                ImportJob.problem_count.set(0),
                ImportJob.updated_at.set(clock.now()),
            ],
            condition=condition,
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise _status_conflict(_job(import_id), run) from None
        raise
    aws.client("sqs").send_message(
        QueueUrl=_queue_url(get_settings().import_queue),
        MessageBody=json.dumps({"action": "read", "import_id": import_id, "run_id": run_id}),
    )
    return view(job)


def invite(import_id: str) -> int:
    """Queue the invitations of the learners this import created and has not invited yet (one
    message to the reader, which pages through them); the number to invite."""
    job = _job(import_id)
    if job.kind != "learners" or job.status != "done":
        raise Conflict("IMPORT_STATUS", "Only a learners import that is done can invite its learners.")
    count = ImportCreated.count(
        import_id,
        ImportCreated.sk.startswith(CREATED_PREFIX),
        filter_condition=ImportCreated.invited == False,  # noqa: E712
    )
    if count:
        aws.client("sqs").send_message(
            QueueUrl=_queue_url(get_settings().import_queue),
            MessageBody=json.dumps({"action": INVITE, "import_id": import_id}),
        )
    return int(count)


def send_invitations(import_id: str) -> int:
    """The reader's half of ``invite``: 100 learners at a time to cme.identity.invitations.queue,
    each marked invited after."""
    from cme.identity import invitations  # only the reader's invitations need it (the routes' cold start)

    job = _job(import_id)
    sent = 0
    pending = ImportCreated.query(
        import_id,
        ImportCreated.sk.startswith(CREATED_PREFIX),
        filter_condition=ImportCreated.invited == False,  # noqa: E712
    )
    for chunk in _chunks(list(pending), 100):
        sent += invitations.queue([c.learner_id for c in chunk], import_id, job.source_name)
        with ImportCreated.batch_write() as batch:
            for item in chunk:
                item.invited = True
                batch.save(item)
    return sent


# ------------------------------------------------------------------ the reader


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def context_of(job: ImportJob) -> dict[str, Any]:
    return {
        "import_id": job.pk,
        "run_id": job.run_id,
        "kind": job.kind,
        "source_name": job.source_name,
        "source_key": job.source_key,
        "report_to_boards": job.report_to_boards,
        "dry_run": job.run != "commit",
        "actor_id": job.created_by,
    }


class _Sender:
    """Messages to the batch queue, sent 10 (or 200 KB) at a time."""

    def __init__(self) -> None:
        self.url = _queue_url(get_settings().import_batch_queue)
        self.entries: list[dict[str, str]] = []
        self.bytes = 0

    def add(self, body: str) -> None:
        size = len(body.encode())
        if self.entries and (len(self.entries) >= MESSAGES_PER_SEND or self.bytes + size > SEND_BYTES):
            self.flush()
        self.entries.append({"Id": str(len(self.entries)), "MessageBody": body})
        self.bytes += size

    def flush(self) -> None:
        if not self.entries:
            return
        entries = self.entries
        for _ in range(5):
            answer = aws.client("sqs").send_message_batch(QueueUrl=self.url, Entries=entries)
            failed = {f["Id"] for f in answer.get("Failed", [])}
            entries = [e for e in entries if e["Id"] in failed]
            if not entries:
                break
        if entries:
            raise RuntimeError(f"{len(entries)} import batches not queued")
        self.entries, self.bytes = [], 0


def read_file(import_id: str, run_id: str) -> dict[str, int]:
    """Stream the import's file into batches on the batch queue (the reader's message)."""
    job = _job(import_id)
    if job.run_id != run_id or job.status not in RUNNING.values() or job.batches is not None:
        logger.info("import read skipped", extra={"import_id": import_id, "status": job.status})
        return {"rows": 0, "batches": 0}
    context = context_of(job)
    mapping = _text_map(job.mapping)
    sender = _Sender()
    rows = batches = 0
    try:
        body = aws.client("s3").get_object(Bucket=get_settings().documents_bucket, Key=job.s3_key)["Body"]
        table = tabular.read(body, job.media)
        batch: list[list[Any]] = []
        size = 0
        for row in table.rows:
            mapped = rules.apply_mapping(mapping, Row(row.row, row.values))
            batch.append([mapped.row, mapped.values])
            size += sum(len(str(v)) + 8 for v in mapped.values.values())
            rows += 1
            if len(batch) >= ROWS_PER_BATCH or size >= MESSAGE_BYTES:
                size = 0
                batches += 1
                sender.add(json.dumps({**context, "batch": batches, "rows": batch}))
                batch = []
        if batch:
            batches += 1
            sender.add(json.dumps({**context, "batch": batches, "rows": batch}))
        sender.flush()
    except InvalidInput as exc:
        sender.flush()  # the batches read so far are counted; the run is failed
        _fail(job, run_id, exc.message)
        return {"rows": rows, "batches": batches}
    record = ImportJob(import_id, JOB_SK)
    record.update(
        actions=[ImportJob.rows.set(rows), ImportJob.batches.set(batches), ImportJob.updated_at.set(clock.now())],
        condition=ImportJob.run_id == run_id,
    )
    if _complete(record):
        _finish(import_id, run_id, job.run or "check")
    return {"rows": rows, "batches": batches}


def _fail(job: ImportJob, run_id: str, reason: str) -> None:
    try:
        ImportJob(job.pk, JOB_SK).update(
            actions=[
                ImportJob.status.set("failed"),
                ImportJob.failure.set(reason),
                ImportJob.updated_at.set(clock.now()),
            ],
            condition=ImportJob.run_id == run_id,
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def _finish(import_id: str, run_id: str, run: str) -> None:
    """The run's final status. Called by whoever's update (ALL_NEW) showed every batch counted
    with the reader done: the reader or the last batch; conditional, so it is set once."""
    try:
        ImportJob(import_id, JOB_SK).update(
            actions=[ImportJob.status.set(FINISHED[run]), ImportJob.updated_at.set(clock.now())],
            condition=(ImportJob.run_id == run_id) & (ImportJob.status == RUNNING[run]),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def _complete(job: ImportJob) -> bool:
    """Whether an updated job record shows its run complete: the reader done, every batch counted."""
    return job.batches is not None and len(job.batches_done or ()) >= int(job.batches)


# ------------------------------------------------------------------ the worker


@dataclass
class Batch:
    context: Context
    run_id: str
    number: int
    rows: list[Row]
    outcomes: dict[int, Outcome] = field(default_factory=dict)

    @classmethod
    def of(cls, message: dict[str, Any]) -> Batch:
        context = Context(
            import_id=message["import_id"],
            kind=message["kind"],
            source_name=message["source_name"],
            source_key=message["source_key"],
            report_to_boards=bool(message.get("report_to_boards")),
            dry_run=bool(message["dry_run"]),
            actor_id=message.get("actor_id", ""),
        )
        rows = [Row(int(number), dict(values)) for number, values in message["rows"]]
        return cls(context, message["run_id"], int(message["batch"]), rows)


@dataclass
class Parsed:
    row: int
    values: dict[str, Any]
    key: str  # the ImportKey's pk


def _problem_outcome(row: int, problems: list[Problem]) -> Outcome:
    return Outcome(row, "problem", problems)


def _parse(batch: Batch) -> list[Parsed]:
    """Each row parsed; a row with problems, or whose source id an earlier row of the batch has,
    gets its outcome now."""
    ctx = batch.context
    seen: set[str] = set()
    parsed: list[Parsed] = []
    for row in batch.rows:
        values, problems = rules.parse_row(ctx.kind, row)
        if problems:
            batch.outcomes[row.row] = _problem_outcome(row.row, problems)
            continue
        source = rules.row_key(ctx.kind, values)
        if source in seen:
            field_name = "activity_source_id" if ctx.kind == "attendance" else "source_id"
            duplicate = rules.row_problem(row.row, field_name, "IMPORT_DUPLICATE_ROW")
            batch.outcomes[row.row] = _problem_outcome(row.row, [duplicate])
            continue
        seen.add(source)
        parsed.append(Parsed(row.row, values, ImportKey.key_of(ctx.source_key, ctx.kind, source)))
    return parsed


def _keys(keys: Iterable[str]) -> dict[str, ImportKey]:
    wanted = sorted(set(keys))
    found = get_many(*[ImportKey(k, "#") for k in wanted]) if wanted else []
    return {item.pk: item for item in found if isinstance(item, ImportKey)}


def _settled(batch: Batch, p: Parsed, key: ImportKey) -> Outcome:
    """What a row whose ImportKey exists comes to: the same row of this import, written by an
    earlier try of its batch, as it was first counted; another row of this import with the same
    source id, a duplicate; a row imported before, ``skipped``."""
    if key.import_id == batch.context.import_id and key.result:
        if key.row is None or int(key.row) == p.row:
            return Outcome(p.row, "created" if key.result == "created" else "matched", target=key.target)
        field_name = "activity_source_id" if batch.context.kind == "attendance" else "source_id"
        return _problem_outcome(p.row, [rules.row_problem(p.row, field_name, "IMPORT_DUPLICATE_ROW")])
    return Outcome(p.row, "skipped", target=key.target)


def _known(batch: Batch, rows: list[Parsed]) -> list[Parsed]:
    """Rows whose ImportKey exists are settled (``_settled``); the rest are left to write."""
    found = _keys(p.key for p in rows)
    left = []
    for p in rows:
        key = found.get(p.key)
        if key is None:
            left.append(p)
        else:
            batch.outcomes[p.row] = _settled(batch, p, key)
    return left


def _import_key(batch: Batch, p: Parsed, target: str, result: str) -> ImportKey:
    return ImportKey(
        p.key,
        "#",
        target=target,
        import_id=batch.context.import_id,
        created_at=clock.now(),
        result=result,
        row=p.row,
    )


def _settle_taken(batch: Batch, p: Parsed) -> None:
    """A row whose ImportKey appeared meanwhile (another batch, a retry): as ``_settled`` says."""
    key = _keys([p.key]).get(p.key)
    if key is None:
        raise RuntimeError("import key conflict without a key")
    batch.outcomes[p.row] = _settled(batch, p, key)


def _owners(emails: Iterable[str]) -> dict[str, EmailOwner]:
    wanted = sorted(set(emails))
    found = get_many(*[EmailOwner(e) for e in wanted]) if wanted else []
    return {o.email: o for o in found if isinstance(o, EmailOwner)}


def _owns(owner: EmailOwner) -> bool:
    """Whether the email's account counts as the learner's: confirmed, or imported by the office."""
    return bool(owner.verified or owner.imported_from)


def _held(p: Parsed) -> Outcome:
    return _problem_outcome(p.row, [rules.row_problem(p.row, "email", "IMPORT_EMAIL_HELD")])


def _write_learners(batch: Batch, rows: list[Parsed]) -> None:
    ctx = batch.context
    owners = _owners(p.values["email"] for p in rows)
    made: set[str] = set()
    group = retry.Group("import learners")
    for p in rows:
        if p.row in batch.outcomes:
            continue
        if group.holds(_email_name(p)):  # a row above creates this email's account: written first
            group.flush()
        owner = owners.get(p.values["email"])
        if owner is not None and not _owns(owner):
            batch.outcomes[p.row] = _held(p)
            continue
        if ctx.dry_run:  # an email a row above created is matched, as the commit will match it
            found = owner is not None or p.values["email"] in made
            target = owner.learner_id if owner else None
            batch.outcomes[p.row] = Outcome(p.row, "matched" if found else "created", target=target)
            made.add(p.values["email"])
            continue
        _write_learner(batch, p, owner, owners, group)
    group.flush()


def _email_name(p: Parsed) -> str:
    return f"email:{p.values['email']}"


def _write_learner(
    batch: Batch,
    p: Parsed,
    owner: EmailOwner | None,
    owners: dict[str, EmailOwner] | None = None,
    group: retry.Group | None = None,
) -> None:
    """One learners row: matched (the key alone) or created. With ``group``, its writes join the
    group's transaction, and the row is written alone (this again, without a group) when a
    condition cancels the group; an account it creates is added to ``owners``."""
    ctx = batch.context

    def alone() -> None:
        _write_learner(batch, p, owner, owners)

    if owner is not None:  # matched: the key alone records it
        _write_matched(batch, p, owner, group, alone)
        return
    now = clock.now()
    v = p.values
    learner = Learner(
        str(uuid.uuid4()),
        email=v["email"],
        first_name=v["first_name"],
        last_name=v["last_name"],
        last_name_key=name_key(v["last_name"]) or v["last_name"].casefold(),
        degree=v["degree"],
        phone_e164=v.get("phone"),
        npi=v.get("npi"),
        email_verified=False,
        role="learner",
        transcript_frequency="never",
        password_hash=passwords.UNSET,
        imported_from=ctx.source_name,
        created_at=now,
        updated_at=now,
    )
    new_owner = EmailOwner(
        v["email"],
        learner_id=learner.learner_id,
        verified=False,
        primary=True,
        added_at=now,
        imported_from=ctx.source_name,
    )
    key = _import_key(batch, p, learner.learner_id, "created")
    made = ImportCreated(ctx.import_id, CREATED_PREFIX + learner.learner_id, learner_id=learner.learner_id)

    def build(tx: Any) -> None:
        tx.save(key, condition=ImportKey.pk.does_not_exist())
        tx.save(new_owner, condition=EmailOwner.email.does_not_exist())
        tx.save(learner, condition=Learner.learner_id.does_not_exist())
        tx.save(learner_search.entry_of(learner))
        tx.save(made)

    def created() -> None:
        batch.outcomes[p.row] = Outcome(p.row, "created", target=learner.learner_id)
        if owners is not None:
            owners[new_owner.email] = new_owner

    if group is not None:
        group.add(5, {f"key:{p.key}", _email_name(p)}, build, created, alone)
        return
    try:
        retry.transact(build, "import learner")
    except TransactWriteError as exc:
        reasons = retry.reasons_by_item(exc)
        if reasons and reasons[0] == retry.DECISION:
            _settle_taken(batch, p)
            return
        if len(reasons) > 1 and reasons[1] == retry.DECISION:  # the email was taken meanwhile
            again = _owners([v["email"]]).get(v["email"])
            if again is None:
                raise
            if not _owns(again):
                batch.outcomes[p.row] = _held(p)
                return
            _write_learner(batch, p, again, owners)
            return
        raise
    created()


def _write_matched(batch: Batch, p: Parsed, owner: EmailOwner, group: retry.Group | None, alone: Any) -> None:
    """A learners row matched to ``owner``'s account: its ImportKey, conditional on its absence."""
    key = _import_key(batch, p, owner.learner_id, "matched")
    matched = Outcome(p.row, "matched", target=owner.learner_id)
    if group is not None:

        def fill_key(tx: Any) -> None:
            tx.save(key, condition=ImportKey.pk.does_not_exist())

        def settle() -> None:
            batch.outcomes[p.row] = matched

        group.add(1, {f"key:{p.key}"}, fill_key, settle, alone)
        return
    try:
        retry.call(lambda: key.save(condition=ImportKey.pk.does_not_exist()), "import learner key")
    except PynamoDBException as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
        _settle_taken(batch, p)
        return
    batch.outcomes[p.row] = matched


def _write_activities(batch: Batch, rows: list[Parsed]) -> None:
    ctx = batch.context
    todo = [p for p in rows if p.row not in batch.outcomes]
    if ctx.dry_run:
        for p in todo:
            batch.outcomes[p.row] = Outcome(p.row, "created")
        return
    if todo:
        activities.extend_calendar(sorted({p.values["end_date"][:7] for p in todo}))
    for p in todo:
        _write_activity(batch, p)


def _write_activity(batch: Batch, p: Parsed) -> None:
    v = p.values
    now = clock.now()
    for _ in range(5):  # a generated code collides about once in 10^9 tries
        activity_id = str(uuid.uuid4())
        code = activities.new_code()
        activity = Activity(
            activity_id,
            title=v["title"],
            format=v["format"],
            start_date=v["start_date"],
            end_date=v["end_date"],
            location=v.get("location", ""),
            credits=[CreditDesignation(type=t, max=amount) for t, amount in v["credits"]],
            claim_window_days=CLAIM_WINDOW_DAYS,
            attendance_code=code,
            published=False,
            created_at=now,
            updated_at=now,
        )
        for name, value in activities.list_keys(activity_id, v["end_date"], False).items():
            setattr(activity, name, value)
        key = _import_key(batch, p, activity_id, "created")

        def build(tx: Any, activity: Activity = activity, code: str = code, key: ImportKey = key) -> None:
            tx.save(key, condition=ImportKey.pk.does_not_exist())
            tx.save(
                AttendanceCode(code, activity_id=activity.activity_id), condition=AttendanceCode.code.does_not_exist()
            )
            tx.save(activity, condition=Activity.activity_id.does_not_exist())

        try:
            retry.transact(build, "import activity")
        except TransactWriteError as exc:
            reasons = retry.reasons_by_item(exc)
            if reasons and reasons[0] == retry.DECISION:
                _settle_taken(batch, p)
                return
            if len(reasons) > 1 and reasons[1] == retry.DECISION:
                continue  # the code is taken: another one
            raise
        batch.outcomes[p.row] = Outcome(p.row, "created", target=activity_id)
        return
    raise RuntimeError("no free attendance code")


def _activity_ids(ctx: Context, rows: list[Parsed]) -> dict[str, str]:
    """activity_source_id -> our activity id, for the rows' activities the import knows."""
    keys = {
        p.values["activity_source_id"]: ImportKey.key_of(ctx.source_key, "activities", p.values["activity_source_id"])
        for p in rows
    }
    found = _keys(keys.values())
    return {source: found[key].target for source, key in keys.items() if key in found}


def _activity_unknown(p: Parsed) -> Outcome:
    return _problem_outcome(
        p.row,
        [rules.row_problem(p.row, "activity_source_id", "IMPORT_ACTIVITY_UNKNOWN", p.values["activity_source_id"])],
    )


def _write_attendance(batch: Batch, rows: list[Parsed]) -> None:
    ctx = batch.context
    todo = [p for p in rows if p.row not in batch.outcomes]
    ids = _activity_ids(ctx, todo)
    added: Counter[str] = Counter()
    group = retry.Group("import attendance")
    for p in todo:
        activity_id = ids.get(p.values["activity_source_id"])
        if activity_id is None:
            batch.outcomes[p.row] = _activity_unknown(p)
            continue
        if ctx.dry_run:
            batch.outcomes[p.row] = Outcome(p.row, "created", target=activity_id)
            continue
        _write_attendee(batch, p, activity_id, added, group)
    group.flush()
    for activity_id, count in added.items():
        activities.add_to_count(activity_id, "attendance_count", count)


def _write_attendee(
    batch: Batch, p: Parsed, activity_id: str, added: Counter[str], group: retry.Group | None = None
) -> None:
    """One attendance row; a new one is counted in ``added`` (attendance already recorded:
    matched, the key alone). With ``group``, it joins the group's transaction as new, and is
    written alone (this again, without a group) when a condition cancels the group."""
    v = p.values
    email = v["email"]
    target = f"{email}#{activity_id}"
    row = Attendance(
        activity_id,
        email,
        first_name=v.get("first_name", ""),
        last_name=v.get("last_name", ""),
        source="import",
        recorded_at=clock.now(),
    )

    def build(tx: Any, result: str) -> None:
        tx.save(_import_key(batch, p, target, result), condition=ImportKey.pk.does_not_exist())
        if result == "created":
            tx.save(row, condition=Attendance.email.does_not_exist())
            tx.update(
                EmailAttendance(*EmailAttendance.key_of(email)), actions=[EmailAttendance.activities.add({activity_id})]
            )

    def written(result: rules.Result = "created") -> None:
        batch.outcomes[p.row] = Outcome(p.row, result, target=target)
        if result == "created":
            added[activity_id] += 1

    if group is not None:
        names = {f"key:{p.key}", f"attendance:{activity_id}#{email}", f"email:{email}"}
        alone = functools.partial(_write_attendee, batch, p, activity_id, added)
        group.add(3, names, functools.partial(build, result="created"), written, alone)
        return
    results: tuple[rules.Result, ...] = ("created", "matched")
    for result in results:
        try:
            retry.transact(functools.partial(build, result=result), "import attendance")
        except TransactWriteError as exc:
            reasons = retry.reasons_by_item(exc)
            if reasons and reasons[0] == retry.DECISION:
                _settle_taken(batch, p)
                return
            if result == "created" and len(reasons) > 1 and reasons[1] == retry.DECISION:
                continue  # attended already (a roster, a sign-in): the key alone
            raise
        written(result)
        return


def _write_claims(batch: Batch, rows: list[Parsed]) -> None:
    from cme.credit import import_claims  # certificates and board files: only a claims batch needs them

    todo = [p for p in rows if p.row not in batch.outcomes]
    if not todo:
        return
    raw = {row.row: row for row in batch.rows}
    # ``write(ctx, [(the row as read, its parsed values)])``: the claims writer reads the rows'
    # ImportKeys itself (a claim's key is written in the claim's own transaction)
    for outcome in import_claims.write(batch.context, [(raw[p.row], p.values) for p in todo]):
        batch.outcomes[outcome.row] = outcome


WRITERS = {
    "learners": _write_learners,
    "activities": _write_activities,
    "attendance": _write_attendance,
    "claims": _write_claims,
}


def _problem_items(batch: Batch, run: str) -> list[ImportProblem]:
    items = []
    for outcome in batch.outcomes.values():
        for n, found in enumerate(outcome.problems):
            items.append(
                ImportProblem(
                    batch.context.import_id,
                    f"{PROBLEM_PREFIX}{found.row:09d}#{n}",
                    row=found.row,
                    field=found.field,
                    code=found.code,
                    message=found.message,
                    run=run,
                )
            )
    return items


def write_batch(message: dict[str, Any], receive_count: int = 1) -> dict[str, int]:
    """One batch of rows (the worker's message): parsed, written (or, in a dry run, looked up),
    its problems stored and its counts added to the job, once. On the FINAL_RECEIVE-th receive a
    row whose write fails again becomes an IMPORT_ROW_FAILED problem instead of failing the batch."""
    batch = Batch.of(message)
    ctx = batch.context
    final = receive_count >= FINAL_RECEIVE
    parsed = _parse(batch)
    if ctx.kind != "claims":
        parsed = _known(batch, parsed)
    try:
        WRITERS[ctx.kind](batch, parsed)
    except Exception:
        if not final:
            raise
        logger.exception(
            "import batch failed on its last try", extra={"import_id": ctx.import_id, "batch": batch.number}
        )
    for row in batch.rows:  # a row the writer could not settle, on the last try, is a problem
        if row.row not in batch.outcomes:
            batch.outcomes[row.row] = _problem_outcome(row.row, [rules.row_problem(row.row, "", "IMPORT_ROW_FAILED")])
    run = "check" if ctx.dry_run else "commit"
    problems = _problem_items(batch, run)
    if problems:
        retry.call(lambda: _save_all(problems), "import problems")
    counts = {"created": 0, "matched": 0, "skipped": 0, "problem": 0}
    for outcome in batch.outcomes.values():
        counts[outcome.result] += 1
    _count(batch, counts, run)
    return counts


def _save_all(items: list[ImportProblem]) -> None:
    with ImportProblem.batch_write() as writer:
        for item in items:
            writer.save(item)


def _count(batch: Batch, counts: dict[str, int], run: str) -> None:
    import_id = batch.context.import_id
    job = ImportJob(import_id, JOB_SK)

    def add() -> Any:
        return job.update(
            actions=[
                ImportJob.done.add(len(batch.outcomes)),
                ImportJob.created.add(counts["created"]),
                ImportJob.matched.add(counts["matched"]),
                ImportJob.skipped.add(counts["skipped"]),
                ImportJob.problem_count.add(counts["problem"]),
                ImportJob.batches_done.add({batch.number}),
                ImportJob.updated_at.set(clock.now()),
            ],
            condition=(ImportJob.run_id == batch.run_id) & ~ImportJob.batches_done.contains(batch.number),
        )

    try:
        retry.call(add, "import progress")
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return  # counted already (a redelivered batch), or a later run started
    if _complete(job):
        _finish(import_id, batch.run_id, run)


# ------------------------------------------------------------------ the whole job, in-process


def handle_reader_message(message: dict[str, Any]) -> dict[str, int]:
    """The reader's message: a run to read, or invitations to queue."""
    if message.get("action") == INVITE:
        return {"invited": send_invitations(message["import_id"])}
    return read_file(message["import_id"], message["run_id"])

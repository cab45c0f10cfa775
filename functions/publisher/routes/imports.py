"""Imports from the portal an office leaves (cme.credit.imports; docs/api.md "Imports"): create an
import and its upload form, watch it, check it (a dry run), commit it, invite its learners."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme.credit import imports
from cme.platform.schemas import (
    ImportCreatedReply,
    ImportIn,
    ImportReply,
    ImportsReply,
    InvitesQueuedReply,
    MappingIn,
)
from cme.runtime.resolver import csv_reply, json_reply, require_admin, responses

router = Router()

Cursor = Annotated[str | None, Query(max_length=600, description="the next cursor of the page before")]


@router.post(
    "/api/admin/imports",
    responses=responses(
        "IMPORT_FILENAME_INVALID", "IMPORT_SOURCE_INVALID", ok={201: {"description": "The import and its upload form"}}
    ),
)
def create_import(body: ImportIn) -> Response[ImportCreatedReply]:
    """A new import awaiting its file, and a pre-signed POST for it (CSV up to 200 MB, XLSX up to 20 MB)."""
    who = require_admin(router)
    job, form = imports.create(body, who.learner_id)
    return json_reply(201, ImportCreatedReply.model_validate({"import": job, "upload": form}))


@router.get("/api/admin/imports", responses=responses("CURSOR_INVALID"))
def list_imports(cursor: Cursor = None) -> Response[ImportsReply]:
    """The office's imports, newest first."""
    require_admin(router)
    jobs, following = imports.list_imports(cursor)
    return json_reply(200, ImportsReply(imports=jobs, next_cursor=following))


@router.get(
    "/api/admin/imports/<import_id>",
    responses=responses("NOT_FOUND", "CURSOR_INVALID", "STORAGE_UNAVAILABLE"),
)
def get_import(import_id: str, problems_cursor: Cursor = None) -> Response[ImportReply]:
    """The import, its counts and a page of its problems (``problems_cursor``: the next page). While
    it awaits its file, the file is looked for: once in, ``uploaded`` with its columns, preview
    and suggested mapping."""
    require_admin(router)
    return json_reply(200, ImportReply.model_validate({"import": imports.get(import_id, problems_cursor)}))


@router.get(
    "/api/admin/imports/<import_id>/problems.csv",
    responses=responses(
        "NOT_FOUND",
        ok={200: {"description": "The problems as CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}},
    ),
)
def import_problems_csv(import_id: str) -> Response[str]:
    """Every problem of the import's last run: Row, Column, Code, Message (formula-safe)."""
    require_admin(router)
    return csv_reply(*imports.problems_csv(import_id))


@router.post(
    "/api/admin/imports/<import_id>/check",
    responses=responses(
        "NOT_FOUND", "IMPORT_STATUS", "IMPORT_MAPPING_INVALID", ok={202: {"description": "The dry run started"}}
    ),
)
def check_import(import_id: str, body: MappingIn) -> Response[ImportReply]:
    """A dry run with ``mapping`` (``{}``: our own headers): counts and problems, nothing written."""
    require_admin(router)
    return json_reply(
        202, ImportReply.model_validate({"import": imports.start(import_id, "check", dict(body.mapping))})
    )


@router.post(
    "/api/admin/imports/<import_id>/commit",
    responses=responses("NOT_FOUND", "IMPORT_STATUS", ok={202: {"description": "The import started"}}),
)
def commit_import(import_id: str) -> Response[ImportReply]:
    """Import a checked file, with the mapping its check used."""
    require_admin(router)
    return json_reply(202, ImportReply.model_validate({"import": imports.start(import_id, "commit")}))


@router.post(
    "/api/admin/imports/<import_id>/invite",
    responses=responses("NOT_FOUND", "IMPORT_STATUS", ok={202: {"description": "Invitations queued"}}),
)
def invite_import(import_id: str) -> Response[InvitesQueuedReply]:
    """Email each learner the import created (not invited yet) an invitation to set a password."""
    require_admin(router)
    return json_reply(202, InvitesQueuedReply(queued=imports.invite(import_id)))

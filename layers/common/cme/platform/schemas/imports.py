"""Imports from another portal (cme.credit.imports, docs/api.md "Imports")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from cme.platform.schemas._common import BaseModel
from cme.platform.schemas.outside import UploadForm

_Kind = Literal["learners", "activities", "attendance", "claims"]
_Status = Literal["awaiting_upload", "uploaded", "checking", "checked", "importing", "done", "failed"]
_Header = Annotated[str, StringConstraints(max_length=200)]


class ImportIn(BaseModel):
    kind: _Kind
    filename: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    source_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    report_to_boards: bool = False


class MappingIn(BaseModel):
    mapping: dict[_Header, _Header] = Field(default_factory=dict, max_length=20)


class ImportProblemOut(BaseModel):
    row: int  # the spreadsheet row (the header is row 1; 0: the mapping or the file as a whole)
    field: str  # our column
    code: str
    message: str


class OurColumn(BaseModel):
    """One of our own columns for the import's kind (cme.rules.imports.COLUMNS), in order: what
    the mapping maps a header of the file to; ``required`` when a row cannot be imported without it."""

    column: str
    required: bool


class ImportOut(BaseModel):
    import_id: str
    kind: _Kind
    our_columns: list[OurColumn] = Field(default_factory=list)
    filename: str
    source_name: str
    report_to_boards: bool
    status: _Status
    columns: list[str] = Field(default_factory=list)
    preview: list[dict[str, str]] = Field(default_factory=list)
    suggested_mapping: dict[str, str] = Field(default_factory=dict)
    mapping: dict[str, str] = Field(default_factory=dict)
    rows: int | None = None  # data rows in the file (known once the reader finished)
    done: int = 0
    created: int = 0
    matched: int = 0
    skipped: int = 0
    problem_count: int = 0
    problems: list[ImportProblemOut] = Field(default_factory=list)
    next_problems_cursor: str | None = None
    failure: str | None = None
    created_at: datetime
    updated_at: datetime


class ImportReply(BaseModel):
    import_: ImportOut = Field(alias="import")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ImportCreatedReply(BaseModel):
    import_: ImportOut = Field(alias="import")
    upload: UploadForm

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ImportsReply(BaseModel):
    imports: list[ImportOut]
    next_cursor: str | None = None


class InvitesQueuedReply(BaseModel):
    queued: int  # learners the import created who get an invitation now

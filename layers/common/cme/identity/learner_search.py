"""The office finds a learner: by the start of a first or last name (any case, accents ignored),
an exact confirmed email, a 10-digit NPI, or the last 4 or more digits of a phone.

No Scan. Each learner has one small ``LearnerSearch`` item (its own table, four indexes), made by
``entry`` from the profile's values and put in the same transaction as every write of them
(account creation, a profile save, the office's correction: cme.identity.accounts); older
learners get theirs from ``python -m infra.tools.backfill_learner_search``
(docs/operations.md "Upgrading"). An email is found by its own key in the emails table. The index only proposes:
the learners it names are read by key and checked against the query again, so a lagging index
or an item left from a value since removed (the phone dropped when the owner moved in) never
shows a learner who does not match.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cme.platform.errors import BadToken, InvalidInput
from cme.platform.models import EmailOwner, Learner, LearnerSearch
from cme.platform.normalize import name_key, normalize_email

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: the fewest trailing digits a phone is looked up by
PHONE_TAIL = 4
#: keys one BatchGetItem may hold
_BATCH = 100


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def entry(learner_id: str, first_name: str, last_name: str, npi: str | None, phone_e164: str | None) -> LearnerSearch:
    """The learner's search item, from the profile's values: the one place its keys are made."""
    first, last, phone = name_key(first_name), name_key(last_name), _digits(phone_e164)
    return LearnerSearch(
        learner_id,
        first_initial=first[:1] or None,
        first_key=first or None,
        last_initial=last[:1] or None,
        last_key=last or None,
        npi=npi or None,
        phone_tail=phone[-PHONE_TAIL:] if len(phone) >= PHONE_TAIL else None,
        phone_reversed=phone[::-1] if len(phone) >= PHONE_TAIL else None,
    )


def entry_of(learner: Learner) -> LearnerSearch:
    return entry(learner.learner_id, learner.first_name, learner.last_name, learner.npi, learner.phone_e164)


def same_keys(a: LearnerSearch, b: LearnerSearch) -> bool:
    return bool(a.serialize() == b.serialize())


@dataclass(frozen=True)
class _Stage:
    """One index Query of a search: ``run(limit, start)`` -> the iterator; ``skip`` drops an
    item an earlier stage already gave; ``key`` names the start key's attributes and the
    partition value a cursor must hold."""

    run: Callable[[int, dict[str, Any] | None], Any]
    key: dict[str, str | None]
    skip: Callable[[LearnerSearch], bool] = lambda item: False


@dataclass(frozen=True)
class Query:
    """What ``q`` asks for: ``kind`` "name", "email", "number" (digits) or "none"."""

    kind: str
    value: str

    @classmethod
    def parse(cls, q: str) -> Query:
        text = q.strip()
        if "@" in text:
            try:
                return cls("email", normalize_email(text))
            except InvalidInput:
                return cls("none", "")
        if text and re.fullmatch(r"[\d\s().+-]+", text):
            digits = _digits(text)
            return cls("number", digits) if len(digits) >= PHONE_TAIL else cls("none", "")
        key = name_key(text)
        return cls("name", key) if key else cls("none", "")

    def matches(self, learner: Learner) -> bool:
        """Whether ``learner`` (read by key, as it is now) answers this query."""
        if self.kind == "name":
            return name_key(learner.first_name).startswith(self.value) or name_key(learner.last_name).startswith(
                self.value
            )
        if self.kind == "number":
            npi = len(self.value) == 10 and learner.npi == self.value
            return npi or _digits(learner.phone_e164).endswith(self.value)
        return False

    def stages(self) -> list[_Stage]:
        if self.kind == "name":
            key, initial = self.value, self.value[:1]
            return [
                _Stage(
                    lambda n, start: LearnerSearch.by_last_name.query(
                        initial, LearnerSearch.last_key.startswith(key), limit=n, last_evaluated_key=start
                    ),
                    {"learner_id": None, "last_initial": initial, "last_key": None},
                ),
                _Stage(
                    lambda n, start: LearnerSearch.by_first_name.query(
                        initial, LearnerSearch.first_key.startswith(key), limit=n, last_evaluated_key=start
                    ),
                    {"learner_id": None, "first_initial": initial, "first_key": None},
                    # found by the last name already
                    lambda item: (item.last_key or "").startswith(key),
                ),
            ]
        if self.kind == "number":
            digits, tail = self.value, self.value[-PHONE_TAIL:]
            stages = []
            if len(digits) == 10:
                stages.append(
                    _Stage(
                        lambda n, start: LearnerSearch.by_npi.query(digits, limit=n, last_evaluated_key=start),
                        {"learner_id": None, "npi": digits},
                    )
                )
            stages.append(
                _Stage(
                    lambda n, start: LearnerSearch.by_phone_tail.query(
                        tail, LearnerSearch.phone_reversed.startswith(digits[::-1]), limit=n, last_evaluated_key=start
                    ),
                    {"learner_id": None, "phone_tail": tail, "phone_reversed": None},
                    (lambda item: item.npi == digits) if len(digits) == 10 else (lambda item: False),
                )
            )
            return stages
        return []


@dataclass(frozen=True)
class Page:
    learners: list[Learner]
    next_cursor: str | None


def _bad_cursor(message: str = "This page link is not valid; please search again.") -> BadToken:
    return BadToken("CURSOR_INVALID", message)


def _fingerprint(query: Query) -> str:
    return hashlib.sha256(f"{query.kind}:{query.value}".encode()).hexdigest()[:16]


def _encode(query: Query, stage: int, start: dict[str, Any] | None) -> str:
    data = {"v": 1, "f": _fingerprint(query), "s": stage, "k": start}
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, query: Query, stages: list[_Stage]) -> tuple[int, dict[str, Any] | None]:
    """A cursor is a position in one search's walk, checked field by field: a start key holds
    exactly the stage's key attributes, strings, and the query's own partition."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise _bad_cursor() from None
    if not isinstance(data, dict) or set(data) != {"v", "f", "s", "k"} or data["v"] != 1:
        raise _bad_cursor()
    if data["f"] != _fingerprint(query):
        raise _bad_cursor("This page link belongs to another search; please search again.")
    stage, start = data["s"], data["k"]
    if type(stage) is not int or not 0 <= stage < len(stages):
        raise _bad_cursor()
    if start is None:
        return stage, None
    wanted = stages[stage].key
    if not isinstance(start, dict) or set(start) != set(wanted):
        raise _bad_cursor()
    for name, value in start.items():
        if not (isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str)):
            raise _bad_cursor()
        if not 0 < len(value["S"]) <= 200 or (wanted[name] is not None and value["S"] != wanted[name]):
            raise _bad_cursor()
    return stage, start


def _read(ids: Iterable[str]) -> dict[str, Learner]:
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Learner] = {}
    for at in range(0, len(wanted), _BATCH):
        for learner in Learner.batch_get(wanted[at : at + _BATCH], consistent_read=True):
            found[learner.learner_id] = learner
    return found


def _by_email(email: str) -> list[Learner]:
    """The learner whose confirmed or imported email this is (a hold names nobody)."""
    try:
        owner = EmailOwner.get(email)
    except EmailOwner.DoesNotExist:
        return []
    if not (owner.verified or owner.imported_from is not None):
        return []
    return list(_read([owner.learner_id]).values())


def search(q: str, limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> Page:
    """A page of the learners ``q`` finds: last-name matches, then first-name matches (each in
    the order of the name's key), or the NPI's learner then the phones'. DynamoDB calls: one
    Query per index read (usually one) and one BatchGetItem of the learners; an email, one
    GetItem and one BatchGetItem."""
    query = Query.parse(q)
    if query.kind == "email":
        if cursor:
            raise _bad_cursor()
        return Page(_by_email(query.value), None)
    stages = query.stages()
    if not stages:
        if cursor:
            raise _bad_cursor()
        return Page([], None)
    stage, start = _decode(cursor, query, stages) if cursor else (0, None)
    found: list[str] = []
    while stage < len(stages) and len(found) < limit:
        step = stages[stage]
        results = step.run(limit - len(found), start)
        found += [item.learner_id for item in results if not step.skip(item)]
        start = results.last_evaluated_key
        if start is None:
            stage += 1
    learners = _read(found)
    page = [learners[i] for i in dict.fromkeys(found) if i in learners and query.matches(learners[i])]
    return Page(page, _encode(query, stage, start) if stage < len(stages) else None)

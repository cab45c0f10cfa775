"""Names in the scripts clinicians use (issue 12, part 8): saved when a certificate can print
them, refused with a clear 422 otherwise; a certificate and a transcript print them."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest
from pypdf import PdfReader

from tests.integration.conftest import account
from tests.integration.test_certificates import fetch
from tests.integration.test_claims import claim_body, verify_primary
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

RULE = (
    "Names can be written in Latin, Greek, Cyrillic, Chinese, Japanese, Korean, Arabic, Hebrew, Devanagari or Thai "
    "letters."
)
SAMPLES = [
    "小明 王",
    "王小明",
    "陳大文",
    "さくら 山田",
    "김민준",
    "محمد العلي",
    "דוד כהן",
    "अमित शर्मा",
    "สมชาย ใจดี",
    "Αθηνά Παπαδοπούλου",
    "Дмитрий Иванов",
    "Seán Ó Briain",
    "José 王",  # scripts mixed
    "Mary-Kate O’Brien-d'Arc Jr.",  # hyphens, both apostrophes, a period
]
UNSUPPORTED = {"Cherokee": "ᏣᎳᎩ", "Ethiopic": "አበበ", "emoji": "Zoë 🙂", "bidi override": "Zoë\u202eevil"}


@pytest.mark.parametrize(("field", "name"), [("last_name", n) for n in UNSUPPORTED.values()], ids=UNSUPPORTED.keys())
def test_create_account_refuses_a_name_no_certificate_can_print(client: ApiClient, field: str, name: str) -> None:
    answer = client.post("/api/accounts", account(**{field: name}))
    assert answer.status == 422, answer.json
    assert answer.json["code"] == "NAME_SCRIPT_UNSUPPORTED"
    assert RULE in answer.json["message"] and "last name" in answer.json["message"]
    assert [d["field"] for d in answer.json["details"]] == ["last_name"]
    assert "cme_session" not in client.cookies


def test_profile_save_refuses_a_name_no_certificate_can_print(client: ApiClient) -> None:
    assert client.post("/api/accounts", account(first_name="小明", last_name="王")).status == 201
    answer = client.put("/api/me", account(first_name="ᏣᎳᎩ", last_name="አበበ"))
    assert answer.status == 422, answer.json
    assert answer.json["code"] == "NAME_SCRIPT_UNSUPPORTED"
    assert answer.json["message"] == f"{RULE} Please check your first name and last name."
    assert {d["field"] for d in answer.json["details"]} == {"first_name", "last_name"}
    assert "Ꮳ" in answer.json["details"][0]["message"]
    me = client.get("/api/me").json
    assert (me["first_name"], me["last_name"]) == ("小明", "王")  # nothing saved


def test_profile_save_accepts_every_supported_script(client: ApiClient) -> None:
    assert client.post("/api/accounts", account(first_name="小明", last_name="王")).status == 201
    for name in SAMPLES:
        *first, last = name.split()
        answer = client.put("/api/me", account(first_name=" ".join(first) or last, last_name=last))
        assert answer.status == 200, (name, answer.json)
        assert answer.json["last_name"] == last


def _text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")  # see tests/unit/test_certificate_scripts.py


def test_certificate_and_transcript_print_the_name_and_title(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    activity = create(admin, format="live", title="محاضرة: الإنتان 敗血症")
    learner = new_client()
    created = learner.post(
        "/api/accounts", account(email="wang@example.org", first_name="小明", last_name="王", degree="MD")
    )
    assert created.status == 201, created.json
    verify_primary(learner, outbox, new_client)
    admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "wang@example.org"}]})
    claim = learner.post("/api/me/claims", claim_body(activity)).json["claim"]

    answer = learner.get(f"/api/me/claims/{claim['claim_id']}/certificate")
    assert answer.status == 200, answer.json
    text = _text(fetch(answer.json["url"])[0])
    assert "小明 王, MD" in text
    for word in ("محاضرة", "الإنتان", "敗血症"):
        assert word in text or word[::-1] in text

    answer = learner.get("/api/me/transcript", query="format=pdf")
    assert answer.status == 200, answer.json
    text = _text(fetch(answer.json["url"])[0])
    assert "小明 王, MD" in text and "敗血症" in text

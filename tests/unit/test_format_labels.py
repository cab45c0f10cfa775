"""Activity-format labels in one place (docs/architecture.md "One place for each fact"): cme.rules.credit
words every format, GET /api/credit-types serves them, and the web spells none of them itself."""

from __future__ import annotations

from pathlib import Path

from cme.platform.schemas import ActivityFormat
from cme.rules import credit

WEB = Path(__file__).resolve().parents[2] / "web"


def test_every_format_has_one_label_served_in_the_formats_order() -> None:
    assert set(credit.FORMAT_LABEL) == set(ActivityFormat)
    served = [(item.format, item.label) for item in credit.formats()]
    assert served == [(kind, credit.FORMAT_LABEL[kind]) for kind in ActivityFormat]
    # docs/domain.md "Completion date": an rss activity is one session of a regularly scheduled series
    assert credit.FORMAT_LABEL[ActivityFormat.RSS] == "Regularly scheduled series session"


def test_no_page_or_script_spells_a_format_label() -> None:
    files = [*WEB.rglob("*.js"), *WEB.rglob("*.html")]
    assert len(files) > 20
    spelled = [
        f"{path.relative_to(WEB)}: {label}"
        for path in files
        for label in credit.FORMAT_LABEL.values()
        if label.casefold() in path.read_text(encoding="utf-8").casefold()
    ]
    assert spelled == []
    # the old copies, worded apart from the server's, are gone too
    assert not [p for p in files if "Regularly scheduled series" in p.read_text(encoding="utf-8")]

"""The import page in a real browser on the local stack (docs/api.md "Imports"): the coordinator
uploads a learners CSV whose headers are not ours (straight to S3, a pre-signed POST with a
progress bar), matches its columns, reads the dry run (counts, a problem with its row number),
downloads the problems as CSV, imports it, sees the final report, reopens it from the list of
earlier imports and invites the learner it created (the email lands in the local outbox). An
activities file and a claims file in our own headers need no matching, and the learner finds
the imported claim on their transcript, marked with the portal it came from."""

from __future__ import annotations

import csv
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from cme.rules import imports
from infra.local.seed import DEMO_PASSWORD
from tests.support import journeys
from tests.support.journeys import COORDINATOR, sign_up, unique_email

pytestmark = pytest.mark.e2e

PASSWORD = "imported history lantern"
JOB = 60_000  # ms: the reader and the worker run through the local stack's queue


def axe_violations(page: Any) -> list[str]:
    """axe-core on the page as it is now (a step the page table's visit does not reach)."""
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in Axe().run(page).response["violations"]]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def upload(page: Any, kind: str, source: str, path: Path) -> None:
    """Step 1: the kind, the portal, the file; Upload goes on to the column matching."""
    page.goto("/admin-imports.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import from another portal")
    page.get_by_label("What the file holds").select_option(kind)
    page.get_by_label("The portal it comes from").fill(source)
    expect(page.get_by_label("Report the imported claims to the boards")).not_to_be_checked()
    page.get_by_label("The file (.csv or .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible(timeout=JOB)
    expect(page).to_have_url(re.compile(r"/admin-imports\.html\?import_id=[^&]+$"))


def count(page: Any, term: str) -> Any:
    term_cell = page.locator("dt", has_text=re.compile(rf"^{re.escape(term)}$"))
    return page.locator("#report-counts > div").filter(has=term_cell).locator("dd")


def check(page: Any) -> None:
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="The dry run: what importing would do")).to_be_visible(timeout=JOB)


def commit(page: Any) -> None:
    page.get_by_role("button", name="Import these rows").click()
    dialog = page.get_by_role("dialog", name="Import these rows?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Imported", exact=True)).to_be_visible(timeout=JOB)


def mails_to(page: Any, to: str) -> list[dict[str, Any]]:
    return [message for message in page.request.get("/_local/outbox.json").json()["messages"] if to in message["to"]]


def outbox_message(page: Any, to: str) -> dict[str, Any]:
    """The first email to ``to`` the local outbox holds, once the paced mail queue has sent it."""
    for _ in range(JOB // 500):  # the local stack sends it from the paced queue after the request
        found = mails_to(page, to)
        if found:
            return dict(found[0])
        page.wait_for_timeout(500)
    raise AssertionError(f"no email to {to} in the outbox")


def import_learners(page: Any, tmp_path: Path, source: str, tag: str, new: str, known: str) -> None:
    """Learners in another portal's headers, matched on the page, checked (a problem row) and
    imported: one created (``new``), one matched (``known``), one problem."""
    learners = write_csv(
        tmp_path / "learners.csv",
        [
            ["Member ID", "E-mail", "Given name", "Family name", "Credentials"],
            [f"L{tag}-1", new, "Nadia", "Haddad", "MD"],
            [f"L{tag}-2", known, "Imani", "Okafor", "MD"],
            [f"L{tag}-3", "not an address", "Bad", "Row", "MD"],
        ],
    )
    upload(page, "learners", source, learners)
    preview = page.get_by_role("region", name="The file's first rows")
    headers = ["Row", "Member ID", "E-mail", "Given name", "Family name", "Credentials"]
    expect(preview.locator("thead th")).to_have_text(headers)
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview.locator("tbody tr").nth(2)).to_contain_text("not an address")
    page.get_by_label("The old portal’s id of the record").select_option("Member ID")
    page.get_by_label("Email", exact=True).select_option("E-mail")
    page.get_by_label("First name", exact=True).select_option("Given name")
    page.get_by_label("Last name", exact=True).select_option("Family name")
    page.get_by_label("Degree (MD, DO, RN…)").select_option("Credentials")
    expect(page.get_by_label("Phone", exact=True)).to_have_value("")  # "— not in this file —"
    assert axe_violations(page) == []
    check(page)
    expect(count(page, "Rows")).to_have_text("3")
    expect(count(page, "Would create")).to_have_text("1")
    expect(count(page, "Matched")).to_have_text("1")
    expect(count(page, "Problems")).to_have_text("1")
    problem = page.locator("#problems-table tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").nth(0)).to_have_text("4")  # the header is row 1
    expect(problem.locator("td").nth(1)).to_have_text("email")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the problems (CSV)").click()
    lines = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0] == ["Row", "Column", "Code", "Message"], lines
    assert [line[:2] for line in lines[1:]] == [["4", "email"]], lines
    assert axe_violations(page) == []

    commit(page)
    expect(count(page, "Created")).to_have_text("1")
    expect(count(page, "Matched")).to_have_text("1")


def import_activity(page: Any, tmp_path: Path, source: str, tag: str) -> None:
    """One activity in our own headers: matched already, checked and imported."""
    activities = write_csv(
        tmp_path / "activities.csv",
        [
            list(imports.COLUMNS["activities"]),
            [f"A{tag}", f"Grand Rounds {tag}", "live", "2019-03-01", "2019-03-01", "Main auditorium", "AMA_PRA_1:1.5"],
        ],
    )
    upload(page, "activities", source, activities)
    expect(page.get_by_label("Title", exact=True)).to_have_value("title")
    check(page)
    expect(count(page, "Would create")).to_have_text("1")
    commit(page)
    expect(count(page, "Created")).to_have_text("1")
    expect(page.get_by_role("button", name="Invite the new learners")).to_be_hidden()


def test_an_office_moves_in_through_the_import_page(page: Any, base_url: str, problems: Any, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    source = f"OldPortal {tag}"
    known = unique_email("import-known")  # has an account: the learners file matches them
    sign_up(base_url, known, PASSWORD)
    new = unique_email("import-new")  # has none: the import creates them, without a password

    journeys.sign_in(page, COORDINATOR, DEMO_PASSWORD)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Import")).to_be_visible()
    uploads: list[Any] = []  # the file goes from the browser straight to S3, not through the API
    page.on("requestfinished", lambda r: r.method == "POST" and not r.url.startswith(base_url) and uploads.append(r))
    import_learners(page, tmp_path, source, tag, new, known)
    assert len(uploads) == 1, [(r.method, r.url) for r in uploads]
    assert uploads[0].response().status in (200, 204)
    assert "multipart/form-data" in uploads[0].headers["content-type"]
    assert page.locator("#upload-bar").evaluate("bar => bar.value") == 100  # upload.onprogress filled it

    # a reload resumes the import where it is (its id is in the address)
    page.reload()
    expect(page.get_by_role("heading", name="Imported", exact=True)).to_be_visible()
    expect(count(page, "Created")).to_have_text("1")

    import_activity(page, tmp_path, source, tag)

    # the earlier imports, newest first; the learners import reopens from the list, and invites
    listed = page.locator("#imports-table tbody tr").filter(has_text=source)
    expect(listed).to_have_count(2)
    expect(listed.first).to_contain_text("Activities")
    expect(listed.first).to_contain_text("Done")
    listed.nth(1).get_by_role("link", name="Learners").click()
    expect(page.get_by_role("heading", name=f"Learners from {source}")).to_be_visible()
    expect(count(page, "Created")).to_have_text("1")
    page.get_by_role("button", name="Invite the new learners").click()
    expect(page.locator("#admin-status")).to_have_text(re.compile(r"^One invitation queued"))
    problems.assert_none("on the import page")


def test_invite_emails_the_learners_the_import_created(page: Any, base_url: str, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    known = unique_email("invite-known")
    sign_up(base_url, known, PASSWORD)
    new = unique_email("invite-new")
    journeys.sign_in(page, COORDINATOR, DEMO_PASSWORD)
    import_learners(page, tmp_path, f"Invite {tag}", tag, new, known)
    to_known = len(mails_to(page, known))
    page.get_by_role("button", name="Invite the new learners").click()
    expect(page.locator("#admin-status")).to_have_text(re.compile(r"^One invitation queued"))
    invitation = outbox_message(page, new)
    assert re.search(r"https?://\S+\?token=[A-Za-z0-9_-]+", invitation["text"]), invitation
    assert len(mails_to(page, known)) == to_known  # a matched learner has a password: no invitation


def test_imported_claims_reach_the_transcript(page: Any, base_url: str, problems: Any, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    source = f"Claims {tag}"
    known = unique_email("import-claims")
    sign_up(base_url, known, PASSWORD)
    journeys.sign_in(page, COORDINATOR, DEMO_PASSWORD)
    import_activity(page, tmp_path, source, tag)
    claims = write_csv(
        tmp_path / "claims.csv",
        [
            list(imports.COLUMNS["claims"]),
            [f"C{tag}", f"A{tag}", known, "AMA_PRA_1", "1.5", "2019-03-01", f"2019-{tag}"],
        ],
    )
    upload(page, "claims", source, claims)
    check(page)
    expect(count(page, "Problems")).to_have_text("0")
    expect(count(page, "Would create")).to_have_text("1")
    commit(page)
    expect(count(page, "Created")).to_have_text("1")
    problems.assert_none("on the import page")

    # the learner finds the imported claim on their transcript, marked with the portal it came from
    page.get_by_role("button", name="Sign Out").click()
    expect(page).to_have_url(re.compile(r"/index\.html$"))
    journeys.sign_in(page, known, PASSWORD)
    page.goto("/transcript.html")
    page.get_by_label("All time").check()  # completed in 2019: before the default period
    expect(page.get_by_text(f"Grand Rounds {tag}").first).to_be_visible()
    expect(page.get_by_text(f"Imported from {source}").first).to_be_visible()
    problems.assert_none("on the transcript")


def test_the_import_page_keyboard_only_at_390_px(page: Any, tmp_path: Path) -> None:
    """Every step is reached with the keyboard, and nothing is wider than a phone."""
    page.set_viewport_size({"width": 390, "height": 844})
    journeys.sign_in(page, COORDINATOR, DEMO_PASSWORD)
    path = write_csv(
        tmp_path / "people.csv",
        [["ID", "E-mail", "Given name", "Surname"], [f"K{uuid.uuid4().hex[:6]}", unique_email("kb"), "Ren", "Ito"]],
    )
    page.goto("/admin-imports.html")
    expect(page.get_by_label("What the file holds")).to_be_visible()  # shown once the list has loaded
    page.get_by_label("What the file holds").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("The portal it comes from")).to_be_focused()
    page.keyboard.type(f"Keyboard {uuid.uuid4().hex[:6]}")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Report the imported claims to the boards")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("The file (.csv or .xlsx)")).to_be_focused()
    # a file of another type is refused beside its field, before anything is sent
    notes = tmp_path / "notes.txt"
    notes.write_text("not a spreadsheet", encoding="utf-8")
    page.get_by_label("The file (.csv or .xlsx)").set_input_files(str(notes))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Upload")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Choose a .csv or .xlsx file.")
    expect(page.get_by_label("The file (.csv or .xlsx)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("The file (.csv or .xlsx)")).to_be_focused()
    page.get_by_label("The file (.csv or .xlsx)").set_input_files(str(path))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Upload")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible(timeout=JOB)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    region = page.get_by_role("region", name="The file's first rows")
    region.focus()  # the preview scrolls sideways, by keyboard too
    expect(region).to_be_focused()
    assert axe_violations(page) == []
    # a required column left out: the API's 422 marks it beside its list
    page.get_by_label("The old portal’s id of the record").select_option("ID")
    page.get_by_label("Email", exact=True).select_option("E-mail")
    page.get_by_label("First name", exact=True).select_option("Given name")
    page.get_by_label("Last name", exact=True).select_option("")
    page.get_by_role("button", name="Check the file").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("The column mapping needs fixing")
    expect(page.get_by_label("Last name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Last name", exact=True)).to_be_focused()
    page.get_by_label("Last name", exact=True).select_option("Surname")
    page.get_by_role("button", name="Check the file").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="The dry run: what importing would do")).to_be_focused(timeout=JOB)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []

    # committed meanwhile elsewhere (another tab): the page's Import is refused, said, and the page
    # shows the import as it is now
    import_id = page.url.split("import_id=")[1]
    assert page.request.post(f"/api/admin/imports/{import_id}/commit").status == 202
    page.get_by_role("button", name="Import these rows").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Import these rows?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()  # the safe answer first
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Import", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("This import is")
    expect(page.get_by_role("heading", name="Imported", exact=True)).to_be_visible(timeout=JOB)
    expect(page.get_by_role("button", name="Import these rows")).to_be_hidden()


def test_more_problems_pages_through_them(page: Any, tmp_path: Path) -> None:
    """The dry run shows its problems 100 at a time; More problems adds the next page."""
    tag = uuid.uuid4().hex[:6]
    rows = [["source_id", "email", "first_name", "last_name"]]
    rows += [[f"P{tag}-{n}", f"not an address {n}", "Bad", "Row"] for n in range(105)]
    path = write_csv(tmp_path / "bad.csv", rows)
    journeys.sign_in(page, COORDINATOR, DEMO_PASSWORD)
    upload(page, "learners", f"Paged {tag}", path)  # our own headers: matched already
    check(page)
    expect(count(page, "Problems")).to_have_text("105")
    table = page.locator("#problems-table tbody tr")
    expect(table).to_have_count(100)
    expect(table.first.locator("td").first).to_have_text("2")
    page.get_by_role("button", name="More problems").click()
    expect(table).to_have_count(105)
    expect(table.last.locator("td").first).to_have_text("106")
    expect(page.get_by_role("button", name="More problems")).to_be_hidden()
    expect(table.nth(100).locator("td").first).to_be_focused()  # the first row added

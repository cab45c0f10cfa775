"""Attendance by text message: an inbound text of an attendance code, and the one reply to it.

AWS End User Messaging SMS publishes each text sent to the office's number to an SNS topic
(two-way messaging); the function subscribed to it hands the message here. The sender is
found by the mobile number a learner confirmed on their profile (a code texted to it,
cme.identity.phones; the Learners table's sparse ``by_confirmed_phone`` index): a phone only
typed into a profile identifies no one (issue 22, finding 3).

- confirmed on one learner's profile: the code's activity, while open for sign-in, is attended
  under that learner's primary email (the same conditional put as sign-in at the event, so the
  same text twice records once), and the reply names the activity;
- on a profile but not confirmed there: the reply asks to confirm the number in the profile
  first (naming no one), and nothing is recorded;
- unknown (or, after a race, confirmed on several profiles): the reply is the
  sign-in-at-the-event link, and nothing else is sent or recorded;
- a wrong code, or an activity not open today: a reply saying so.

Texts are throttled per number (``TEXTS_PER_NUMBER`` per 15 minutes, every text counted);
over the limit there is no reply at all, so a flood (or two auto-responders answering each
other) costs one counter update per text and sends nothing. A number no profile confirmed
gets at most one reply a day (``STRANGER_REPLIES_PER_DAY``), and all such replies together at
most ``unknown_text_reply_cap`` an hour (template parameter UnknownTextReplyCap): past either,
no reply, so texts from many numbers cannot run up the office's bill. Keywords AWS answers
itself (STOP, HELP and their kin) get no reply from here either. Replies are short GSM-7 text
(one SMS segment: 160 characters). Logs carry the number masked, never whole.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from cme.platform import clock, texting, throttle
from cme.platform.errors import InvalidInput, TooManyAttempts
from cme.platform.models import Activity, AttendanceCode, Learner
from cme.platform.normalize import normalize_phone
from cme.platform.observability import logger
from cme.platform.settings import get_settings
from cme.publishing import activities
from cme.publishing.attendance import _new_attendance, record

TEXTS_PER_NUMBER = 10  # texts per number per 15 minutes (the throttle's window), then silence
STRANGER_REPLIES_PER_DAY = 1  # replies a day to one number no profile confirmed
CONFIRM_FIRST = "Confirm this number in your CME Portal profile first."
SEGMENT = 160  # characters of one GSM-7 SMS
CODE_MIN, CODE_MAX = 4, 12  # what a text must come to, to be read as a code (cme.publishing.activities)
# Keywords the carrier and AWS End User Messaging SMS answer themselves (opt-out, opt-in, help).
AWS_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPTIN", "HELP", "INFO", "START", "UNSTOP"}
)
SOURCE = "sms"  # Attendance.source (cme.publishing.attendance.SOURCE_LABELS: "Text message")

# GSM 03.38 basic character set: what one 160-character segment can carry.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
_TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "})


@dataclass(frozen=True)
class Inbound:
    """One inbound text as AWS End User Messaging SMS publishes it (the fields used here)."""

    origination_number: str
    destination_number: str
    body: str
    keyword: str = ""
    inbound_message_id: str = ""


@dataclass(frozen=True)
class Outcome:
    """What became of a text: ``kind`` for logs and tests, ``reply`` (None: nothing sent)."""

    kind: str  # recorded, already_recorded, unknown_number, unconfirmed_number, several_profiles, wrong_code, ...
    reply: str | None
    to: str | None = None
    activity_id: str | None = None


def mask(number: str) -> str:
    """A number as logs may show it: the last two digits only."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"***{digits[-2:]}" if len(digits) >= 4 else "***"


def gsm7(text: str) -> str:
    """``text`` in the GSM-7 basic set: straight quotes and dashes, accents dropped where the set
    lacks the letter, anything else as "?"."""
    out = []
    for ch in text.translate(_TYPOGRAPHIC):
        if ch in GSM7:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(c in GSM7 for c in base) else "?")
    return "".join(out)


def _fit(template: str, title: str) -> str:
    """``template`` with ``{title}`` filled in, the title shortened so the whole fits one segment."""
    room = SEGMENT - len(template.replace("{title}", ""))
    clean = gsm7(" ".join(title.split()))
    if len(clean) <= room:
        return template.replace("{title}", clean)
    clean = clean[: max(0, room - 3)].rstrip(" ,;:-.") + "..."
    return template.replace("{title}.", "{title}").replace("{title}", clean)  # no "...."


def _days(activity: Activity) -> str:
    first, last = (date.fromisoformat(day) for day in (activity.start_date, activity.end_date))
    when = f"{first:%B} {first.day}, {first.year}"
    if last != first:
        when += f" to {last:%B} {last.day}, {last.year}"
    return when


def recorded_reply(title: str) -> str:
    return _fit("Attendance recorded for {title}. Claim your credit in the CME Portal.", title)


def already_reply(title: str) -> str:
    return _fit("Already recorded: your attendance for {title}. Nothing more to do.", title)


def closed_reply(activity: Activity) -> str:
    return _fit(f"Sign-in for {{title}} is open only on {_days(activity)}.", activity.title)


def wrong_code_reply(code: str) -> str:
    if not code:
        return "Text only the attendance code shown at the event."
    return f"{code} is not an attendance code. Check the code shown at the event and text it again."


def link_reply(code: str) -> str:
    """The sign-in-at-the-event link (with the code filled in when the text looks like one)."""
    url = activities.attend_url(code) if code else f"{get_settings().site_url.rstrip('/')}/attend.html"
    return gsm7(f"We could not match this number to one CME Portal account. Sign in at the event: {url}")


def _code(body: str) -> str:
    """The code a text holds (4 to 12 ASCII letters and digits once spaces and dashes go, as
    activities allow), else ""."""
    code = activities.normalize_code(body)
    return code if CODE_MIN <= len(code) <= CODE_MAX and code.isascii() else ""


def _learners(phone_e164: str) -> set[str]:
    """The learners who confirmed this number: one Query of the sparse by_confirmed_phone index."""
    return {item.learner_id for item in Learner.by_confirmed_phone.query(phone_e164)}


def _on_a_profile(phone_e164: str) -> bool:
    """Whether any profile holds this number, confirmed or not (the by_phone index, Limit 1)."""
    return next(iter(Learner.by_phone.query(phone_e164, limit=1)), None) is not None


def _stranger(kind: str, reply: str, number: str) -> Outcome:
    """The reply to a number no profile confirmed, if the day's (per number) and the hour's
    (all such numbers) replies allow one; else no reply."""
    scopes = (
        throttle.Scope("sms:stranger-number", number, STRANGER_REPLIES_PER_DAY, throttle.DAY),
        throttle.Scope("sms:stranger-all", "all", get_settings().unknown_text_reply_cap, throttle.HOUR),
    )
    try:
        throttle.hit(*scopes)
    except TooManyAttempts:
        return Outcome(kind, None, number)
    return Outcome(kind, reply, number)


def _activity(code: str) -> Activity | None:
    if not code:
        return None
    try:
        activity = Activity.get(AttendanceCode.get(code).activity_id)
    except (AttendanceCode.DoesNotExist, Activity.DoesNotExist):
        return None
    return activity if activity.published else None


def handle(text: Inbound) -> Outcome:
    """Decide the reply to one inbound text, recording attendance when it is a good one."""
    settings = get_settings()
    try:
        number = normalize_phone(text.origination_number, settings.default_phone_region)
    except InvalidInput:
        return Outcome("not_a_phone_number", None)  # a short code or an alphanumeric sender: no one to answer
    if activities.normalize_code(text.body) in AWS_KEYWORDS:
        return Outcome("aws_keyword", None, number)  # AWS End User Messaging SMS answers these itself
    try:
        throttle.hit(throttle.Scope("sms:number", number, TEXTS_PER_NUMBER))
    except TooManyAttempts:
        return Outcome("throttled", None, number)
    code = _code(text.body)
    learners = _learners(number)
    if len(learners) > 1:  # two confirmations raced past PHONE_TAKEN: the number names no one
        return _stranger("several_profiles", link_reply(code), number)
    if not learners:
        if _on_a_profile(number):
            return _stranger("unconfirmed_number", CONFIRM_FIRST, number)
        return _stranger("unknown_number", link_reply(code), number)
    # the index may lag its table: the learner itself, read by key, holds the exact primary email
    try:
        learner = Learner.get(next(iter(learners)), consistent_read=True)
    except Learner.DoesNotExist:
        return _stranger("unknown_number", link_reply(code), number)
    if learner.phone_e164 != number or learner.confirmed_phone != number:
        return _stranger("unconfirmed_number", CONFIRM_FIRST, number)
    activity = _activity(code)
    if activity is None:
        return Outcome("wrong_code", wrong_code_reply(code), number)
    if not activities.is_open_for_sign_in(activity, clock.office_today()):
        return Outcome("closed", closed_reply(activity), number, activity.activity_id)
    row = _new_attendance(activity.activity_id, learner.email, learner.first_name, learner.last_name, SOURCE)
    if not record(row):  # the row with its email's EmailAttendance item, in one transaction
        return Outcome("already_recorded", already_reply(activity.title), number, activity.activity_id)
    activities.add_to_count(activity.activity_id, "attendance_count")
    return Outcome("recorded", recorded_reply(activity.title), number, activity.activity_id)


def receive(text: Inbound) -> Outcome:
    """One inbound text, end to end: the outcome, and its reply sent when there is one."""
    configured = get_settings().sms_number.strip()
    if not configured:
        logger.warning("text received but no SMS number is configured: not answered")
        return Outcome("texting_off", None)
    if text.destination_number and text.destination_number != configured:
        logger.warning("text received for another number than SMS_NUMBER", extra={"to": mask(text.destination_number)})
    outcome = handle(text)
    logger.info(
        "text received",
        extra={
            "outcome": outcome.kind,
            "from": mask(text.origination_number),
            "activity_id": outcome.activity_id,
            "inbound_message_id": text.inbound_message_id,
            "replied": outcome.reply is not None,
        },
    )
    if outcome.reply is not None and outcome.to is not None:
        texting.send(outcome.to, outcome.reply)
    return outcome

"""Email through SES: Jinja2 templates (HTML autoescaped, plus plain text), one MIME message."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cme.platform import aws, pacing
from cme.platform.errors import ServiceUnavailable
from cme.platform.observability import logger
from cme.platform.settings import get_settings

if TYPE_CHECKING:
    from jinja2 import Environment

    from cme.platform.pacing import Pacer

TEMPLATES = Path(__file__).parent / "templates"

#: SES's mailbox simulator: SES accepts mail to it and delivers it nowhere (it works in the
#: sandbox too). Such mail counts against the send rate but not the daily quota, touches no
#: reputation metric, and is billed as any email (SES Developer Guide, "Testing email sending").
#: A reset request for no account sends its decoy here (cme.identity.recovery).
NOWHERE = "success@simulator.amazonses.com"


@lru_cache(maxsize=2)
def _environment(html: bool) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,  # noqa: S701 - on for HTML; the plain-text part is not markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of ``template`` with the office's name, help address and site."""
    settings = get_settings()
    full = {
        "office_name": settings.office_name,
        "help_email": settings.help_email,
        "site_url": settings.site_url.rstrip("/"),
        **context,
    }
    subject = _environment(False).get_template(f"{template}.subject.txt").render(full).strip()
    text = _environment(False).get_template(f"{template}.txt").render(full)
    html = _environment(True).get_template(f"{template}.html").render(full)
    return " ".join(subject.split()), text, html


def build(
    to: str, template: str, context: dict[str, Any], attachments: list[tuple[str, str, bytes]] | None = None
) -> EmailMessage:
    settings = get_settings()
    subject, text, html = render(template, context)
    message = EmailMessage()
    message["From"] = formataddr((settings.office_name, settings.mail_from))
    message["To"] = to
    message["Reply-To"] = settings.help_email
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=settings.mail_from.partition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for filename, media_type, data in attachments or []:
        maintype, _, subtype = media_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def send(
    to: str,
    template: str,
    context: dict[str, Any],
    attachments: list[tuple[str, str, bytes]] | None = None,
    *,
    pacer: Pacer | None = None,
) -> None:
    """Send one email (attachments as (file name, media type, bytes)); raise ServiceUnavailable
    (and log why) when SES refuses or fails.

    Bulk mail passes ``pacer`` (cme.platform.pacing): the call waits for its slot within the send rate,
    and SES throttling is retried there, paced; ``pacing.OutOfTime`` is raised when the
    invocation has no time left for it."""
    from botocore.exceptions import BotoCoreError, ClientError

    settings = get_settings()
    message = build(to, template, context, attachments)
    request: dict[str, Any] = {
        "Source": settings.mail_from,
        "Destinations": [to],
        "RawMessage": {"Data": message.as_bytes()},
    }
    if settings.mail_configuration_set:  # its event destination reports bounces and complaints
        request["ConfigurationSetName"] = settings.mail_configuration_set
    try:
        if pacer is None:
            aws.client("ses").send_raw_email(**request)
        else:
            ses = aws.client("ses", attempts=1)  # the pacer retries, paced
            pacer.call(lambda: ses.send_raw_email(**request), template)
    except (ClientError, BotoCoreError) as exc:
        error_code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else None
        extra = {"template": template, "ses_error": error_code or type(exc).__name__}
        if pacing.quota_exceeded(exc):
            extra["reason"] = "daily sending quota exceeded"
        logger.error("email not sent", extra=extra)
        raise ServiceUnavailable(
            "EMAIL_UNAVAILABLE",
            "We could not send the email just now, and nothing was saved. Please try again in a minute.",
        ) from exc
    logger.info("email sent", extra={"template": template})

"""Certificates: made once (on the first download), kept as issued in the private, versioned
documents bucket, handed out as short-lived pre-signed links, and publicly verifiable.

A certificate shows the degree and credit of its claim (the degree the claim was made under,
never the learner's degree of today) and the learner's current name. A name correction makes
the certificate a new version (a new code; its PDF is a new S3 version at the next download);
the old code stays verifiable and answers ``status: "replaced"`` with the day it was replaced.
The replacement is made at the next download or the next verification of the old code,
whichever comes first, so a certificate printed under a name the account no longer has never
verifies as current.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from cme.platform import clock, documents, queues, retry, throttle
from cme.platform.errors import NotFound, ServiceUnavailable, sign_in_required
from cme.platform.models import Activity, Certificate, Claim, Learner, get_many
from cme.platform.models.tables import ClaimLine
from cme.platform.observability import logger
from cme.platform.schemas import CreditType
from cme.platform.settings import get_settings
from cme.publishing import activities
from cme.rules import credit


def printed_name(learner: Learner) -> str:
    return f"{learner.first_name} {learner.last_name}"


def printed_with_degree(claim: Claim, learner: Learner) -> str:
    """The learner's name as of now, with the degree of the claim (as of the claim)."""
    return credit.name_with_degree(learner.first_name, learner.last_name, claim.degree)


def completion_text(claim: Claim, activity_format: str | None = None) -> str:
    """The certificate's date: a live activity's date(s); for a self-paced one (an enduring
    material), the day the learner completed it, never the material's availability window."""
    fmt = activity_format or claim.activity_format
    if fmt and credit.is_self_paced(fmt):
        day = credit.claim_completed_on(claim, clock.local_date(claim.claimed_at))
        return f"completed {day:%B %-d, %Y}"
    return date_range(claim.activity_start, claim.activity_end)


def certificate_lines(certificate: Certificate) -> list[dict[str, Any]]:
    """A certificate record's lines as verification shows them (a record from before lines: one)."""
    stored = [(x.credit_type, float(x.credits)) for x in certificate.lines or []]
    pairs = stored or [(certificate.credit_type, float(certificate.credits))]
    return [{"credit_type": t, "credits": n, "label": credit.label(t)} for t, n in pairs]


def record(claim: Claim, learner: Learner, code: str) -> Certificate:
    """The certificate's record, verifiable at once; its PDF is made on the first download."""
    lines = credit.claim_lines(claim)
    return Certificate(
        code,
        learner_id=claim.learner_id,
        claim_id=claim.claim_id,
        activity_id=claim.activity_id,
        learner_name=printed_with_degree(claim, learner),
        activity_title=claim.activity_title,
        activity_date=completion_text(claim),
        credit_type=claim.credit_type,
        credits=float(claim.credits),
        lines=[ClaimLine(credit_type=x.credit_type.value, credits=x.credits) for x in lines],
        issued_at=clock.now(),
        s3_key="",
    )


def verify_url(code: str) -> str:
    return f"{get_settings().site_url.rstrip('/')}/verify.html?{urlencode({'code': code})}"


def date_range(start: str, end: str) -> str:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if first == last:
        return f"{first:%B %-d, %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B %-d}–{last:%-d, %Y}"
    return f"{first:%B %-d, %Y} – {last:%B %-d, %Y}"


def file_name(claim: Claim) -> str:
    """ "CME-certificate-<start>-<title>.pdf"; a pharmacist's or technician's ACPE credit is a record
    of participation, never a certificate of credit: "CPE-record-of-participation-<start>-<title>.pdf"."""
    title = documents.slug(claim.activity_title, 50) or "activity"
    first = credit.claim_lines(claim)[0].credit_type
    kind = "CPE-record-of-participation" if first == CreditType.ACPE else "CME-certificate"
    return f"{kind}-{claim.activity_start}-{title}.pdf"


def _find_claim(learner_id: str, claim_id: str, consistent: bool = False) -> Claim:
    """The caller's own claim; anyone else's claim id is simply not found (404)."""
    for claim in Claim.live(learner_id, filter_condition=Claim.claim_id == claim_id, consistent_read=consistent):
        return claim
    raise NotFound("NOT_FOUND", "There is no such claim on your account.")


def _render(claim: Claim, learner: Learner, activity: Activity, code: str, original_number: str | None = None) -> bytes:
    from cme.records.pdf import signature
    from cme.records.pdf.certificate import CertificateData, render  # fpdf2 only where a PDF is made

    settings = get_settings()
    designated = {c.type: float(c.max) for c in activity.credits}
    return render(
        CertificateData(
            learner_name=printed_name(learner),
            degree=claim.degree,
            activity_title=claim.activity_title,
            activity_dates=completion_text(claim, activity.format),
            format=activity.format,
            location=activity.location,
            credit_type=claim.credit_type,
            credits=float(claim.credits),
            ama_max=designated.get("AMA_PRA_1"),
            type_max=designated.get(claim.credit_type, float(claim.credits)),
            lines=tuple(credit.claim_lines(claim)),
            designated=designated,
            jointly_accredited=settings.jointly_accredited,
            uan=activities.uans(activity).for_degree(claim.degree),  # the UAN of the learner's audience
            nabp_eprofile_id=claim.nabp_eprofile_id,
            participated_on=credit.claim_completed_on(claim, clock.local_date(claim.claimed_at)),
            aapa_valid_until=_day(getattr(activity, "aapa_valid_until", None)),
            provider_name=settings.provider_name,
            provider_address=settings.provider_address,
            director_name=settings.cme_director_name,
            director_title=settings.cme_director_title,
            signature_image=signature.image(),  # template parameter SignatureImageKey, read once
            code=code,
            verify_url=verify_url(code),
            issued_on=clock.local_date(clock.now()),
            imported_from=claim.source_name if claim.source == "imported" else None,
            original_number=original_number,
        )
    )


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _store(
    claim: Claim, learner: Learner, activity: Activity, code: str, original_number: str | None = None
) -> tuple[str, str | None]:
    """Render the PDF and keep it; returns the S3 key and version. An imported claim's is ours
    too: the normal certificate, saying where the claim came from and the number the old portal
    printed (``original_number``), verifying under its namespaced code."""
    key = f"certificates/{claim.learner_id}/{claim.claim_id}.pdf"
    version = documents.store(
        key,
        _render(claim, learner, activity, code, original_number),
        "application/pdf",
        what="certificate",
        doing="prepare your certificate",
        metadata={"certificate-code": code},
        context={"claim_id": claim.claim_id},
    )
    return key, version


def _first_pdf(claim: Claim, learner: Learner, activity: Activity, certificate: Certificate) -> Certificate:
    """The claim's certificate, recorded at claim time, gets its PDF (once)."""
    key, version = _store(claim, learner, activity, certificate.certificate_code, certificate.original_number)
    version_action = Certificate.s3_version.set(version) if version else Certificate.s3_version.remove()
    retry.call(
        lambda: certificate.update(
            actions=[Certificate.s3_key.set(key), version_action], condition=Certificate.s3_key == ""
        ),
        "certificate pdf",
    )
    logger.info("certificate issued", extra={"claim_id": claim.claim_id})
    return certificate


def _reissue(claim: Claim, learner: Learner, previous: Certificate) -> Certificate:
    """A new certificate record after a name correction (its PDF is made at the next download);
    the previous one stays, marked replaced by it, and when."""
    code = credit.certificate_code()
    certificate = record(claim, learner, code)

    def build(tx: TransactWrite) -> None:
        tx.save(certificate, condition=Certificate.certificate_code.does_not_exist())
        tx.update(
            previous,
            actions=[Certificate.superseded_by.set(code), Certificate.replaced_at.set(certificate.issued_at)],
            condition=Certificate.superseded_by.does_not_exist(),
        )
        tx.update(
            claim,
            actions=[Claim.certificate_code.set(code)],
            condition=Claim.certificate_code == previous.certificate_code,
        )

    retry.transact(build, "certificate reissue")
    claim.certificate_code = code
    logger.info("certificate reissued", extra={"claim_id": claim.claim_id})
    return certificate


def current(learner_id: str, claim_id: str) -> tuple[Claim, Certificate]:
    """The certificate to hand out now: its PDF made on first request, reissued after a name change."""
    claim = _find_claim(learner_id, claim_id)
    learner, activity, certificate = get_many(
        Learner(learner_id), Activity(claim.activity_id), Certificate(claim.certificate_code)
    )
    if not isinstance(learner, Learner):
        raise sign_in_required()
    if not isinstance(activity, Activity):
        raise NotFound("NOT_FOUND", "The activity of this claim is gone.")
    if not isinstance(certificate, Certificate):  # a claim from before certificates were recorded at claim time
        certificate = record(claim, learner, claim.certificate_code)
        missing = certificate
        retry.call(lambda: missing.save(condition=Certificate.certificate_code.does_not_exist()), "certificate record")
    for _ in range(3):
        try:
            if certificate.learner_name != printed_with_degree(claim, learner):
                certificate = _reissue(claim, learner, certificate)
            if not certificate.s3_key:
                certificate = _first_pdf(claim, learner, activity, certificate)
            return claim, certificate
        except (TransactWriteError, UpdateError, PutError):
            # a double click (or a verification of the old code) issued it meanwhile: go on from what is recorded now
            claim = _find_claim(learner_id, claim_id, consistent=True)
            certificate = Certificate.get(claim.certificate_code, consistent_read=True)
    if not certificate.s3_key:
        raise ServiceUnavailable(
            "CERTIFICATE_BUSY", "Your certificate is being prepared. Please try again in a moment.", retry_after=2
        )
    return claim, certificate


def download_link(learner_id: str, claim_id: str) -> tuple[str, int]:
    """A pre-signed GET of the certificate PDF (the version issued), made per request, valid a few minutes."""
    claim, certificate = current(learner_id, claim_id)
    return documents.link(certificate.s3_key, file_name(claim), "application/pdf", certificate.s3_version)


def _replaced_if_renamed(certificate: Certificate) -> Certificate:
    """A current certificate whose name is no longer the account's (or whose degree is not its
    claim's) is replaced now, as the next download would: it never verifies as current."""
    learner, claim = get_many(Learner(certificate.learner_id), Claim(certificate.learner_id, certificate.activity_id))
    if not isinstance(learner, Learner) or not isinstance(claim, Claim):
        return certificate
    if claim.certificate_code != certificate.certificate_code:  # a reissue in flight
        return Certificate.get(certificate.certificate_code, consistent_read=True)
    if certificate.learner_name == printed_with_degree(claim, learner):
        return certificate
    try:
        _reissue(claim, learner, certificate)
    except TransactWriteError:
        logger.info("certificate reissued meanwhile", extra={"claim_id": claim.claim_id})
    return Certificate.get(certificate.certificate_code, consistent_read=True)


def _replaced_on(certificate: Certificate) -> date:
    """The office's day the certificate was replaced (records from before ``replaced_at``:
    the day its replacement was issued)."""
    when = certificate.replaced_at
    if when is None and certificate.superseded_by:
        try:
            when = Certificate.get(certificate.superseded_by).issued_at
        except Certificate.DoesNotExist:
            when = None
    return clock.local_date(when or certificate.issued_at)


#: the longest code verification looks up: ours are 12 (CERTIFICATE_CODE_LENGTH; older ones up to
#: 20); an imported certificate's is the old portal's number namespaced by its name (cme.rules.imports)
MAX_CODE_LENGTH = 64


def verify(code_text: str, client: str) -> dict[str, Any]:
    """Public facts of a certificate (no email, no phone); 404 for an unknown code.

    ``status`` is ``current`` (``valid: true``), ``replaced`` (``valid: false``, with
    ``replaced_on`` and the code of the certificate that replaced it) or ``revoked`` (``valid:
    false``, with ``revoked_on``: the office revoked its claim, cme.credit.revocation)."""
    throttle.hit(throttle.Scope("verify:client", client, get_settings().verify_per_client))
    code = activities.normalize_code(code_text)
    try:
        certificate = Certificate.get(code) if 6 <= len(code) <= MAX_CODE_LENGTH else None
    except Certificate.DoesNotExist:
        certificate = None
    if certificate is None:
        raise NotFound("NOT_FOUND", "No certificate has this code. Check the code on the certificate.")
    if certificate.superseded_by is None and certificate.revoked_at is None:
        certificate = _replaced_if_renamed(certificate)
    replaced = certificate.superseded_by is not None
    revoked = certificate.revoked_at is not None
    return {
        "valid": not replaced and not revoked,
        "status": "revoked" if revoked else "replaced" if replaced else "current",
        "replaced_on": _replaced_on(certificate) if replaced else None,
        "revoked_on": clock.local_date(certificate.revoked_at) if certificate.revoked_at else None,
        "certificate_code": certificate.certificate_code,
        "learner_name": certificate.learner_name,
        "activity_title": certificate.activity_title,
        "activity_date": certificate.activity_date,
        "credit_type": certificate.credit_type,
        "credits": float(certificate.credits),
        "lines": certificate_lines(certificate),
        "issued_at": certificate.issued_at.isoformat(),
        "superseded": certificate.superseded_by is not None,
        "superseded_by": certificate.superseded_by,
        "imported_from": certificate.source_name,
        "original_number": certificate.original_number,
    }


def completed_on(claim: Claim) -> date:
    """The claim's completion date (cme.rules.credit.claim_completed_on)."""
    return credit.claim_completed_on(claim, clock.local_date(claim.claimed_at))


def replace_renamed(learner_id: str) -> list[tuple[str, str]]:
    """After the office corrects a learner's name: every current certificate printed under
    another name is replaced now (a new code; the old one verifies as replaced), as the next
    download or verification would. Returns (old code, new code) pairs. One Query of the claims,
    one BatchGetItem of the learner and the certificates (per 99), one transaction per
    certificate replaced."""
    claims = list(Claim.live(learner_id, consistent_read=True))
    replaced: list[tuple[str, str]] = []
    for start in range(0, len(claims), 99):
        batch = claims[start : start + 99]
        found = get_many(Learner(learner_id), *(Certificate(c.certificate_code) for c in batch))
        learner = next((x for x in found if isinstance(x, Learner)), None)
        if learner is None:
            return replaced
        issued = {x.certificate_code: x for x in found if isinstance(x, Certificate)}
        for claim in batch:
            old = issued.get(claim.certificate_code)
            if old is None or old.superseded_by is not None or old.learner_name == printed_with_degree(claim, learner):
                continue  # not recorded yet (made at its first download, under the name of then), or current
            try:
                new = _reissue(claim, learner, old)
            except TransactWriteError:
                logger.info("certificate reissued meanwhile", extra={"claim_id": claim.claim_id})
                continue
            replaced.append((old.certificate_code, new.certificate_code))
    return replaced


# ------------------------------------------------------------------ by email (issue 24)


def email(task: dict[str, Any]) -> bool:
    """Email the learner the certificate of a new claim (``task``: learner_id, claim_id), its PDF
    attached: made now if not yet (``current``), read back from the documents bucket. False when
    there is nothing to send (the claim or the account is gone, or SES reported the address
    undeliverable); a failure raises, so SQS delivers the message again."""
    from cme.identity import deliverability
    from cme.platform import mail
    from cme.platform.errors import NotAuthenticated

    try:
        claim, certificate = current(task["learner_id"], task["claim_id"])
    except (NotFound, NotAuthenticated):
        logger.info("certificate email skipped: the claim is gone", extra={"claim_id": task["claim_id"]})
        return False
    learner = Learner.get(claim.learner_id)
    if deliverability.undeliverable(learner.email):
        logger.info("certificate email skipped: email undeliverable", extra={"claim_id": claim.claim_id})
        return False
    pdf = documents.read(certificate.s3_key, what="certificate", doing="email your certificate").body
    site = get_settings().site_url.rstrip("/")
    mail.send(
        learner.email,
        "certificate",
        {
            "first_name": learner.first_name,
            "title": claim.activity_title,
            "credits": [f"{line.credits:g} {credit.label(line.credit_type)}" for line in credit.claim_lines(claim)],
            "code": certificate.certificate_code,
            "verify_link": verify_url(certificate.certificate_code),
            "portal_link": f"{site}/portal.html",
        },
        attachments=[(file_name(claim), "application/pdf", pdf)],
    )
    logger.info("certificate emailed", extra={"claim_id": claim.claim_id})
    return True


def idempotent_email(task: dict[str, Any], lambda_context: Any = None) -> bool:
    """``email`` at most once per claim: a redelivered message (a failure after the send, or SQS's
    at-least-once delivery) replays the record instead of emailing again (Powertools
    idempotency keyed on the claim id, kept 400 days)."""
    return queues.at_most_once(email, task, "[learner_id, claim_id]", lambda_context)

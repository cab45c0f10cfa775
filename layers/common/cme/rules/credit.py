"""Credit facts, in one place (docs/domain.md "Credit", docs/domain.md "Certificate content",
docs/domain.md "Several credits from one activity", docs/domain.md "Completion date";
docs/architecture.md "One place for each fact").

Every credit type's wording (label, unit, headline, award line, statement) and who may claim it;
what a learner may claim of an activity's designations and the checks of one claimed line; the
name with degree as certificates print it; the certificate code; the completion date. Claims,
certificates, transcripts, both PDFs, the CSVs and the emails take their wording from here, and
the web through ``GET /api/credit-types``.

Pure: no AWS call, no settings read; callers pass what they know (provider name, office day).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from cme.platform.errors import InvalidInput
from cme.platform.schemas import (
    ActivityFormat,
    ActivityFormatOut,
    Credit,
    CreditType,
    CreditTypeOut,
    Degree,
    DegreeOut,
)

# No 0/O, 1/I/L: a code read off a certificate, a projector or a phone is typed right the first
# time. Certificate codes and activities' attendance codes both use it.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CERTIFICATE_CODE_LENGTH = 12

# Who is who (docs/domain.md "Degrees and who claims what"): the one list of degrees is the
# ``Degree`` enum; DEGREE_LABEL words each, in the order the account and profile forms list them
# (GET /api/credit-types serves it as ``degrees``).
PHYSICIANS = frozenset({"MD", "DO"})
PAS = frozenset({"PA-C"})
NURSES = frozenset({"RN", "NP", "APRN", "CRNA", "LPN"})  # ANCC contact hours are nursing CE, LPNs' too
PHARMACISTS = frozenset({"PharmD", "RPh"})  # ACPE credit under the activity's -P UAN
TECHNICIANS = frozenset({"CPhT"})  # ACPE credit under the activity's -T UAN
EVERYONE = frozenset(d.value for d in Degree)
DEGREE_LABEL: dict[str, str] = {
    Degree.MD: "MD (physician)",
    Degree.DO: "DO (physician)",
    Degree.PA_C: "PA-C (physician assistant)",
    Degree.APRN: "APRN (advanced practice registered nurse)",
    Degree.NP: "NP (nurse practitioner)",
    Degree.CRNA: "CRNA (certified registered nurse anesthetist)",
    Degree.RN: "RN (registered nurse)",
    Degree.LPN: "LPN (licensed practical nurse)",
    Degree.PHARMD: "PharmD (pharmacist)",
    Degree.RPH: "RPh (pharmacist)",
    Degree.CPHT: "CPhT (pharmacy technician)",
    Degree.PHD: "PhD",
    Degree.OTHER: "Other",
}

# How a certificate and the AMA statement name an activity's format; which formats are self-paced.
FORMAT_WORDS = {"live": "live activity", "enduring": "enduring material", "rss": "live activity"}
# Each format's label (docs/domain.md "Completion date"): certificates print it, and the web
# takes it from GET /api/credit-types (``formats()``), never from a copy of its own.
FORMAT_LABEL: dict[str, str] = {
    ActivityFormat.LIVE: "Live activity",
    ActivityFormat.ENDURING: "Enduring material",
    ActivityFormat.RSS: "Regularly scheduled series session",
}
SELF_PACED_FORMATS = frozenset({"enduring"})

STEP = 0.25  # credit is designated and claimed in quarters


@dataclass(frozen=True)
class CreditKind:
    """The wording of one credit type. ``statement`` is the designation/accreditation text with
    ``{provider}``, ``{n}`` (the designated maximum), ``{credits}`` (the word, singular or
    plural, for ``{n}``), ``{activity}`` (the format's words), ``{awarded}`` (the amount this
    certificate awards) and ``{address}`` (the provider's) to fill."""

    type: CreditType
    label: str  # "AMA PRA Category 1 Credit™": a column, a total, a choice in the claim form
    label_one: str  # after an amount of exactly 1: "1.0 AMA PRA Category 1 Credit™" (``counted``)
    label_other: str  # after any other amount: "1.5 AMA PRA Category 1 Credits™"
    unit: str  # "credits", "contact hours", "MOC points": what the number counts (plural)
    unit_one: str  # the same, singular
    short: str  # "AMA": where room is scarce (a chart's legend)
    headline: str  # the certificate's title
    # what the certificate's award sentence says is earned (``award_sentences`` makes the sentence):
    # {n} the amount, {unit} unit_one for exactly 1, else unit
    award: str
    statement: str
    claimants: frozenset[str]  # the degrees that may claim it
    moc_board: str | None = None  # "ABIM" for ABIM_MOC: the board MOC points are reported to
    whole: bool = False  # the board awards the activity's whole amount: no partial claim
    # the board takes a completion only this many days after the date of participation, whatever
    # the activity's claim window (ACPE: CPE Monitor, 60); None: the activity's window alone
    closes_after_days: int | None = None
    # what a learner whose own credit this is attests when claiming, after "I attest that I
    # participated in this activity." ("": nothing more; ``attestation``)
    attestation: str = ""
    # how the first award sentence says it ("Ana Ruiz, MD is awarded ..."): a record of participation
    # (ACPE) awards nothing itself, its learner "has completed" the hours (CPE Monitor awards them)
    verb: str = "is awarded"


# The AMA's attestation sentence (its designation statement's second sentence): a physician's.
AMA_ATTESTATION = (
    "Physicians should claim only the credit commensurate with the extent of their participation in the activity."
)


def _possessive(name: str) -> str:
    """ "American Board of Internal Medicine's", "American Board of Pediatrics'" (ABP's own spelling)."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _moc(board: str, name: str, points: str, program: str, who: str = "participant") -> str:
    """ACCME's "CME for MOC" statement (docs/domain.md "Certificate content"): ABIM's says
    "participant", ABP's "learner"; both end "for the purpose of granting <board> MOC credit"."""
    return (
        "Successful completion of this CME activity, which includes participation in the evaluation component, "
        f"enables the {who} to earn up to {{n}} {points} in the {_possessive(name)} ({board}) {program} program. "
        f"It is the CME activity provider's responsibility to submit {who} completion information to ACCME "
        f"for the purpose of granting {board} MOC credit."
    )


def _moc_kind(
    kind: CreditType,
    board: str,
    name: str,
    program: str,
    points: str = "MOC points",
    whole: bool = False,
    who: str = "participant",
) -> CreditKind:
    return CreditKind(
        type=kind,
        label=f"{board} MOC points",
        label_one=f"{board} MOC point",
        label_other=f"{board} MOC points",
        unit=points,
        unit_one=points.removesuffix("s"),
        short=f"{board} MOC",
        headline="Certificate of MOC Points",
        award=f"{{n}} {{unit}} in the {_possessive(name)} {program} program",
        statement=_moc(board, name, points, program, who),
        claimants=PHYSICIANS,
        moc_board=board,
        whole=whole,
        attestation=AMA_ATTESTATION,
    )


# AAPA's statement (docs/domain.md "Certificate content"): a jointly accredited provider's
# authorization sentence, or the AAPA Review Panel's for an activity AAPA reviewed itself; the
# approval's last day from the activity (``aapa_valid_until``); PAs' attestation sentence.
AAPA_AUTHORIZATION = (
    "{provider} has been authorized by the American Academy of PAs (AAPA) to award AAPA Category 1 CME credit for "
    "activities planned in accordance with AAPA CME Criteria."
)
AAPA_REVIEWED = "This activity has been reviewed by the AAPA Review Panel and is compliant with AAPA CME Criteria."
AAPA_VALIDITY = " Approval is valid until {day:%B} {day.day}, {day.year}."
AAPA_ATTESTATION = "PAs should only claim credit commensurate with the extent of their participation."

KINDS: dict[CreditType, CreditKind] = {
    kind.type: kind
    for kind in (
        CreditKind(
            type=CreditType.AMA_PRA_1,
            label="AMA PRA Category 1 Credit™",
            label_one="AMA PRA Category 1 Credit™",
            label_other="AMA PRA Category 1 Credits™",
            unit="AMA PRA Category 1 Credits™",
            unit_one="AMA PRA Category 1 Credit™",
            short="AMA",
            headline="Certificate of Credit",
            award="{n} {unit}",
            statement="{provider} designates this {activity} for a maximum of {n} AMA PRA Category 1 {credits}™. "
            + AMA_ATTESTATION,
            claimants=PHYSICIANS,
            attestation=AMA_ATTESTATION,
        ),
        _moc_kind(
            CreditType.ABIM_MOC,
            "ABIM",
            "American Board of Internal Medicine",
            "Maintenance of Certification (MOC)",
            "Medical Knowledge MOC points",
        ),
        _moc_kind(CreditType.ABA_MOC, "ABA", "American Board of Anesthesiology", "MOCA 2.0®", "MOCA 2.0® points"),
        _moc_kind(
            CreditType.ABP_MOC,
            "ABP",
            "American Board of Pediatrics",
            "Maintenance of Certification (MOC)",
            whole=True,
            who="learner",
        ),
        _moc_kind(CreditType.ABS_MOC, "ABS", "American Board of Surgery", "Continuous Certification"),
        _moc_kind(
            CreditType.ABPATH_MOC, "ABPath", "American Board of Pathology", "Continuing Certification", "MOC credits"
        ),
        _moc_kind(CreditType.ABO_MOC, "ABO", "American Board of Ophthalmology", "Continuing Certification"),
        _moc_kind(
            CreditType.ABOTO_MOC,
            "ABOHNS",
            "American Board of Otolaryngology – Head and Neck Surgery",
            "Continuing Certification",
        ),
        CreditKind(
            type=CreditType.ANCC,
            label="ANCC contact hours",
            label_one="ANCC contact hour",
            label_other="ANCC contact hours",
            unit="nursing contact hours",
            unit_one="nursing contact hour",
            short="ANCC",
            headline="Certificate of Completion",
            award="{n} {unit} (ANCC)",
            statement=(
                "{provider} is accredited as a provider of nursing continuing professional development by the "
                "American Nurses Credentialing Center's Commission on Accreditation. "
                "Contact hours awarded: {awarded}. {provider}, {address}."
            ),
            claimants=NURSES,
            attestation=(
                "Nurses should claim only the contact hours commensurate with the extent of their participation in "
                "the activity."
            ),
        ),
        CreditKind(
            type=CreditType.ACPE,
            label="ACPE contact hours",
            label_one="ACPE contact hour",
            label_other="ACPE contact hours",
            unit="contact hours",
            unit_one="contact hour",
            short="ACPE",
            # ACPE credit is awarded only through CPE Monitor: a provider hands out a record of
            # participation, never a statement of credit (docs/domain.md "Pharmacists and technicians")
            headline="Record of Participation",
            award="{n} {unit} of continuing pharmacy education (ACPE)",
            verb="has completed",
            statement=(
                "{provider} is accredited by the Accreditation Council for Pharmacy Education as a provider of "
                "continuing pharmacy education."
            ),
            claimants=PHARMACISTS | TECHNICIANS,
            whole=True,
            closes_after_days=60,
        ),
        CreditKind(
            type=CreditType.AAPA_1,
            label="AAPA Category 1 CME credits",
            label_one="AAPA Category 1 CME credit",
            label_other="AAPA Category 1 CME credits",
            unit="AAPA Category 1 CME credits",
            unit_one="AAPA Category 1 CME credit",
            short="AAPA",
            headline="Certificate of Credit",
            award="{n} {unit}",
            # {authorization} (AAPA_AUTHORIZATION) and {valid_until} (AAPA_VALIDITY) are filled by ``statement``
            statement=(
                "{authorization} This activity is designated for {n} AAPA Category 1 CME {credits}.{valid_until} "
                + AAPA_ATTESTATION
            ),
            claimants=PAS,
            attestation=AAPA_ATTESTATION,
        ),
        CreditKind(
            type=CreditType.IPCE,
            label="IPCE credits",
            label_one="IPCE credit",
            label_other="IPCE credits",
            unit="Interprofessional Continuing Education (IPCE) credits",
            unit_one="Interprofessional Continuing Education (IPCE) credit",
            short="IPCE",
            headline="Certificate of Credit",
            award="{n} {unit}",
            statement=(
                "This activity was planned by and for the healthcare team, and learners will receive {n} "
                "Interprofessional Continuing Education (IPCE) {credits} for learning and change."
            ),
            claimants=EVERYONE,
        ),
        CreditKind(
            type=CreditType.PARTICIPATION,
            label="Hours of participation",
            label_one="hour of participation",
            label_other="hours of participation",
            unit="hours",
            unit_one="hour",
            short="Part.",
            headline="Certificate of Participation",
            award="{n} {unit} of participation",
            statement="",
            claimants=EVERYONE - PHYSICIANS,
            attestation="I claim only the hours I took part in.",
        ),
    )
}
ORDER: tuple[CreditType, ...] = tuple(KINDS)  # the order every list of credits follows
MOC_TYPES = frozenset(t for t, k in KINDS.items() if k.moc_board)
MOC_BOARDS: tuple[str, ...] = tuple(k.moc_board for k in KINDS.values() if k.moc_board)  # "ABIM", ...
ACCME_STATEMENT = (
    "{provider} is accredited by the Accreditation Council for Continuing Medical Education (ACCME) to provide "
    "continuing medical education for physicians."
)
JOINT_ACCREDITATION_STATEMENT = (
    "In support of improving patient care, {provider} is jointly accredited by the Accreditation Council for "
    "Continuing Medical Education (ACCME), the Accreditation Council for Pharmacy Education (ACPE), and the American "
    "Nurses Credentialing Center (ANCC), to provide continuing education for the healthcare team."
)


def kind(credit_type: str) -> CreditKind | None:
    try:
        return KINDS[CreditType(credit_type)]
    except ValueError:
        return None


def whole_only(credit_type: str) -> bool:
    """Whether the board gives only the activity's whole amount of ``credit_type`` (no partial claim)."""
    found = kind(credit_type)
    return bool(found and found.whole)


def label(credit_type: str) -> str:
    """AMA_PRA_1 -> "AMA PRA Category 1 Credit™" (an unknown type as it is)."""
    found = kind(credit_type)
    return found.label if found else credit_type


def amount(value: float) -> str:
    """1 -> "1.0", 0.25 -> "0.25", 12.5 -> "12.5": credit amounts as the office writes them."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.1f}"


def by_amount(value: float, one: str, other: str) -> str:
    """The word for ``value``: ``one`` for exactly 1, ``other`` for any other amount (0.5, 1.5, 2):
    every "1.0 ... Credit™" / "1.5 ... Credits™" is chosen here (the web's ``counted`` alike)."""
    return one if value == 1 else other


def _unit(found: CreditKind, value: float) -> str:
    return by_amount(value, found.unit_one, found.unit)


def headline(credit_type: str) -> str:
    found = kind(credit_type)
    return found.headline if found else "Certificate"


def counted(credit_type: str, credits: float) -> str:
    """An amount with its label, as every page, PDF and email writes it: "1.0 AMA PRA Category 1
    Credit™", "1.5 AMA PRA Category 1 Credits™" (``label_one`` for exactly 1, else ``label_other``)."""
    found = kind(credit_type)
    if found is None:
        return f"{amount(credits)} {credit_type}"
    return f"{amount(credits)} {by_amount(credits, found.label_one, found.label_other)}"


def award(credit_type: str, credits: float) -> str:
    """What an award sentence says is earned: "1.0 AMA PRA Category 1 Credit™", "2.0 Medical
    Knowledge MOC points in the American Board of Internal Medicine's ... program"."""
    found = kind(credit_type)
    if found is None:
        return f"{amount(credits)} credits"
    return found.award.format(n=amount(credits), unit=_unit(found, credits))


def _verb(credit_type: str) -> str:
    found = kind(credit_type)
    return found.verb if found else "is awarded"


def award_sentences(name: str, lines: Iterable[Line]) -> list[str]:
    """The certificate's award lines, each a whole sentence about the learner (``name`` as printed,
    with degree): the first "Ana Ruiz, MD is awarded 1.0 AMA PRA Category 1 Credit™.", each next
    "Ana Ruiz, MD has also earned 1.0 Medical Knowledge MOC point in the ... program."."""
    return [
        f"{name} {'has also earned' if index else _verb(line.credit_type)} {award(line.credit_type, line.credits)}."
        for index, line in enumerate(lines)
    ]


def statement(
    credit_type: str,
    provider: str,
    designated: float,
    activity_format: str = "",
    awarded: float | None = None,
    address: str = "",
    jointly_accredited: bool = False,
    aapa_valid_until: date | None = None,
) -> str:
    """The designation or accreditation statement of a credit type ("" for none), filled in:
    ``designated`` is the activity's maximum, ``awarded`` what this certificate awards. AAPA's
    opens with the authorization sentence of a jointly accredited provider (else the AAPA Review
    Panel's) and states the approval's last day, ``aapa_valid_until``, when the activity has one."""
    found = kind(credit_type)
    if found is None or not found.statement:
        return ""
    word = by_amount(designated, "credit", "credits")
    authorization = AAPA_AUTHORIZATION.format(provider=provider) if jointly_accredited else AAPA_REVIEWED
    return found.statement.format(
        provider=provider,
        n=amount(designated),
        credits=word.capitalize() if found.type == CreditType.AMA_PRA_1 else word,
        activity=FORMAT_WORDS.get(activity_format, "activity"),
        awarded=amount(awarded if awarded is not None else designated),
        address=address,
        authorization=authorization,
        valid_until=AAPA_VALIDITY.format(day=aapa_valid_until) if aapa_valid_until else "",
    )


ATTESTATION_OPENING = "I attest that I participated in this activity."


def own_kind(degree: str) -> CreditKind:
    """The credit a degree claims as its own, whose attestation its learners give: the first in
    ``ORDER`` of the types it may claim other than IPCE (anyone's); participation for a degree
    that has none (a PhD, Other)."""
    for found in KINDS.values():
        if found.type not in (CreditType.IPCE, CreditType.PARTICIPATION) and degree in found.claimants:
            return found
    return KINDS[CreditType.PARTICIPATION]


def attestation(degree: str) -> str:
    """The attestation a learner confirms to claim (docs/domain.md "Credit"), in their own credit's
    words: a physician the AMA's sentence, a PA AAPA's, a nurse the contact hours', anyone else
    the participation's; never another profession's."""
    own = own_kind(degree).attestation
    return f"{ATTESTATION_OPENING} {own}" if own else ATTESTATION_OPENING


def accme_statement(provider: str) -> str:
    return ACCME_STATEMENT.format(provider=provider)


def catalogue() -> list[CreditTypeOut]:
    """Every credit type's wording, as ``GET /api/credit-types`` serves it (placeholders unfilled)."""
    return [
        CreditTypeOut(
            type=k.type,
            label=k.label,
            label_one=k.label_one,
            label_other=k.label_other,
            unit=k.unit,
            unit_one=k.unit_one,
            short=k.short,
            headline=k.headline,
            statement=k.statement,
            claimants=sorted(k.claimants),
            moc_board=k.moc_board,
            whole=k.whole,
            window_note=window_note(k.type.value),
        )
        for k in KINDS.values()
    ]


def formats() -> list[ActivityFormatOut]:
    """Every activity format and its label, as ``GET /api/credit-types`` serves them."""
    return [
        ActivityFormatOut(format=kind, label=FORMAT_LABEL[kind], window_note=format_window_note(kind))
        for kind in ActivityFormat
    ]


def window_note(credit_type: str) -> str | None:
    """What the activity form says beside the claim window when the activity designates a credit
    whose board closes earlier (ACPE); None for the others."""
    found = kind(credit_type)
    if found is None or found.closes_after_days is None:
        return None
    return (
        f"{found.label} close {found.closes_after_days} days after the date of participation, whatever the claim "
        f"window ({found.short} takes no completion later)."
    )


def format_window_note(activity_format: str) -> str | None:
    """What the activity form says beside the claim window for a format whose window ends otherwise
    (an enduring material: on its end date)."""
    if not is_self_paced(activity_format):
        return None
    words = FORMAT_WORDS.get(activity_format, "activity")
    return f"An {words} is claimed up to its end date: it cannot be completed for credit after it, whatever the window."


def degrees() -> list[DegreeOut]:
    """Every degree and its label, in the order a learner picks from, as ``GET /api/credit-types`` serves them."""
    return [DegreeOut(degree=Degree(degree), label=text) for degree, text in DEGREE_LABEL.items()]


# ------------------------------------------------------------------ ACPE: UANs per audience

# ACPE's Universal Activity Number (docs/domain.md "Pharmacists and technicians"): provider id (4
# digits, or JA and 7 digits for a jointly accredited provider), joint providership (0000 none,
# 9999 joint), release year, sequence number, format (L live, H home study) with the two-digit
# topic designator, and the audience: P pharmacists, T pharmacy technicians.
UAN_SHAPE = re.compile(r"^(?:\d{4}|JA\d{7})-\d{4}-\d{2}-\d{3}-(?P<format>[LH])\d{2}-(?P<audience>[PT])$")
UAN_EXAMPLE = {"P": "0000-0000-26-001-L01-P", "T": "0000-0000-26-001-L01-T"}
UAN_FIELD = {"P": "uan_pharmacist", "T": "uan_technician"}  # the activity's field per audience
AUDIENCE_WORDS = {"P": "pharmacists", "T": "pharmacy technicians"}
UAN_FORMAT = {"live": "L", "rss": "L", "enduring": "H"}  # an activity's format -> the UAN's format letter


@dataclass(frozen=True)
class AcpeUans:
    """An activity's ACPE UANs: the pharmacists' (-P) and the technicians' (-T); None where it has none."""

    pharmacist: str | None = None
    technician: str | None = None

    def for_audience(self, audience: str | None) -> str | None:
        return self.pharmacist if audience == "P" else self.technician if audience == "T" else None

    def for_degree(self, degree: str) -> str | None:
        """The UAN a learner of ``degree`` claims ACPE credit under (None: none for them)."""
        return self.for_audience(acpe_audience(degree))


def acpe_audience(degree: str) -> str | None:
    """The ACPE audience of a degree: "P" for a pharmacist, "T" for a pharmacy technician, else None."""
    return "P" if degree in PHARMACISTS else "T" if degree in TECHNICIANS else None


def uan_audience(uan: str) -> str | None:
    """The audience a UAN's last letter names ("P" or "T"), None when it names neither."""
    tail = uan.strip().upper().rsplit("-", 1)[-1] if uan else ""
    return tail if tail in ("P", "T") else None


def stored_uans(pharmacist: str | None, technician: str | None, legacy: str | None = None) -> AcpeUans:
    """An activity's UANs as stored, read the one way: a record saved before UANs were per audience
    holds one ``uan``, read as the UAN of the audience its suffix names (-T technicians; -P, or no
    audience suffix, pharmacists, the only ones who could claim ACPE credit then), unless that
    audience has its own."""
    found = {"P": pharmacist or None, "T": technician or None}
    if legacy:
        audience = uan_audience(legacy) or "P"
        found[audience] = found[audience] or legacy
    return AcpeUans(pharmacist=found["P"], technician=found["T"])


def uan_problem(uan: str, audience: str, activity_format: str) -> str | None:
    """What is wrong with one UAN given for ``audience`` ("P" or "T") of an activity of
    ``activity_format``, in words; None when nothing is."""
    shape = UAN_SHAPE.match(uan)
    if shape is None:
        return (
            f"A UAN for {AUDIENCE_WORDS[audience]} reads like {UAN_EXAMPLE[audience]} "
            "(JA and 7 digits first for a jointly accredited provider)."
        )
    if shape["audience"] != audience:
        return f"The UAN for {AUDIENCE_WORDS[audience]} ends with -{audience}."
    letter = UAN_FORMAT.get(activity_format) or shape["format"]
    if shape["format"] != letter:
        words = "live" if letter == "L" else "home study"
        return f"This activity's UAN has {letter} ({words}) before its topic number, e.g. -{letter}01-."
    return None


def check_uans(designated: Iterable[str], activity_format: str, uans: AcpeUans) -> list[dict[str, str]]:
    """What is wrong with an activity's UANs (docs/domain.md "Pharmacists and technicians"), one
    detail per field: an activity designating ACPE needs a UAN for at least one audience; each UAN
    given is in ACPE's shape, ends with its audience's letter (-P in ``uan_pharmacist``, -T in
    ``uan_technician``) and has the activity's format letter (L live or series, H enduring).
    An empty list: nothing wrong."""
    if CreditType.ACPE in set(designated) and not (uans.pharmacist or uans.technician):
        needed = "ACPE credit is reported under a UAN: enter the UAN for pharmacists (-P), technicians (-T), or both."
        return [{"field": UAN_FIELD[a], "message": needed} for a in ("P", "T")]
    problems: list[dict[str, str]] = []
    for audience in ("P", "T"):
        uan = uans.for_audience(audience)
        wrong = uan_problem(uan, audience, activity_format) if uan else None
        if wrong:
            problems.append({"field": UAN_FIELD[audience], "message": wrong})
    return problems


# ------------------------------------------------------------------ who may claim what


def may_claim(degree: str, credit_type: CreditType) -> bool:
    return degree in KINDS[credit_type].claimants


def credit_options(
    degree: str, designated: Iterable[Credit], uans: AcpeUans | None = None, jointly_accredited: bool = False
) -> list[Credit]:
    """What this learner may claim of an activity's designations (docs/domain.md "Credit",
    docs/domain.md "Degrees and who claims what"), in ``ORDER``.

    MDs and DOs get AMA PRA Category 1 Credit™ and the MOC points designated (or, when the
    activity designates none of these, a designated certificate of participation). Nurses (RN,
    NP, APRN, CRNA, LPN) get ANCC, PAs AAPA Category 1, where designated; pharmacists (PharmD, RPh)
    ACPE where designated and the activity has its pharmacists' UAN (``uans``), technicians (CPhT)
    where it has its technicians' UAN; anyone IPCE where designated and the office is jointly
    accredited. Everyone other than a physician may take a certificate of participation, up to
    the AMA maximum (or an explicitly designated participation maximum).
    """
    by_type = {c.type: c for c in designated}
    if CreditType.ACPE in by_type and not (uans or AcpeUans()).for_degree(degree):
        del by_type[CreditType.ACPE]  # no UAN for this learner's audience: nothing to report ACPE credit under
    if not jointly_accredited:
        by_type.pop(CreditType.IPCE, None)  # IPCE credit comes only from a jointly accredited provider
    own = [by_type[t] for t in ORDER if t in by_type and t != CreditType.PARTICIPATION and may_claim(degree, t)]
    participation = by_type.get(CreditType.PARTICIPATION)
    if degree in PHYSICIANS:
        if any(c.type == CreditType.AMA_PRA_1 or c.type in MOC_TYPES for c in own):
            return own
        return own + ([participation] if participation else [])
    if participation is None and CreditType.AMA_PRA_1 in by_type:
        participation = Credit(type=CreditType.PARTICIPATION, max=by_type[CreditType.AMA_PRA_1].max)
    return own + ([participation] if participation else [])


@dataclass(frozen=True)
class Line:
    """One credit of a claim: its type and amount (a claim has one or several, in ``ORDER``)."""

    credit_type: CreditType
    credits: float


def problem(code: str, message: str, field: str) -> InvalidInput:
    return InvalidInput(code, message, [{"field": field, "message": message}])


def _day(value: date) -> str:
    return f"{value:%B %-d, %Y}"


def long_day(value: date) -> str:
    """A day as the portal writes it to learners: "November 8, 2026"."""
    return _day(value)


def claim_deadline(end_date: date, claim_window_days: int, activity_format: str = "") -> date:
    """The last day (office time) a claim is accepted: the activity's last day + its window; for
    an enduring material (a self-paced format), its end date, after which it cannot be completed
    (``check_expiry``)."""
    if is_self_paced(activity_format):
        return end_date
    return end_date + timedelta(days=int(claim_window_days))


def check_window(
    end_date: date,
    claim_window_days: int,
    today: date,
    activity_format: str = "",
    reopened_until: date | None = None,
) -> None:
    """The ACTIVITY's own claim window: 422 CLAIM_WINDOW_CLOSED (field ``activity_id``) after its
    last day; the last day itself is accepted. ``reopened_until`` (an approved late-claim
    request's day for this learner, cme.credit.late_claims) moves only this window: what a
    board closes is ``board_limits``, checked apart, which nothing reopens."""
    last = claim_deadline(end_date, claim_window_days, activity_format)
    if reopened_until is not None:
        last = max(last, reopened_until)
    if today > last:
        raise problem(
            "CLAIM_WINDOW_CLOSED", f"Credit for this activity could be claimed until {_day(last)}.", "activity_id"
        )


def expired(activity_format: str, end_date: date, today: date) -> bool:
    """An enduring material (a self-paced format) after its end date: no completion, so no credit."""
    return is_self_paced(activity_format) and today > end_date


def expired_reason(activity_format: str, end_date: date) -> str:
    words = FORMAT_WORDS.get(activity_format, "activity")
    return f"This {words} expired on {_day(end_date)}: it can no longer be completed for credit."


def check_expiry(activity_format: str, end_date: date, today: date) -> None:
    """422 ACTIVITY_EXPIRED: an enduring material is completed (and claimed) up to its end date only."""
    if expired(activity_format, end_date, today):
        raise problem("ACTIVITY_EXPIRED", expired_reason(activity_format, end_date), "activity_id")


def board_last_day(credit_type: str, completed: date) -> date | None:
    """The last day a board takes ``credit_type`` completed on ``completed`` (ACPE: 60 days after
    the date of participation); None when only the activity's window limits it."""
    found = kind(credit_type)
    if found is None or found.closes_after_days is None:
        return None
    return completed + timedelta(days=found.closes_after_days)


def board_closed_reason(credit_type: str, last: date) -> str:
    found = KINDS[CreditType(credit_type)]
    return (
        f"{found.label} could be claimed until {_day(last)}: they are reported within {found.closes_after_days} days "
        "of the date of participation, whatever the activity's claim window."
    )


def board_limits(
    requested_types: Sequence[str], activity_format: str, end_date: date, completed: date, today: date
) -> None:
    """What the boards close, whatever the activity's claim window (and whatever reopens it):
    an enduring material after its end date (422 ACTIVITY_EXPIRED), and each requested line whose
    board takes it only so many days after the date of participation ``completed`` (ACPE: 60):
    422 CLAIM_WINDOW_CLOSED with a detail ``lines[i]`` for each, ``i`` its place in the request."""
    check_expiry(activity_format, end_date, today)
    closed = [
        (index, credit_type, last)
        for index, credit_type in enumerate(requested_types)
        if (last := board_last_day(credit_type, completed)) is not None and today > last
    ]
    if closed:
        reasons = [(f"lines[{index}]", board_closed_reason(credit_type, last)) for index, credit_type, last in closed]
        raise InvalidInput("CLAIM_WINDOW_CLOSED", reasons[0][1], [{"field": f, "message": m} for f, m in reasons])


def closing(
    option_types: Iterable[str],
    activity_format: str,
    end_date: date,
    claim_window_days: int,
    completed: date,
    reopened_until: date | None = None,
) -> tuple[date, str | None]:
    """The last day an attended activity can be claimed by a learner with these options, and why
    it closes then (None: the activity's claim window, ``claim_status``'s own reason): an enduring
    material's end date; or, when every option is closed earlier by its board (a pharmacist offered
    only ACPE), the last of those days. ``reopened_until`` (an approved late-claim request's day)
    moves the activity's window only: never an enduring material's end nor a board's limit."""
    last = claim_deadline(end_date, claim_window_days, activity_format)
    if is_self_paced(activity_format):
        return last, expired_reason(activity_format, end_date)
    if reopened_until is not None:
        last = max(last, reopened_until)
    limits = [(board_last_day(t, completed), t) for t in option_types]
    if limits and all(day is not None for day, _ in limits):
        day, credit_type = max((d, t) for d, t in limits if d is not None)
        if day < last:
            return day, board_closed_reason(credit_type, day)
    return last, None


def check_late_request(
    option_types: Iterable[str],
    activity_format: str,
    end_date: date,
    claim_window_days: int,
    today: date,
    reopened_until: date | None = None,
) -> None:
    """May a learner with these credit options ask the office to claim after the window closed
    (docs/domain.md "Late claims")? Only when the activity's own window is what closed it: an
    enduring material past its end date is 422 ACTIVITY_EXPIRED, and a board's limit that closed
    every credit the learner could claim (a pharmacist offered only ACPE, 60 days after the
    date of participation) is 422 CLAIM_WINDOW_CLOSED with the board's reason: no late claim
    passes either. While the window (or a reopening, ``reopened_until``) is open: 422
    CLAIM_WINDOW_OPEN, claim instead."""
    check_expiry(activity_format, end_date, today)
    completed = completed_on(activity_format, end_date, today)
    types = list(option_types)
    last, _ = closing(types, activity_format, end_date, claim_window_days, completed, reopened_until)
    if today <= last:
        raise problem(
            "CLAIM_WINDOW_OPEN", f"Credit for this activity can still be claimed until {_day(last)}.", "activity_id"
        )
    limits = [(day, t) for t in types if (day := board_last_day(t, completed)) is not None]
    if limits and len(limits) == len(types) and today > max(limits)[0]:
        day, credit_type = max(limits)
        raise problem("CLAIM_WINDOW_CLOSED", board_closed_reason(credit_type, day), "activity_id")


def claim_status(claimed: bool, last_day: date, today: date, reason: str | None = None) -> tuple[str, str | None]:
    """An attended activity as My activities shows it: ``claimed``; ``closed`` after its last day
    (``closing``), with the reason (``reason``, or the claim window's); otherwise ``claimable``
    (the last day itself included)."""
    if claimed:
        return "claimed", None
    if today > last_day:
        return "closed", reason or f"The claim window closed on {_day(last_day)}."
    return "claimable", None


def whole_message(credit_type: str, whole: float, ama: float | None = None) -> str:
    """CREDITS_MUST_BE_FULL's words: "ABP MOC points are awarded whole: claim 2.0."; when the line
    comes with less AMA credit than its whole amount (``ama``), how both ways out read."""
    name = label(credit_type)
    if ama is not None and ama < whole:
        ama_kind = KINDS[CreditType.AMA_PRA_1]
        return (
            f"{name} are awarded whole: claim {amount(whole)}, with at least {amount(whole)} "
            f"{_unit(ama_kind, whole)}, or leave them out."
        )
    return f"{name} are awarded whole: claim {amount(whole)}."


def check_line(
    degree: str,
    options: Iterable[Credit],
    credit_type: str,
    credits: float,
    field: str = "",
    ama: float | None = None,
) -> Line:
    """One claimed line against the learner's options: a type they may claim, in quarters up to its
    maximum; a whole-only type (``whole_only``) for exactly its maximum, and, when it is claimed
    with AMA credit (``ama``: the AMA credit claimed, when the activity designates it), with at
    least as much of that (422 CREDITS_MUST_BE_FULL)."""
    allowed = {c.type.value: c for c in options}
    if credit_type not in allowed:
        names = ", ".join(allowed) or "none"
        raise problem("CREDIT_TYPE_NOT_ALLOWED", f"As {degree} you may claim: {names}.", f"{field}credit_type")
    limit = allowed[credit_type].max
    if not credits > 0 or credits > limit or credits * 4 != int(credits * 4):
        raise problem(
            "CREDITS_INVALID", f"Claim between {STEP} and {limit:g} credits, in steps of {STEP}.", f"{field}credits"
        )
    if whole_only(credit_type) and (credits != limit or (ama is not None and ama < limit)):
        raise problem("CREDITS_MUST_BE_FULL", whole_message(credit_type, limit, ama), f"{field}credits")
    return Line(CreditType(credit_type), credits)


def check_lines(
    degree: str, options: Iterable[Credit], requested: Sequence[tuple[str, float]], several: bool = True
) -> list[Line]:
    """Every line of one claim, returned in ``ORDER``: each by its type's rules (``check_line``,
    fields ``lines.N.`` when ``several``), no type twice, and MOC points never more than the AMA
    credit claimed (docs/domain.md "Several credits from one activity"): on an activity designated for
    AMA credit a MOC line comes with an AMA line of at least as many credits, in the same claim
    (one claim per activity, so the AMA credit cannot follow later). A whole-only MOC line (ABP)
    with less AMA credit than its whole amount is refused by its own rule (CREDITS_MUST_BE_FULL,
    docs/domain.md "Whole credit and the boards' limits"), which names both ways out."""
    allowed = list(options)
    lines: list[Line] = []
    fields: dict[CreditType, str] = {}
    if not requested:
        raise problem("CREDITS_INVALID", "Choose at least one credit to claim.", "lines")
    paired = any(c.type == CreditType.AMA_PRA_1 for c in allowed)
    ama_claimed = next((c for t, c in requested if t == CreditType.AMA_PRA_1.value), 0.0)
    for index, (credit_type, credits) in enumerate(requested):
        field = f"lines.{index}." if several else ""
        with_ama = ama_claimed if paired and credit_type in {t.value for t in MOC_TYPES} else None
        line = check_line(degree, allowed, credit_type, credits, field, with_ama)
        if line.credit_type in fields:
            raise problem(
                "CREDITS_INVALID",
                f"{label(credit_type)} is claimed twice: claim each credit once.",
                f"{field}credit_type",
            )
        fields[line.credit_type] = field
        lines.append(line)
    ama = next((line for line in lines if line.credit_type == CreditType.AMA_PRA_1), None)
    if paired:
        for line in lines:
            if line.credit_type in MOC_TYPES and (ama is None or line.credits > ama.credits):
                raise problem(
                    "CREDITS_INVALID",
                    f"{label(line.credit_type)} are claimed with, and never more than, the AMA PRA Category 1 "
                    "Credit™ you claim for this activity.",
                    f"{fields[line.credit_type]}credits",
                )
    return sorted(lines, key=lambda line: ORDER.index(line.credit_type))


def moc_boards(lines: Iterable[Line]) -> list[str]:
    """The boards this claim's MOC points are reported to ("ABIM", ...), in ``ORDER``."""
    return [board for line in lines if (board := KINDS[line.credit_type].moc_board)]


def needs_birth_mmdd(lines: Iterable[Line]) -> bool:
    return any(line.credit_type in MOC_TYPES or line.credit_type == CreditType.ACPE for line in lines)


def check_reporting(
    lines: Sequence[Line],
    moc_consent: bool,
    board_ids: Mapping[str, str],
    birth_mmdd: str | None,
    nabp_eprofile_id: str | None,
) -> None:
    """What reporting needs (docs/domain.md "Records"): MOC points need the learner's consent, their
    id at each board and birth month/day (422 MOC_DETAILS_REQUIRED); ACPE credit needs the NABP
    e-Profile id and birth month/day (422 CPE_DETAILS_REQUIRED). ``details`` lists every field
    missing."""
    boards = moc_boards(lines)
    if boards:
        missing = [] if moc_consent else [("moc_consent", "Agree to your MOC points being reported to your board.")]
        missing += [
            (f"board_ids.{b}", f"Enter your {b} id, as {b} gave it to you.") for b in boards if not board_ids.get(b)
        ]
        if not birth_mmdd:
            missing.append(("birth_mmdd", BIRTH_MMDD_MISSING))
        if missing:
            raise InvalidInput(
                "MOC_DETAILS_REQUIRED",
                "MOC points are reported to your board: we need your consent, your board id and your birth month "
                "and day.",
                [{"field": f, "message": m} for f, m in missing],
            )
    if any(line.credit_type == CreditType.ACPE for line in lines):
        missing = [] if nabp_eprofile_id else [("nabp_eprofile_id", "Enter your NABP e-Profile id.")]
        if not birth_mmdd:
            missing.append(("birth_mmdd", BIRTH_MMDD_MISSING))
        if missing:
            raise InvalidInput(
                "CPE_DETAILS_REQUIRED",
                "ACPE credit is reported to NABP's CPE Monitor: we need your NABP e-Profile id and your birth month "
                "and day.",
                [{"field": f, "message": m} for f, m in missing],
            )


BIRTH_MMDD_MISSING = "Enter your birth month and day, e.g. 07/04."

# The shape of a learner's id at each board (docs/domain.md "Board ids"): where the board's own
# shape is known, exactly it; elsewhere a loose check (1 to 20 letters, digits or hyphens), as the
# profile has always taken. ``check_board_ids`` refuses an id of another shape.
LOOSE_BOARD_ID = re.compile(r"[A-Za-z0-9-]{1,20}")
BOARD_ID_SHAPES: dict[str, tuple[re.Pattern[str], str]] = {
    "ABIM": (re.compile(r"\d{6}"), "Enter your ABIM id: 6 digits, e.g. 123456."),
}


def board_id_problem(board: str, number: str) -> str | None:
    """Why ``number`` is not an id at ``board`` (None: it may be one)."""
    shape, words = BOARD_ID_SHAPES.get(
        board, (LOOSE_BOARD_ID, f"Enter your {board} id: up to 20 letters, digits or hyphens.")
    )
    return None if shape.fullmatch(number) else words


def check_board_ids(board_ids: Mapping[str, str]) -> None:
    """422 BOARD_UNKNOWN for a board id under a name that is not one of ``MOC_BOARDS``; 422
    VALIDATION_FAILED for an id not of its board's shape (``board_id_problem``), each named
    ``board_ids.<board>``."""
    unknown = [b for b in board_ids if b not in MOC_BOARDS]
    if unknown:
        raise InvalidInput(
            "BOARD_UNKNOWN",
            f"Board ids are kept for: {', '.join(MOC_BOARDS)}.",
            [{"field": f"board_ids.{b}", "message": "Not a board we report to."} for b in unknown],
        )
    wrong = [(b, words) for b, number in board_ids.items() if (words := board_id_problem(b, number))]
    if wrong:
        raise InvalidInput(
            "VALIDATION_FAILED",
            " ".join(words for _, words in wrong),
            [{"field": f"board_ids.{b}", "message": words} for b, words in wrong],
        )


def check_aapa_valid_until(designated: Iterable[str], valid_until: date | None) -> None:
    """An activity designated for AAPA Category 1 CME credit states the approval's last day (its
    statement says "Approval is valid until ..."; AAPA approves for a set time): without it, 422
    VALIDATION_FAILED naming ``aapa_valid_until``."""
    if CreditType.AAPA_1 in {str(t) for t in designated} and valid_until is None:
        raise problem(
            "VALIDATION_FAILED",
            "Enter the date AAPA's approval is valid until: the AAPA statement on certificates states it.",
            "aapa_valid_until",
        )


class EvaluationQuestion(Protocol):
    """What the answer checks read of an activity's evaluation question (cme.platform.models.tables
    EvaluationQuestion, cme.platform.schemas.Question)."""

    @property
    def question_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def choices(self) -> Sequence[object] | None: ...  # strings (PynamoDB types a stored list loosely)


RATING_LOW, RATING_HIGH = 1, 5  # a rating question's answer: a whole or part number from 1 to 5
ANSWER_MAX_LENGTH = 5000  # a text question's answer, in characters
YES_NO_ANSWERS = ("yes", "no", True, False)


def answered(question: EvaluationQuestion, answer: object) -> bool:
    """Whether ``answer`` answers ``question``: a rating from ``RATING_LOW`` to ``RATING_HIGH``
    (a number, never a boolean), yes or no, one of the question's choices, or a text of at
    most ``ANSWER_MAX_LENGTH`` characters. Nothing, or only blanks, is no answer."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return False
    if question.kind == "rating":
        return isinstance(answer, int | float) and not isinstance(answer, bool) and RATING_LOW <= answer <= RATING_HIGH
    if question.kind == "yes_no":
        return answer in YES_NO_ANSWERS
    if question.kind == "choice":
        return answer in (question.choices or [])
    return isinstance(answer, str) and len(answer) <= ANSWER_MAX_LENGTH


def check_evaluation(questions: Iterable[EvaluationQuestion], answers: Mapping[str, object]) -> None:
    """422 EVALUATION_INCOMPLETE, a detail for each required question not ``answered``
    (an optional question is never checked)."""
    missing = [q.question_id for q in questions if q.required and not answered(q, answers.get(q.question_id))]
    if missing:
        raise InvalidInput(
            "EVALUATION_INCOMPLETE",
            "Please answer every required question of the evaluation.",
            [{"field": f"evaluation.{qid}", "message": "required"} for qid in missing],
        )


def line_statement(
    line: Line,
    provider: str,
    designated: float,
    activity_format: str = "",
    address: str = "",
    *,
    jointly_accredited: bool = False,
    aapa_valid_until: date | None = None,
) -> str:
    """What a certificate prints for one of its lines ("" for none; the AMA designation is printed
    apart, on every certificate of an activity designated for it). A jointly accredited provider
    states its accreditation once (``JOINT_ACCREDITATION_STATEMENT``), so an ANCC or ACPE line
    then prints only what is its own: contact hours and address, or where ACPE credit is recorded
    (``CPE_MONITOR_NOTE``; the UAN, hours and date are the record's lines, ``acpe_record``)."""
    kind_type = line.credit_type
    if kind_type == CreditType.AMA_PRA_1:
        return ""
    if kind_type == CreditType.ANCC and jointly_accredited:
        return f"Nursing contact hours awarded: {amount(line.credits)}. {provider}, {address}."
    if kind_type == CreditType.ACPE:
        note = CPE_MONITOR_NOTE.format(provider=provider)
        if jointly_accredited:
            return note
        return f"{statement(kind_type, provider, designated, activity_format, line.credits, address)} {note}"
    return statement(
        kind_type, provider, designated, activity_format, line.credits, address, jointly_accredited, aapa_valid_until
    )


# What a pharmacist's or technician's record of participation says of their ACPE credit: since
# CPE Monitor, ACPE credit is awarded only there, never by a provider's statement of credit.
CPE_MONITOR_NOTE = (
    "This is a record of participation, not a statement of credit: ACPE credit is awarded only through CPE Monitor. "
    "{provider} reports your credit to CPE Monitor within 60 days of your date of participation; "
    "view it in your NABP e-Profile."
)


def ceus(hours: float) -> str:
    """Contact hours as ACPE's continuing education units (10 contact hours = 1 CEU): 2.0 -> "0.2", 1.5 -> "0.15"."""
    units = f"{hours / 10:.3f}".rstrip("0")
    return units + "0" if units.endswith(".") else units


def contact_hours(hours: float) -> str:
    """2.0 -> "2.0 contact hours (0.2 CEUs)", 10.0 -> "10.0 contact hours (1.0 CEU)"."""
    units = ceus(hours)
    return f"{amount(hours)} {_unit(KINDS[CreditType.ACPE], hours)} ({units} {'CEU' if units == '1.0' else 'CEUs'})"


def acpe_record(
    credits: float, uan: str | None, participated_on: date | None, nabp_eprofile_id: str | None
) -> list[str]:
    """The lines a record of participation prints for its ACPE credit, in order: the learner's NABP
    e-Profile ID (as given with the claim), the date of participation, the UAN of the learner's
    audience, the contact hours with their CEUs. A line without its value is left out."""
    out = [f"NABP e-Profile ID: {nabp_eprofile_id}"] if nabp_eprofile_id else []
    if participated_on:
        out.append(f"Date of participation: {participated_on:%B %-d, %Y}")
    if uan:
        out.append(f"ACPE Universal Activity Number (UAN): {uan}")
    out.append(f"Contact hours: {contact_hours(credits)}")
    return out


def joint_accreditation_statement(provider: str) -> str:
    return JOINT_ACCREDITATION_STATEMENT.format(provider=provider)


# ------------------------------------------------------------------ names, codes, dates


def imported_from(source_name: str) -> str:
    """The one wording of an imported claim (docs/domain.md "Imported history"), wherever it shows
    (transcripts, claims, certificates): "Imported from CloudCME"."""
    return f"Imported from {source_name}"


def name_with_degree(first: str, last: str, degree: str) -> str:
    """The name as a certificate prints it (and verification shows it): "Ana Ruiz, MD"; no degree for Other."""
    return with_degree(f"{first} {last}", degree)


def with_degree(name: str, degree: str) -> str:
    return f"{name}, {degree}" if degree and degree != "Other" else name


def certificate_code() -> str:
    """A new certificate code: 12 characters of ``CODE_ALPHABET`` (about 59 bits), from ``secrets``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))


def is_self_paced(activity_format: str) -> bool:
    return activity_format in SELF_PACED_FORMATS


def completed_on(activity_format: str, end_date: date, claimed_on: date) -> date:
    """The completion date (docs/domain.md "Completion date"): a live activity's (or series
    session's) last day; for an enduring material or other self-paced format, the office day the
    learner claimed (having completed the evaluation)."""
    return claimed_on if is_self_paced(activity_format) else end_date


def legacy_completed_on(end_date: date, claimed_on: date) -> date:
    """A claim recorded before the completion date was (its format unknown): the earlier of the
    activity's last day and the claim's day, which is exact for a live activity claimed after it
    and for a self-paced one claimed within its availability."""
    return min(end_date, claimed_on)


class RecordedClaim(Protocol):
    """What a claim record holds of its dates (cme.platform.models.Claim)."""

    @property
    def activity_end(self) -> str: ...
    @property
    def activity_format(self) -> str | None: ...
    @property
    def completed_on(self) -> str | None: ...


class StoredLine(Protocol):
    """One credit line as a claim record holds it (cme.platform.models.tables.ClaimLine)."""

    @property
    def credit_type(self) -> str: ...
    @property
    def credits(self) -> float: ...


class ClaimWithLines(Protocol):
    """What a claim record holds of its credit (cme.platform.models.Claim)."""

    @property
    def credit_type(self) -> str: ...
    @property
    def credits(self) -> float: ...
    @property
    def lines(self) -> Sequence[StoredLine] | None: ...


def claim_lines(claim: ClaimWithLines) -> list[Line]:
    """A recorded claim's credit lines, the first its ``credit_type``/``credits``; a claim made
    before claims had lines is one line. The one reading of a claim's lines: claims, certificates,
    transcripts, licence requirements and the board files all take them from here."""
    stored = list(claim.lines or [])
    if not stored:
        return [Line(CreditType(claim.credit_type), float(claim.credits))]
    return [Line(CreditType(x.credit_type), float(x.credits)) for x in stored]


def claim_completed_on(claim: RecordedClaim, claimed_on: date) -> date:
    """A recorded claim's completion date: as recorded at claim time; for a claim from before
    that, by the rule when its format is known, else ``legacy_completed_on``. ``claimed_on`` is
    the office day of its ``claimed_at``."""
    if claim.completed_on:
        return date.fromisoformat(claim.completed_on)
    end = date.fromisoformat(claim.activity_end)
    if claim.activity_format:
        return completed_on(claim.activity_format, end, claimed_on)
    return legacy_completed_on(end, claimed_on)


def reminder_day(opens: date, last_day: date, days_before: int) -> date:
    """The day an attendee who has not claimed is reminded (issue 24, "Reminders"): ``days_before``
    days before the last day THEY may claim (``closing``); when the window from ``opens`` (the
    activity's last day; an enduring material's first) to that last day is shorter than
    ``days_before`` days, halfway through it."""
    length = max((last_day - opens).days, 0)
    if length < days_before:
        return opens + timedelta(days=length // 2)
    return last_day - timedelta(days=days_before)


def reminder_due(reminder_on: date, last_day: date, today: date) -> bool:
    """A reminder goes out from its day up to the last day (a day the schedule missed is made up
    the next day, never after the window closed)."""
    return reminder_on <= today <= last_day


def window_opens(activity_format: str, start_date: date, end_date: date) -> date:
    """The day claiming an activity starts: a live activity's last day; an enduring material's first."""
    return start_date if is_self_paced(activity_format) else end_date

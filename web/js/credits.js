// @ts-check
/**
 * The words for credit designations and activity formats, used on every page that shows them
 * (the catalogue, My activities, the claim form, the coordinators' pages).
 * Credit is designated and claimed in steps of 0.25 (docs/domain.md "Credit").
 */
import { api } from './api.js';

// Every credit type's wording and every activity format's label come from GET /api/credit-types
// (cme/credit.py on the server, the one source the PDFs, CSVs and emails use too): fetched once,
// when the first page module that imports this one loads, and kept for the page's life. Should it
// fail, types and formats show as they are.
const reply = await api('GET', '/api/credit-types');
const KINDS = Object.freeze(
  reply.status === 200 && Array.isArray(reply.body?.credit_types) ? reply.body.credit_types : [],
);
const BY_TYPE = new Map(KINDS.map((kind) => [kind.type, kind]));
const FORMATS = Object.freeze(
  reply.status === 200 && Array.isArray(reply.body?.formats) ? reply.body.formats : [],
);
const FORMAT_LABELS = new Map(FORMATS.map(({ format, label }) => [format, label]));
const DEGREES = Object.freeze(
  reply.status === 200 && Array.isArray(reply.body?.degrees) ? reply.body.degrees : [],
);

/** The credit types in the order every list of credits follows. */
export const CREDIT_TYPES = Object.freeze(KINDS.map((kind) => kind.type));

/** [{type, label, label_one, label_other, unit, unit_one, short, headline, statement, claimants, moc_board}, ...] as the API serves them. */
export function creditTypes() {
  return KINDS;
}

/** [{format, label}, ...]: every activity format, in the order a coordinator picks from, as the API serves them. */
export function activityFormats() {
  return FORMATS;
}

/** [{degree, label}, ...]: every degree a learner may hold, in the order they pick from, as the API serves them. */
export function degrees() {
  return DEGREES;
}

/**
 * Fill a degree list (the account and profile forms) with every degree the API serves, after its
 * empty first choice ("Choose your degree"): the one list of degrees is the server's
 * (docs/domain.md "Degrees and who claims what"), never a copy in the page.
 * @param {HTMLSelectElement} select
 */
export function fillDegrees(select) {
  const prompt = select.options[0] && !select.options[0].value ? [select.options[0]] : [];
  select.replaceChildren(...prompt, ...DEGREES.map(({ degree, label }) => new Option(label, degree)));
}

/** A credit type's label, as the API words it (an unknown type as it is). */
export function creditLabel(type) {
  return BY_TYPE.get(type)?.label || String(type);
}

/** The board a credit type's MOC points are reported to ("ABIM" for ABIM_MOC); null for other credit. */
export function mocBoard(type) {
  return BY_TYPE.get(type)?.moc_board || null;
}

/** Every board MOC points are reported to ("ABIM", "ABA", ...), in the API's order. */
export function mocBoards() {
  return KINDS.map((kind) => kind.moc_board).filter(Boolean);
}

/** A claim's credit, every line, each as claimedCredit words it, joined with "and". */
export function claimedCredits(claim) {
  const lines = Array.isArray(claim.lines) && claim.lines.length ? claim.lines : [claim];
  return lines.map((line) => claimedCredit(line)).join(' and ');
}

/** A credit type's short name, where room is scarce (a chart); "" when unknown. */
export function creditShort(type) {
  return BY_TYPE.get(type)?.short || '';
}

/** An activity format's label, as the API words it (an unknown format as it is). */
export function formatLabel(format) {
  return FORMAT_LABELS.get(format) || String(format);
}

/** 1 -> "1.0", 0.25 -> "0.25", 12.5 -> "12.5": credit amounts as the office writes them. */
export function formatAmount(amount) {
  const value = Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  return Number.isInteger(value) ? value.toFixed(1) : String(Math.round(value * 100) / 100);
}

/** {type, max} -> "<label>: 1.0"; participation is named by its certificate, without hours. */
export function designation(credit) {
  if (credit.type === 'PARTICIPATION') return BY_TYPE.get(credit.type)?.headline || creditLabel(credit.type);
  return `${creditLabel(credit.type)}: ${formatAmount(credit.max)}`;
}

/**
 * An amount with its label, as the certificate writes it (cme.rules.credit.counted): the
 * type's label_one after exactly 1 ("1.0 ... Credit™"), its label_other after any other amount.
 */
export function counted(type, amount) {
  const kind = BY_TYPE.get(type);
  const words = kind ? (Number(amount) === 1 ? kind.label_one : kind.label_other) : String(type);
  return `${formatAmount(amount)} ${words || creditLabel(type)}`;
}

/** The degrees that may claim a credit type ([] when unknown). */
export function claimants(type) {
  return BY_TYPE.get(type)?.claimants || [];
}

/** The boards whose MOC points a degree may claim ("ABIM", ...): its learners' board id fields. */
export function mocBoardsFor(degree) {
  return KINDS.filter((kind) => kind.moc_board && (kind.claimants || []).includes(degree)).map((kind) => kind.moc_board);
}

/** A claim's credit: "<amount> <label>" (counted); participation as its certificate with the hours. */
export function claimedCredit(claim) {
  const kind = BY_TYPE.get(claim.credit_type);
  if (claim.credit_type === 'PARTICIPATION' && kind) {
    return `${kind.headline} (${formatAmount(claim.credits)} ${Number(claim.credits) === 1 ? kind.unit_one : kind.unit})`;
  }
  return counted(claim.credit_type, claim.credits);
}

/** Whether a credit type's board awards only the activity's whole amount (the API's `whole`: ABP MOC, ACPE). */
export function wholeOnly(type) {
  return Boolean(BY_TYPE.get(type)?.whole);
}

/** The amounts of a credit type designated up to max a learner may claim: max alone when wholeOnly, else quarterSteps. */
export function claimableAmounts(type, max) {
  return wholeOnly(type) ? [Number(max)] : quarterSteps(max);
}

/** 0.25, 0.5, ... up to max (the amounts a learner may claim). */
export function quarterSteps(max) {
  const steps = [];
  const quarters = Math.floor(Number(max) * 4 + 1e-9);
  for (let n = 1; n <= quarters; n += 1) steps.push(n / 4);
  return steps;
}

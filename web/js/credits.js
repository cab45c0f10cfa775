/**
 * The words for credit designations and activity formats, used on every page that shows them
 * (the catalogue, My activities, the claim form, the coordinators' pages).
 * Credit is designated and claimed in steps of 0.25 (DOMAIN.md "Credit").
 */

export const CREDIT_TYPES = Object.freeze([
  'AMA_PRA_1', 'ANCC', 'ACPE', 'AAPA_1', 'ABIM_MOC', 'PARTICIPATION',
]);

const CREDIT_LABELS = Object.freeze({
  AMA_PRA_1: 'AMA PRA Category 1 Credit™',
  ANCC: 'ANCC contact hours',
  ACPE: 'ACPE',
  AAPA_1: 'AAPA Category 1',
  ABIM_MOC: 'ABIM MOC points',
  PARTICIPATION: 'Certificate of participation',
});

export const FORMATS = Object.freeze(['live', 'enduring', 'rss']);

const FORMAT_LABELS = Object.freeze({
  live: 'Live activity',
  enduring: 'Enduring material',
  rss: 'Regularly scheduled series',
});

/** AMA_PRA_1 -> "AMA PRA Category 1 Credit™" (an unknown type as it is). */
export function creditLabel(type) {
  return CREDIT_LABELS[type] || String(type);
}

/** live -> "Live activity". */
export function formatLabel(format) {
  return FORMAT_LABELS[format] || String(format);
}

/** 1 -> "1.0", 0.25 -> "0.25", 12.5 -> "12.5": credit amounts as the office writes them. */
export function formatAmount(amount) {
  const value = Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  return Number.isInteger(value) ? value.toFixed(1) : String(Math.round(value * 100) / 100);
}

/** {type, max} -> "AMA PRA Category 1 Credit™: 1.0"; participation is named without hours. */
export function designation(credit) {
  if (credit.type === 'PARTICIPATION') return creditLabel(credit.type);
  return `${creditLabel(credit.type)}: ${formatAmount(credit.max)}`;
}

/** A claim's credit: "1.0 AMA PRA Category 1 Credit™", "0.75 ANCC contact hours". */
export function claimedCredit(claim) {
  if (claim.credit_type === 'PARTICIPATION') {
    return `${creditLabel(claim.credit_type)} (${formatAmount(claim.credits)} hours)`;
  }
  return `${formatAmount(claim.credits)} ${creditLabel(claim.credit_type)}`;
}

/** 0.25, 0.5, ... up to max (the amounts a learner may claim). */
export function quarterSteps(max) {
  const steps = [];
  const quarters = Math.floor(Number(max) * 4 + 1e-9);
  for (let n = 1; n <= quarters; n += 1) steps.push(n / 4);
  return steps;
}

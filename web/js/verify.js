// @ts-check
/**
 * Verify a certificate (public, no session): the page the certificate's QR code and link open
 * (?code=...), looked up at once; or a code typed in the field. The API answers with the
 * certificate's public facts only (no email, no phone); they reach the page as text.
 * A certificate replaced by a corrected one (a reissue after a name correction) is no longer
 * valid (status "replaced"): the page shows it as issued, says when it was replaced, and links
 * to the corrected one.
 */
import { api } from './api.js';
import { claimedCredits } from './credits.js';
import { formatDate, formatMoment, formatOfficeDay } from './dates.js';
import {
  clearErrors, markFields, setBusy, showAlert,
} from './forms.js';
import { PORTAL_NAME } from './shell.js';

const form = /** @type {HTMLFormElement} */ (document.getElementById('verify-form'));
const input = /** @type {HTMLInputElement} */ (form.elements.namedItem('code'));
const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('verify-alert'));
const progress = /** @type {HTMLElement} */ (document.getElementById('verify-progress'));
const card = /** @type {HTMLElement} */ (document.getElementById('certificate'));
const heading = /** @type {HTMLElement} */ (document.getElementById('certificate-heading'));
const superseded = /** @type {HTMLElement} */ (document.getElementById('certificate-superseded'));

const PAGE_TITLE = document.title;
const MISSING_CODE = 'Please enter the certificate code.';

let latest = 0; // only the newest lookup may fill the page

/** What people type or scan ("7kq2-m9xr t4hb") -> the code as issued ("7KQ2M9XRT4HB"). */
function normalize(raw) {
  return (raw || '').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 20);
}

function verifyHref(code) {
  return `/verify.html?${new URLSearchParams({ code })}`;
}

function slot(name) {
  return /** @type {HTMLElement} */ (card.querySelector(`[data-slot="${name}"]`));
}

/** The date of issue as printed on the certificate: the office's calendar day. */
function issuedDay(iso) {
  return formatOfficeDay(iso);
}

/** The API sends the activity's date(s) as words already; an ISO date is written out. */
function activityDates(text) {
  return /^\d{4}-\d{2}-\d{2}$/.test(text || '') ? formatDate(text) : text || '';
}

function showCertificate(facts) {
  slot('learner_name').textContent = facts.learner_name;
  slot('activity_title').textContent = facts.activity_title;
  slot('activity_date').textContent = activityDates(facts.activity_date);
  slot('credit').textContent = claimedCredits(facts);
  slot('issued').textContent = issuedDay(facts.issued_at);
  slot('certificate_code').textContent = facts.certificate_code;
  slot('checked').textContent = `Checked on ${formatMoment(new Date().toISOString())}.`;

  const replaced = facts.status === 'replaced';
  const replacement = replaced ? facts.superseded_by : null;
  heading.textContent = replaced ? 'Replaced certificate' : 'Valid certificate';
  superseded.hidden = !replaced;
  card.classList.toggle('certificate--superseded', replaced);
  if (replaced) {
    const when = facts.replaced_on ? ` on ${formatDate(facts.replaced_on)}` : '';
    /** @type {HTMLElement} */ (superseded.querySelector('[data-slot="superseded-text"]')).textContent = replacement
      ? `This certificate was replaced by a corrected one${when} (code ${replacement}) and is no longer valid.`
      : `This certificate was replaced by a corrected one${when} and is no longer valid.`;
    const link = /** @type {HTMLAnchorElement} */ (superseded.querySelector('[data-slot="superseded-link"]'));
    link.hidden = !replacement;
    if (replacement) link.href = verifyHref(replacement);
  }
  document.title = `Certificate ${facts.certificate_code} · ${PORTAL_NAME}`;
  card.hidden = false;
}

function hideCertificate() {
  card.hidden = true;
  document.title = PAGE_TITLE;
}

/** Look a code up and show the answer; focus moves to the result when the visitor asked. */
async function lookUp(code, { moveFocus }) {
  latest += 1;
  const mine = latest;
  clearErrors(form);
  showAlert(alertRegion);
  setBusy(button, true);
  progress.textContent = 'Checking the certificate…';
  const { status, body } = await api('GET', `/api/verify/${encodeURIComponent(code)}`);
  if (mine !== latest) return;
  setBusy(button, false);
  progress.textContent = '';
  if (status === 200 && (body?.valid || body?.status === 'replaced')) {
    showCertificate(body);
    if (moveFocus) heading.focus();
    return;
  }
  hideCertificate();
  showAlert(alertRegion, body?.message || 'Something went wrong. Please try again.');
  if (moveFocus) input.focus();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (button.disabled) return;
  const code = normalize(input.value);
  if (!code) {
    clearErrors(form);
    showAlert(alertRegion);
    hideCertificate();
    markFields(form, [{ field: 'code', message: MISSING_CODE }]);
    return;
  }
  input.value = code;
  // the address names the code looked up, so the page can be shared, bookmarked or printed
  window.history.replaceState(null, '', verifyHref(code));
  lookUp(code, { moveFocus: true });
});

const fromLink = normalize(new URLSearchParams(window.location.search).get('code'));
if (fromLink) {
  input.value = fromLink;
  lookUp(fromLink, { moveFocus: false });
}

// @ts-check
/**
 * Confirm an email: the link from the verification email (?token=...).
 * Opening the page confirms nothing (mail scanners open links): the learner chooses
 * "Confirm this email", and the API confirms only in a session of the account that asked for
 * the email. Signed out, the click sends the learner to sign in and back here (the same link);
 * then they confirm. When the link fails, a signed-in learner is offered "Send it again".
 */
import { api } from './api.js';
import { setBusy, showAlert } from './forms.js';
import { setSignedIn, signedInHint } from './shell.js';

const step = /** @type {HTMLElement} */ (document.getElementById('verify-step'));
const signInNote = /** @type {HTMLElement} */ (document.getElementById('verify-sign-in-note'));
const confirmButton = /** @type {HTMLButtonElement} */ (document.getElementById('verify-confirm'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('verify-status'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('verify-alert'));
const next = /** @type {HTMLElement} */ (document.getElementById('verify-next'));
const token = new URLSearchParams(window.location.search).get('token') || '';

const MISSING_TOKEN = 'This link is not valid: it is incomplete. Open the link in the email again.';

function fromTemplate(id) {
  const template = /** @type {HTMLTemplateElement} */ (document.getElementById(id));
  return /** @type {HTMLElement} */ (/** @type {Element} */ (template.content.firstElementChild).cloneNode(true));
}

/** The signed-in learner's emails, or null (signed out, or the API could not say). */
async function myEmails() {
  if (!signedInHint()) return null;
  const { status, body } = await api('GET', '/api/me/emails');
  if (status === 401) setSignedIn(false);
  return status === 200 && Array.isArray(body?.emails) ? body.emails : null;
}

/** Sign in, then come back to this very link (same origin: sign-in accepts only a local path). */
function signInAndReturn() {
  const here = `${window.location.pathname}${window.location.search}`;
  window.location.assign(`/sign-in.html?next=${encodeURIComponent(here)}`);
}

function showConfirmed(email) {
  step.hidden = true;
  showAlert(statusRegion, email ? `Thank you — ${email} is confirmed.` : 'Thank you — your email address is confirmed.');
  next.replaceChildren(fromTemplate('tpl-confirmed'));
}

function showSendAgain(pending) {
  const panel = fromTemplate('tpl-send-again');
  const list = /** @type {HTMLUListElement} */ (panel.querySelector('[data-slot="emails"]'));
  const resendStatus = panel.querySelector('#resend-status');
  const resendAlert = panel.querySelector('#resend-alert');
  pending.forEach((entry, index) => {
    const row = fromTemplate('tpl-resend-row');
    const address = /** @type {HTMLElement} */ (row.querySelector('[data-slot="email"]'));
    address.textContent = entry.email;
    address.id = `pending-email-${index}`;
    const button = /** @type {HTMLButtonElement} */ (row.querySelector('[data-action="resend"]'));
    button.setAttribute('aria-describedby', address.id);
    button.addEventListener('click', async () => {
      if (button.disabled) return;
      showAlert(resendStatus);
      showAlert(resendAlert);
      setBusy(button, true);
      const { status, body } = await api('POST', `/api/me/emails/${encodeURIComponent(entry.email)}/resend`);
      setBusy(button, false);
      if (status === 202) {
        showAlert(resendStatus, body.verified
          ? `${body.email} is already confirmed.`
          : `We sent a new link to ${body.email}.`);
        return;
      }
      if (status === 401) {
        setSignedIn(false);
        next.replaceChildren(fromTemplate('tpl-signed-out'));
        return;
      }
      showAlert(resendAlert, body.message);
    });
    list.append(row);
  });
  next.replaceChildren(panel);
}

async function showFailure(message) {
  step.hidden = true;
  showAlert(alertRegion, message);
  const emails = await myEmails();
  const pending = (emails || []).filter((entry) => !entry.verified);
  if (emails === null) next.replaceChildren(fromTemplate('tpl-signed-out'));
  else if (pending.length) showSendAgain(pending);
  else next.replaceChildren(fromTemplate('tpl-all-confirmed'));
}

async function confirmEmail() {
  if (confirmButton.disabled) return;
  if (!signedInHint()) {
    signInAndReturn(); // signed out (as far as this browser knows): the API would answer 401
    return;
  }
  showAlert(alertRegion);
  setBusy(confirmButton, true);
  const { status, body } = await api('POST', '/api/accounts/verify-email', { token });
  if (status === 200) {
    setSignedIn(true);
    showConfirmed(body?.email);
    return;
  }
  if (status === 401) {
    setSignedIn(false);
    signInAndReturn();
    return;
  }
  setBusy(confirmButton, false);
  if (status === 400) {
    await showFailure(body.message); // used, expired, or another account's link
    return;
  }
  showAlert(alertRegion, body.message); // the portal is busy or unreachable: the button stays for a retry
}

if (!token) {
  showFailure(MISSING_TOKEN);
} else {
  signInNote.hidden = signedInHint();
  step.hidden = false;
  confirmButton.addEventListener('click', confirmEmail);
}

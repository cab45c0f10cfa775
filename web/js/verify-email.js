/**
 * Confirm an email: the link from the verification email (?token=...), opened in any browser.
 * No session is needed to confirm. When this browser is signed in, the learner's emails are
 * read before and after, to name the email just confirmed (the API answers with the profile,
 * whose email is the primary one) and, when the link fails, to offer "Send it again".
 */
import { api } from './api.js';
import { setBusy, showAlert } from './forms.js';
import { setSignedIn, signedInHint } from './shell.js';

const progress = document.getElementById('verify-progress');
const statusRegion = document.getElementById('verify-status');
const alertRegion = document.getElementById('verify-alert');
const next = document.getElementById('verify-next');
const token = new URLSearchParams(window.location.search).get('token') || '';

const MISSING_TOKEN = 'This link is not valid: it is incomplete. Open the link in the email again.';

function fromTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

/** The signed-in learner's emails, or null (signed out, or the API could not say). */
async function myEmails() {
  if (!signedInHint()) return null;
  const { status, body } = await api('GET', '/api/me/emails');
  if (status === 401) setSignedIn(false);
  return status === 200 && Array.isArray(body?.emails) ? body.emails : null;
}

function showConfirmed(before, after) {
  const wasPending = new Set((before || []).filter((entry) => !entry.verified).map((entry) => entry.email));
  const confirmed = (after || []).find((entry) => entry.verified && wasPending.has(entry.email));
  showAlert(
    statusRegion,
    confirmed ? `Thank you — ${confirmed.email} is confirmed.` : 'Thank you — your email address is confirmed.',
  );
  next.replaceChildren(fromTemplate('tpl-confirmed'));
}

function showSendAgain(pending) {
  const panel = fromTemplate('tpl-send-again');
  const list = panel.querySelector('[data-slot="emails"]');
  const resendStatus = panel.querySelector('#resend-status');
  const resendAlert = panel.querySelector('#resend-alert');
  pending.forEach((entry, index) => {
    const row = fromTemplate('tpl-resend-row');
    const address = row.querySelector('[data-slot="email"]');
    address.textContent = entry.email;
    address.id = `pending-email-${index}`;
    const button = row.querySelector('[data-action="resend"]');
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
  progress.hidden = true;
  showAlert(alertRegion, message);
  const emails = await myEmails();
  const pending = (emails || []).filter((entry) => !entry.verified);
  if (emails === null) next.replaceChildren(fromTemplate('tpl-signed-out'));
  else if (pending.length) showSendAgain(pending);
  else next.replaceChildren(fromTemplate('tpl-all-confirmed'));
}

async function confirm() {
  if (!token) {
    await showFailure(MISSING_TOKEN);
    return;
  }
  const before = await myEmails();
  const { status, body } = await api('POST', '/api/accounts/verify-email', { token });
  if (status === 200) {
    const after = before === null ? null : await myEmails();
    progress.hidden = true;
    showConfirmed(before, after);
    return;
  }
  await showFailure(body.message);
}

confirm();

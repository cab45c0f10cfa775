// @ts-check
/**
 * Reset password: the single-use link from the Forgot Password email (?token=...).
 * The link is checked first (POST /api/auth/password-reset/check, which does not spend it): a used
 * or expired link says so at once, before the learner types a new password twice.
 * The new password is typed twice and checked here before it is sent; a 204 means the
 * password is changed and every session of the learner has ended.
 * The office's invitation of an imported learner opens this page too (?token=...&welcome=1): the
 * same routes take its token; the page words it as choosing a first password.
 */
import { api } from './api.js';
import {
  handleSubmit, link, markFields, missingFields, setUpReveal, showAlert, showAnswerProblems,
} from './forms.js';
import { setSignedIn } from './shell.js';

const step = /** @type {HTMLElement} */ (document.getElementById('reset-step'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('reset-form'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('reset-alert'));
const invalidRegion = /** @type {HTMLElement} */ (document.getElementById('reset-invalid'));
const footer = /** @type {HTMLElement} */ (document.getElementById('reset-footer'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('reset-status'));
const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
const query = new URLSearchParams(window.location.search);
const token = query.get('token') || '';
const welcome = query.get('welcome') === '1';
const DONE = welcome
  ? 'Your password is set and your email confirmed. Sign in with your email and your new password. '
  : 'Your password has been changed. You have been signed out everywhere; sign in with your new password. ';

if (welcome) {
  const heading = /** @type {HTMLElement} */ (document.getElementById('reset-heading'));
  const lede = /** @type {HTMLElement} */ (document.getElementById('reset-lede'));
  heading.textContent = 'Choose Your Password';
  lede.textContent = 'Your CME history is already in your account. Choose your password, and type it twice.';
  document.title = 'Choose Your Password · CME Portal';
}

const MISSING_TOKEN = 'This link is not valid: it is incomplete. Open the link in the email again, or ask for a new one.';
const ASK = {
  password: 'Please enter your new password.',
  confirm_password: 'Please type your new password again.',
};
const MISMATCH = 'The two passwords do not match. Please type the same password twice.';

setUpReveal(form);

function showInvalidLink(message) {
  step.hidden = true;
  showAlert(invalidRegion, `${message} `, link('/forgot-password.html', 'Request a new link'));
}

/** The two passwords typed, and typed the same: each problem beside its field. */
function checkPasswords() {
  const missing = missingFields(form).map((detail) => ({ ...detail, message: ASK[detail.field] }));
  if (missing.length) {
    const labels = markFields(form, missing);
    showAlert(alertRegion, `Please fill in: ${labels.join(', ')}.`);
    return false;
  }
  if (/** @type {HTMLInputElement} */ (form.elements.namedItem('password')).value !== /** @type {HTMLInputElement} */ (form.elements.namedItem('confirm_password')).value) {
    markFields(form, [{ field: 'confirm_password', message: MISMATCH }]);
    showAlert(alertRegion, MISMATCH);
    return false;
  }
  return true;
}

function answered(answer) {
  const { status, body } = answer;
  if (status === 204) {
    form.reset();
    step.hidden = true;
    footer.hidden = true; // the message carries the way to Sign In
    setSignedIn(false); // every session has ended, this browser's too
    showAlert(statusRegion, DONE, link('/sign-in.html', 'Sign In'));
    statusRegion.focus();
    return;
  }
  if (status === 400 && body.code === 'TOKEN_INVALID') {
    showInvalidLink(body.message);
    invalidRegion.focus();
    return;
  }
  if (status === 422 && (body.code === 'PASSWORD_TOO_WEAK' || body.code === 'PASSWORD_REUSED')) {
    // the details' words are terse ("same as before"): the field gets the message meant for a person
    markFields(form, [{ field: 'password', message: body.message }]);
    showAlert(alertRegion, body.message);
    return;
  }
  showAnswerProblems(form, alertRegion, answer);
}

handleSubmit(form, {
  button,
  reset: () => showAlert(alertRegion),
  check: checkPasswords,
  send: () => api('POST', '/api/auth/password-reset/confirm', { token, password: /** @type {HTMLInputElement} */ (form.elements.namedItem('password')).value }),
  answered,
});

/** Ask the API whether the link still works (without spending it) before asking for a password twice. */
async function checkLink() {
  if (!token) {
    showInvalidLink(MISSING_TOKEN);
    return;
  }
  const { status, body } = await api('POST', '/api/auth/password-reset/check', { token });
  if (status === 400 && body?.code === 'TOKEN_INVALID') {
    showInvalidLink(body.message);
    return;
  }
  // valid, or not known now (offline, say): the form is shown; saving checks the link again
  step.hidden = false;
}

checkLink();

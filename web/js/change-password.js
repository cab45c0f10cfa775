// @ts-check
/**
 * Change password (on My Portal): the current password and the new one typed twice
 * (PUT /api/me/password). A 204 means the password is changed, every other session has ended
 * (this one goes on) and every confirmed email was told.
 */
import { api } from './api.js';
import {
  handleSubmit, markFields, missingFields, setUpReveal, showAlert, showAnswerProblems,
} from './forms.js';
import { setSignedIn } from './shell.js';

const form = /** @type {HTMLFormElement} */ (document.getElementById('password-form'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('password-alert'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('password-status'));
const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));

const ASK = {
  current_password: 'Please enter your current password.',
  new_password: 'Please enter your new password.',
  confirm_password: 'Please type your new password again.',
};
const MISMATCH = 'The two new passwords do not match. Please type the same password twice.';
const CHANGED = 'Your password has been changed. Your other devices were signed out; we emailed your confirmed addresses.';

setUpReveal(form);

const value = (name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value;

/** Every field filled, and the new password typed the same twice: each problem beside its field. */
function checkPasswords() {
  const missing = missingFields(form).map((detail) => ({ ...detail, message: ASK[detail.field] }));
  if (missing.length) {
    const labels = markFields(form, missing);
    showAlert(alertRegion, `Please fill in: ${labels.join(', ')}.`);
    return false;
  }
  if (value('new_password') !== value('confirm_password')) {
    markFields(form, [{ field: 'confirm_password', message: MISMATCH }]);
    showAlert(alertRegion, MISMATCH);
    return false;
  }
  return true;
}

function answered(answer) {
  if (answer.status === 204) {
    form.reset();
    showAlert(statusRegion, CHANGED);
    statusRegion.focus();
    return;
  }
  if (answer.status === 401) {
    setSignedIn(false);
    window.location.replace('/sign-in.html?next=portal.html');
    return;
  }
  showAnswerProblems(form, alertRegion, answer);
}

handleSubmit(form, {
  button,
  reset: () => {
    showAlert(alertRegion);
    showAlert(statusRegion);
  },
  check: checkPasswords,
  send: () => api('PUT', '/api/me/password', {
    current_password: value('current_password'),
    new_password: value('new_password'),
  }),
  answered,
});

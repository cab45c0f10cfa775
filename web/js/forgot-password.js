// @ts-check
/** Forgot Password: email a single-use link to choose a new password; the API's answer is the same for any email. */
import { api } from './api.js';
import {
  handleSubmit, requireFields, showAlert, showAnswerProblems,
} from './forms.js';
import './shell.js';

const step = /** @type {HTMLElement} */ (document.getElementById('forgot-step'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('forgot-form'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('forgot-alert'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('forgot-status'));
const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));

handleSubmit(form, {
  button,
  reset: () => showAlert(alertRegion),
  check: () => requireFields(form),
  send: () => api('POST', '/api/auth/password-reset', { email: /** @type {HTMLInputElement} */ (form.elements.namedItem('email')).value.trim() }),
  answered: (answer) => {
    if (answer.status === 202) {
      step.hidden = true;
      showAlert(statusRegion, answer.body?.message || 'If an account uses that email, we have sent it a link to choose a new password.');
      statusRegion.focus();
      return;
    }
    showAnswerProblems(form, alertRegion, answer);
  },
});

/** Forgot Password: email a single-use link to choose a new password; the API's answer is the same for any email. */
import { api } from './api.js';
import {
  clearErrors, errorMessage, markFields, missingFields, setBusy, showAlert,
} from './forms.js';
import './shell.js';

const step = document.getElementById('forgot-step');
const form = document.getElementById('forgot-form');
const alertRegion = document.getElementById('forgot-alert');
const statusRegion = document.getElementById('forgot-status');
const button = form.querySelector('button[type="submit"]');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (button.disabled) return;
  clearErrors(form);
  showAlert(alertRegion);
  const missing = missingFields(form);
  if (missing.length) {
    markFields(form, missing);
    return;
  }
  const email = form.elements.namedItem('email').value.trim();

  setBusy(button, true);
  const { status, body } = await api('POST', '/api/auth/password-reset', { email });
  setBusy(button, false);
  if (status === 202) {
    step.hidden = true;
    showAlert(statusRegion, body?.message || 'If an account uses that email, we have sent it a link to choose a new password.');
    statusRegion.focus();
    return;
  }
  const labels = status === 422 ? markFields(form, body.details) : [];
  showAlert(alertRegion, errorMessage(form, body, labels));
});

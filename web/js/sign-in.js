/** Sign In: email + password; the API's messages are shown verbatim. */
import { api } from './api.js';
import {
  clearErrors, errorMessage, markFields, missingFields, safeNext, setBusy, setUpReveal, showAlert,
} from './forms.js';
import { setRole, setSignedIn } from './shell.js';

const form = document.getElementById('sign-in-form');
const alertRegion = document.getElementById('sign-in-alert');
const button = form.querySelector('button[type="submit"]');
const next = safeNext(new URLSearchParams(window.location.search).get('next'));

setUpReveal(form);

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
  const password = form.elements.namedItem('password').value;

  setBusy(button, true);
  const { status, body } = await api('POST', '/api/auth/sign-in', { email, password });
  if (status === 200) {
    setSignedIn(true);
    setRole(body?.learner?.role);
    window.location.assign(next || '/portal.html');
    return;
  }
  setBusy(button, false);
  const labels = status === 422 ? markFields(form, body.details) : [];
  showAlert(alertRegion, errorMessage(form, body, labels));
  if (body.code === 'PASSWORD_MISMATCH') {
    const field = form.elements.namedItem('password');
    field.value = '';
    field.focus();
  }
});

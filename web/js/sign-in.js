/**
 * Sign In: email + password; the API's messages are shown verbatim. The email typed here is
 * kept for this browser tab (sessionStorage, never logged or sent anywhere) so Create Account
 * starts with it.
 */
import { api } from './api.js';
import {
  clearErrors, errorMessage, markFields, missingFields, safeNext, setBusy, setUpReveal, showAlert,
} from './forms.js';
import { setRole, setSignedIn } from './shell.js';

const form = document.getElementById('sign-in-form');
const alertRegion = document.getElementById('sign-in-alert');
const button = form.querySelector('button[type="submit"]');
const next = safeNext(new URLSearchParams(window.location.search).get('next'));

const EMAIL_KEY = 'cme.signInEmail';

function keepEmail(email) {
  try {
    if (email) window.sessionStorage.setItem(EMAIL_KEY, email);
    else window.sessionStorage.removeItem(EMAIL_KEY);
  } catch {
    // storage disabled: Create Account starts empty
  }
}

setUpReveal(form);
const emailField = form.elements.namedItem('email');
emailField.addEventListener('input', () => keepEmail(emailField.value.trim()));

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
    keepEmail('');
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

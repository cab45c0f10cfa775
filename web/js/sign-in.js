// @ts-check
/**
 * Sign In: email + password; the API's messages are shown verbatim. The email typed here is
 * kept for this browser tab (sessionStorage, never logged or sent anywhere) so Create Account
 * starts with it.
 */
import { api } from './api.js';
import {
  errorMessage, handleSubmit, markFields, requireFields, safeNext, setUpReveal, showAlert,
} from './forms.js';
import { setRole, setSignedIn } from './shell.js';

const form = /** @type {HTMLFormElement} */ (document.getElementById('sign-in-form'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('sign-in-alert'));
const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
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
const emailField = /** @type {HTMLInputElement} */ (form.elements.namedItem('email'));
emailField.addEventListener('input', () => keepEmail(emailField.value.trim()));

handleSubmit(form, {
  button,
  reset: () => showAlert(alertRegion),
  check: () => requireFields(form),
  send: () => {
    const email = /** @type {HTMLInputElement} */ (form.elements.namedItem('email')).value.trim();
    const password = /** @type {HTMLInputElement} */ (form.elements.namedItem('password')).value;
    return api('POST', '/api/auth/sign-in', { email, password });
  },
  leaving: ({ status }) => status === 200,
  answered: ({ status, body }) => {
    if (status === 200) {
      keepEmail('');
      setSignedIn(true);
      setRole(body?.learner?.role);
      window.location.assign(next || '/portal.html');
      return;
    }
    const labels = status === 422 ? markFields(form, body.details) : [];
    showAlert(alertRegion, errorMessage(form, body, labels));
    if (body.code === 'PASSWORD_MISMATCH') {
      const field = /** @type {HTMLInputElement} */ (form.elements.namedItem('password'));
      field.value = '';
      field.focus();
    }
  },
});

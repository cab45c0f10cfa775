/**
 * Sign in to this activity (at the event, usually on a phone): the attendance code (filled in
 * from the QR code's ?code=), email and name. The API's messages are shown as they are.
 * On a shared device, "Sign in another person" starts again with the same code.
 */
import { api } from './api.js';
import {
  clearErrors, errorMessage, markFields, missingFields, setBusy, showAlert,
} from './forms.js';
import './shell.js';

const form = document.getElementById('attend-form');
const alertRegion = document.getElementById('attend-alert');
const button = form.querySelector('button[type="submit"]');
const done = document.getElementById('attend-done');
const doneTitle = document.getElementById('attend-done-title');
const again = document.getElementById('attend-again');
const lede = document.getElementById('attend-lede');

const codeInput = form.elements.namedItem('code');
const fromLink = new URLSearchParams(window.location.search).get('code');
if (fromLink) codeInput.value = fromLink.trim().toUpperCase().slice(0, 20);

// The field an error is about when the API names none, with short words for next to it.
const FIELD_OF = {
  CODE_INVALID: ['code', 'Check the code on the screen and try again.'],
  EMAIL_INVALID: ['email', 'Please enter a valid email address.'],
};

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (button.disabled) return;
  clearErrors(form);
  showAlert(alertRegion);
  const missing = missingFields(form);
  if (missing.length) {
    const labels = markFields(form, missing);
    showAlert(alertRegion, `Please fill in: ${labels.join(', ')}.`);
    return;
  }
  const value = (name) => form.elements.namedItem(name).value.trim();
  const payload = {
    code: value('code'),
    email: value('email'),
    first_name: value('first_name'),
    last_name: value('last_name'),
  };
  setBusy(button, true);
  const { status, body } = await api('POST', '/api/attendance', payload);
  setBusy(button, false);
  if (status === 201 || status === 200) {
    doneTitle.textContent = `You're signed in to ${body.title}.`;
    done.querySelector('[data-slot="email"]').textContent = payload.email;
    form.hidden = true;
    lede.hidden = true;
    done.hidden = false;
    done.focus();
    return;
  }
  let labels = [];
  if (status === 422 && Array.isArray(body.details) && body.details.length) {
    labels = markFields(form, body.details);
  } else if (FIELD_OF[body.code]) {
    const [field, message] = FIELD_OF[body.code];
    markFields(form, [{ field, message }]);
  }
  showAlert(alertRegion, errorMessage(form, body, labels));
});

again.addEventListener('click', () => {
  for (const name of ['email', 'first_name', 'last_name']) form.elements.namedItem(name).value = '';
  done.hidden = true;
  lede.hidden = false;
  form.hidden = false;
  form.elements.namedItem('email').focus();
});

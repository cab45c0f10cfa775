// @ts-check
/**
 * Sign in to this activity (at the event, usually on a phone): the attendance code (filled in
 * from the QR code's ?code=), email and name. The API's messages are shown as they are.
 * On a shared device, "Sign in another person" starts again with the same code.
 *
 * Before anything is sent, the activity the code opens is shown (GET /api/attend/{code}: its
 * title and dates only), when the page opens with a code and each time the code is changed.
 * Each lookup is a code attempt in the sign-in's throttle, so the page asks once per code.
 *
 * A learner signed in to the CME Portal (only the shell's signed-in hint makes the page ask
 * GET /api/me; a 401 falls back to the guest form silently) finds their name and email filled
 * in, and no suggestion to create an account afterwards. The button says what it does for
 * everyone: "Record my attendance".
 */
import { api } from './api.js';
import {
  errorMessage, handleSubmit, markFields, requireFields, showAlert,
} from './forms.js';
import { setSignedIn, signedInHint } from './shell.js';
import { formatDateRange } from './dates.js';

const form = /** @type {HTMLFormElement} */ (document.getElementById('attend-form'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('attend-alert'));
const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
const done = /** @type {HTMLElement} */ (document.getElementById('attend-done'));
const doneTitle = /** @type {HTMLElement} */ (document.getElementById('attend-done-title'));
const again = /** @type {HTMLButtonElement} */ (document.getElementById('attend-again'));
const lede = /** @type {HTMLElement} */ (document.getElementById('attend-lede'));
const GUEST = { lede: lede.textContent };
const preview = /** @type {HTMLElement} */ (document.getElementById('attend-activity'));
const guestNext = /** @type {HTMLElement} */ (done.querySelector('[data-when="guest"]'));
const otherEmailNext = /** @type {HTMLElement} */ (done.querySelector('[data-when="other-email"]'));

/** @type {Api.Profile | null} */
let learner = null; // the signed-in learner's profile (GET /api/me), or null for a guest

/** The form as a guest sees it, or as the signed-in learner does. */
function showAs(profile) {
  learner = profile;
  lede.textContent = profile
    ? `You are signed in to the CME Portal as ${profile.email}: record your attendance, so that you can claim credit after the event.`
    : GUEST.lede;
}

/** Name and email of the signed-in learner, in the fields not filled in yet. */
function fillIn(profile) {
  const values = { email: profile.email, first_name: profile.first_name, last_name: profile.last_name };
  for (const [name, value] of Object.entries(values)) {
    const field = /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
    if (!field.value && typeof value === 'string') field.value = value;
  }
}

async function recognise() {
  if (!signedInHint()) return;
  const { status, body } = await api('GET', '/api/me');
  if (status === 200 && body && typeof body.email === 'string') {
    showAs(body);
    fillIn(body);
    return;
  }
  if (status === 401) setSignedIn(false);
  showAs(null); // not signed in (or the API could not say): the guest form, without a word
}

const codeInput = /** @type {HTMLInputElement} */ (form.elements.namedItem('code'));
const fromLink = new URLSearchParams(window.location.search).get('code');
if (fromLink) codeInput.value = fromLink.trim().toUpperCase().slice(0, 20);

/** @param {string} name */
function previewSlot(name) {
  return /** @type {HTMLElement} */ (preview.querySelector(`[data-slot="${name}"]`));
}

/** Show the activity a code opens, or say that it opens none. */
function showPreview(label, title, when, unknown = false) {
  previewSlot('label').textContent = label;
  previewSlot('title').textContent = title;
  previewSlot('when').textContent = when;
  previewSlot('when').hidden = !when;
  preview.classList.toggle('attend-activity--unknown', unknown);
  preview.hidden = false;
}

let lookedUp = ''; // the code last looked up: each lookup counts as a code attempt, so never twice
async function lookUp() {
  const code = codeInput.value.trim().toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (!code) {
    preview.hidden = true;
    lookedUp = '';
    return;
  }
  if (code === lookedUp) return;
  lookedUp = code;
  showPreview('Activity', 'Looking up the activity…', '');
  const { status, body } = await api('GET', `/api/attend/${encodeURIComponent(code)}`);
  if (lookedUp !== code) return; // the code changed meanwhile: its own lookup answers
  if (status === 200 && typeof body?.title === 'string') {
    showPreview('You are recording your attendance at', body.title, formatDateRange(body.start_date, body.end_date));
  } else if (status === 404) {
    showPreview('Activity', 'No activity has this code. Check it on the screen or ask the CME office.', '', true);
  } else {
    lookedUp = ''; // not an answer about the code (too many attempts, no network): the sign-in still says
    preview.hidden = true;
    if (body?.message) showAlert(alertRegion, body.message);
  }
}
codeInput.addEventListener('change', lookUp);

// The field an error is about when the API names none, with short words for next to it.
const FIELD_OF = {
  CODE_INVALID: ['code', 'Check the code on the screen and try again.'],
  EMAIL_INVALID: ['email', 'Please enter a valid email address.'],
};

/** @type {{ code: string, email: string, first_name: string, last_name: string } | null} */
let payload = null;

handleSubmit(form, {
  button,
  reset: () => showAlert(alertRegion),
  check: () => requireFields(form, alertRegion),
  send: () => {
    const value = (name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value.trim();
    payload = {
      code: value('code'),
      email: value('email'),
      first_name: value('first_name'),
      last_name: value('last_name'),
    };
    return api('POST', '/api/attendance', payload);
  },
  answered,
});

function answered({ status, body }) {
  if (status === 201 || status === 200) {
    const sent = /** @type {NonNullable<typeof payload>} */ (payload); // send set it before this answer came
    doneTitle.textContent = learner
      ? `Your attendance at ${body.title} is recorded.`
      : `You're signed in to ${body.title}.`;
    /** @type {HTMLElement} */ (done.querySelector('[data-slot="email"]')).textContent = sent.email;
    guestNext.hidden = Boolean(learner);
    otherEmailNext.hidden = !learner || sent.email.toLowerCase() === learner.email.toLowerCase();
    form.hidden = true;
    lede.hidden = true;
    preview.hidden = true; // the title is in the answer
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
}

again.addEventListener('click', () => {
  for (const name of ['email', 'first_name', 'last_name']) /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value = '';
  showAs(null); // another person on this device: a guest (the same code, its activity still shown)
  done.hidden = true;
  lede.hidden = false;
  preview.hidden = !lookedUp;
  form.hidden = false;
  /** @type {HTMLInputElement} */ (form.elements.namedItem('email')).focus();
});

recognise();
lookUp();

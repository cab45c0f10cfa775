// @ts-check
/**
 * Create Account: first one final attempt to find an existing account (last name + phone),
 * then the profile form; Save Profile creates the account and signs the learner in.
 */
import { api } from './api.js';
import {
  formValues, handleSubmit, link, markFields, requireFields, setUpReveal, showAlert, showAnswerProblems,
} from './forms.js';
import { setSignedIn } from './shell.js';
import { fillDegrees } from './credits.js';

const lookupStep = /** @type {HTMLElement} */ (document.getElementById('step-lookup'));
const lookupForm = /** @type {HTMLFormElement} */ (document.getElementById('lookup-form'));
const lookupAlert = /** @type {HTMLElement} */ (document.getElementById('lookup-alert'));
const lookupButton = /** @type {HTMLButtonElement} */ (lookupForm.querySelector('button[type="submit"]'));
const result = /** @type {HTMLElement} */ (document.getElementById('lookup-result'));

const profileStep = /** @type {HTMLElement} */ (document.getElementById('step-profile'));
const profileForm = /** @type {HTMLFormElement} */ (document.getElementById('profile-form'));
const profileAlert = /** @type {HTMLElement} */ (document.getElementById('profile-alert'));
const saveButton = /** @type {HTMLButtonElement} */ (profileForm.querySelector('button[type="submit"]'));

setUpReveal(profileForm);
fillDegrees(/** @type {HTMLSelectElement} */ (profileForm.elements.namedItem('degree')));

/** The email typed at Sign In in this tab (sessionStorage), so it need not be typed again. */
const SIGN_IN_EMAIL = 'cme.signInEmail';
function signInEmail() {
  try {
    return window.sessionStorage.getItem(SIGN_IN_EMAIL) || '';
  } catch {
    return '';
  }
}
const emailField = /** @type {HTMLInputElement} */ (profileForm.elements.namedItem('email'));
if (!emailField.value) emailField.value = signInEmail();

function fromTemplate(id) {
  const template = /** @type {HTMLTemplateElement} */ (document.getElementById(id));
  return /** @type {HTMLElement} */ (/** @type {Element} */ (template.content.firstElementChild).cloneNode(true));
}

function showProfileStep() {
  const { last_name: lastName, phone } = formValues(lookupForm);
  const lastNameField = /** @type {HTMLInputElement} */ (profileForm.elements.namedItem('last_name'));
  const phoneField = /** @type {HTMLInputElement} */ (profileForm.elements.namedItem('phone'));
  if (!lastNameField.value) lastNameField.value = lastName;
  if (!phoneField.value) phoneField.value = phone;
  lookupStep.hidden = true;
  profileStep.hidden = false;
  /** @type {HTMLElement} */ (document.getElementById('profile-heading')).focus();
}

function showMatches(matches) {
  const panel = fromTemplate('tpl-match');
  const list = /** @type {HTMLUListElement} */ (panel.querySelector('[data-slot="emails"]'));
  for (const match of matches) {
    const item = document.createElement('li');
    item.textContent = match.masked_email;
    list.append(item);
  }
  const several = matches.length > 1;
  /** @type {HTMLElement} */ (panel.querySelector('[data-slot="title"]')).textContent = several
    ? 'We found accounts that may be yours:'
    : 'We found an account that may be yours:';
  /** @type {HTMLElement} */ (panel.querySelector('[data-slot="sign-in"]')).textContent = several
    ? 'Sign in with one of those emails. If you do not remember its password, use Forgot Password.'
    : 'Sign in with that email. If you do not remember its password, use Forgot Password.';
  const keepGoing = /** @type {HTMLButtonElement} */ (panel.querySelector('[data-action="continue"]'));
  keepGoing.textContent = several ? 'None of these are mine, continue' : 'This is not mine, continue';
  keepGoing.addEventListener('click', showProfileStep);
  result.replaceChildren(panel);
}

function showNoMatch() {
  const panel = fromTemplate('tpl-no-match');
  /** @type {HTMLButtonElement} */ (panel.querySelector('[data-action="continue"]')).addEventListener('click', showProfileStep);
  result.replaceChildren(panel);
}

handleSubmit(lookupForm, {
  button: lookupButton,
  reset: () => {
    showAlert(lookupAlert);
    result.replaceChildren();
  },
  check: () => requireFields(lookupForm),
  send: () => {
    const { last_name: lastName, phone } = formValues(lookupForm);
    return api('POST', '/api/accounts/lookup', { last_name: lastName, phone });
  },
  answered: (answer) => {
    if (answer.status === 200) {
      const matches = Array.isArray(answer.body?.matches) ? answer.body.matches : [];
      if (matches.length) showMatches(matches);
      else showNoMatch();
      return;
    }
    showAnswerProblems(lookupForm, lookupAlert, answer);
  },
});

function accountPayload() {
  const values = formValues(profileForm);
  const payload = {
    email: values.email,
    password: values.password,
    first_name: values.first_name,
    last_name: values.last_name,
    degree: values.degree,
    phone: values.phone,
  };
  if (values.specialty) payload.specialty = values.specialty;
  if (values.npi) payload.npi = values.npi;
  return payload;
}

function accountAnswered(answer) {
  const { status, body } = answer;
  if (status === 201) {
    try {
      window.sessionStorage.removeItem(SIGN_IN_EMAIL);
    } catch {
      // storage disabled: nothing was kept
    }
    setSignedIn(true);
    window.location.assign('/portal.html');
    return;
  }
  if (status === 409 && body.code === 'EMAIL_TAKEN') {
    showAlert(profileAlert, `${body.message} `, link('/sign-in.html', 'Sign In'));
    markFields(profileForm, [{ field: 'email', message: 'This email already has an account.' }]);
    return;
  }
  showAnswerProblems(profileForm, profileAlert, answer);
}

handleSubmit(profileForm, {
  button: saveButton,
  reset: () => showAlert(profileAlert),
  check: () => requireFields(profileForm, profileAlert),
  send: () => api('POST', '/api/accounts', accountPayload()),
  leaving: ({ status }) => status === 201,
  answered: accountAnswered,
});

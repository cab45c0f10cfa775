// @ts-check
/**
 * My Portal: the signed-in learner's welcome and profile, with an Edit profile form (PUT /api/me);
 * a banner while the primary email is not confirmed; and My emails: every email the learner
 * uses (attendance is recorded by email), each confirmed by a link sent to it. My activities
 * (grouped by status, each claim with its certificate) is my-activities.js; confirming the
 * phone (for attendance by text message) is my-phone.js.
 */
import { api } from './api.js';
import {
  clearErrors, formValues, formatPhone, handleSubmit, requireFields, setBusy, showAlert, showAnswerProblems,
} from './forms.js';
import { setRole, setSignedIn } from './shell.js';
import { claimants, fillDegrees, mocBoards, mocBoardsFor } from './credits.js';
import { setUpEmails } from './my-emails.js';
import { setUpActivities } from './my-activities.js';
import { setUpPhone } from './my-phone.js';

const loading = /** @type {HTMLElement} */ (document.getElementById('portal-loading'));
const portal = /** @type {HTMLElement} */ (document.getElementById('portal'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('portal-status'));
const editToggle = /** @type {HTMLButtonElement} */ (document.getElementById('edit-toggle'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('profile-form'));
const formAlert = /** @type {HTMLElement} */ (document.getElementById('profile-alert'));
const saveButton = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
fillDegrees(/** @type {HTMLSelectElement} */ (form.elements.namedItem('degree')));

const banner = /** @type {HTMLElement} */ (document.getElementById('verify-banner'));
const bannerStatus = /** @type {HTMLElement} */ (document.getElementById('banner-status'));
const bannerAlert = /** @type {HTMLElement} */ (document.getElementById('banner-alert'));
const bannerButton = /** @type {HTMLButtonElement} */ (document.getElementById('banner-resend'));

/** @type {Api.Profile | null} */
let profile = null;
/** @type {ReturnType<typeof setUpEmails> | null} */
let emails = null;
/** @type {ReturnType<typeof setUpPhone> | null} */
let phone = null;

// one board id field per board MOC points are reported to (the boards come from GET /api/credit-types)
const boardBox = /** @type {HTMLElement} */ (document.getElementById('edit-board-ids'));
for (const board of mocBoards()) {
  const field = document.createElement('div');
  field.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = `edit-board-${board}`;
  label.textContent = `${board} id `;
  const optional = document.createElement('span');
  optional.className = 'optional';
  optional.textContent = '(optional)';
  label.append(optional);
  const input = document.createElement('input');
  Object.assign(input, { id: `edit-board-${board}`, name: `board_ids.${board}`, type: 'text', autocomplete: 'off', maxLength: 20 });
  input.className = 'input--short';
  field.dataset.board = board;
  field.append(label, input);
  boardBox.append(field);
}

/**
 * What a degree reports, so what its profile shows and asks (the mapping is the API's, from
 * GET /api/credit-types): the ids at the boards whose MOC points it may claim, the NABP id where
 * it may claim ACPE credit, and the birth month and day where either is reported. A nurse sees
 * no physician board.
 */
function reports(degree) {
  const boards = mocBoardsFor(degree);
  const nabp = claimants('ACPE').includes(degree);
  return { boards, nabp, birth: boards.length > 0 || nabp };
}

/** Show only the reporting fields of `degree` (the degree chosen in the form). */
function showReportingFields(degree) {
  const shown = reports(degree);
  for (const field of /** @type {NodeListOf<HTMLElement>} */ (boardBox.querySelectorAll('[data-board]'))) {
    field.hidden = !shown.boards.includes(field.dataset.board || '');
  }
  /** @type {HTMLElement} */ (document.getElementById('edit-nabp-field')).hidden = !shown.nabp;
  /** @type {HTMLElement} */ (document.getElementById('edit-reporting')).hidden = !shown.birth;
}

function boardIdsText(boards) {
  const given = Object.entries(boards || {}).filter(([, id]) => id);
  return given.length ? given.map(([board, id]) => `${board} ${id}`).join(', ') : 'Not given';
}

/** "0704" -> "July 4". */
function monthDay(mmdd) {
  if (!/^\d{4}$/.test(mmdd || '')) return 'Not given';
  const day = new Date(Date.UTC(2000, Number(mmdd.slice(0, 2)) - 1, Number(mmdd.slice(2))));
  return day.toLocaleDateString('en-US', { month: 'long', day: 'numeric', timeZone: 'UTC' });
}

/** The profile the page shows: load() sets it before any part that reads it is shown. */
function theProfile() {
  if (!profile) throw new Error('My Portal: no profile yet');
  return profile;
}

function goToSignIn() {
  setSignedIn(false);
  window.location.replace('/sign-in.html?next=/portal.html');
}

function render() {
  const current = theProfile();
  const degree = current.degree ? `, ${current.degree}` : '';
  /** @type {HTMLElement} */ (document.getElementById('welcome')).textContent = `Welcome, ${current.first_name} ${current.last_name}${degree}`;
  const shown = {
    email: current.email,
    phone: formatPhone(current.phone) || 'Not given',
    specialty: current.specialty || 'Not given',
    npi: current.npi || 'Not given',
    board_ids: boardIdsText(current.board_ids),
    nabp_eprofile_id: current.nabp_eprofile_id || 'Not given',
    birth_mmdd: monthDay(current.birth_mmdd),
  };
  for (const [field, value] of Object.entries(shown)) {
    const cell = /** @type {HTMLElement} */ (portal.querySelector(`[data-field="${field}"]`));
    cell.textContent = value;
    cell.classList.toggle('muted', value === 'Not given');
  }
  const reported = reports(current.degree);
  const rows = { board_ids: reported.boards.length > 0, nabp_eprofile_id: reported.nabp, birth_mmdd: reported.birth };
  for (const [field, show] of Object.entries(rows)) {
    /** @type {HTMLElement} */ (portal.querySelector(`[data-shown-for="${field}"]`)).hidden = !show;
  }
  /** @type {HTMLElement} */ (document.getElementById('email-unverified')).hidden = Boolean(current.email_verified);
  banner.hidden = Boolean(current.email_verified);
  /** @type {HTMLElement} */ (banner.querySelector('[data-slot="email"]')).textContent = current.email_verified ? '' : current.email;
  phone?.show(current);
}

/** Take a fresh profile (after a change elsewhere on the page) and show it. */
function setProfile(next) {
  profile = next;
  render();
}

function fillForm() {
  const current = theProfile();
  const values = {
    first_name: current.first_name,
    last_name: current.last_name,
    degree: current.degree,
    phone: formatPhone(current.phone),
    specialty: current.specialty || '',
    npi: current.npi || '',
    nabp_eprofile_id: current.nabp_eprofile_id || '',
    birth_mmdd: current.birth_mmdd || '',
  };
  for (const board of mocBoards()) values[`board_ids.${board}`] = current.board_ids?.[board] || '';
  for (const [name, value] of Object.entries(values)) {
    /** @type {HTMLInputElement | HTMLSelectElement} */ (form.elements.namedItem(name)).value = value ?? '';
  }
  showReportingFields(current.degree);
}

/** @type {HTMLSelectElement} */ (form.elements.namedItem('degree')).addEventListener('change', (event) => {
  showReportingFields(/** @type {HTMLSelectElement} */ (event.target).value);
});

function setEditing(editing) {
  form.hidden = !editing;
  editToggle.setAttribute('aria-expanded', String(editing));
  editToggle.hidden = editing;
  clearErrors(form);
  showAlert(formAlert);
  if (editing) {
    fillForm();
    showAlert(statusRegion);
    /** @type {HTMLInputElement} */ (form.elements.namedItem('first_name')).focus();
  }
}

editToggle.addEventListener('click', () => setEditing(true));
/** @type {HTMLButtonElement} */ (form.querySelector('[data-action="cancel"]')).addEventListener('click', () => {
  setEditing(false);
  editToggle.focus();
});

function profilePayload() {
  const current = theProfile();
  const values = formValues(form);
  const shown = reports(values.degree);
  const payload = {
    first_name: values.first_name,
    last_name: values.last_name,
    degree: values.degree,
    phone: values.phone,
    specialty: values.specialty || null,
    npi: values.npi || null,
    transcript_frequency: current.transcript_frequency,
    // a board (or NABP) the degree does not report to keeps what the profile holds, unseen and unchanged
    board_ids: Object.fromEntries(mocBoards().map((board) => [
      board,
      (shown.boards.includes(board) ? values[`board_ids.${board}`] : current.board_ids?.[board]) || '',
    ])),
    nabp_eprofile_id: (shown.nabp ? values.nabp_eprofile_id : current.nabp_eprofile_id) || '',
    birth_mmdd: values.birth_mmdd || '',
  };
  return payload;
}

function profileSaved(answer) {
  const { status, body } = answer;
  if (status === 200 && body) {
    profile = body;
    render();
    setEditing(false);
    showAlert(statusRegion, 'Your profile has been saved.');
    editToggle.focus();
    return;
  }
  if (status === 401) {
    goToSignIn();
    return;
  }
  showAnswerProblems(form, formAlert, answer);
}

handleSubmit(form, {
  button: saveButton,
  reset: () => showAlert(formAlert),
  check: () => requireFields(form, formAlert),
  send: () => api('PUT', '/api/me', profilePayload()),
  answered: profileSaved,
});

bannerButton.addEventListener('click', async () => {
  if (bannerButton.disabled) return;
  showAlert(bannerStatus);
  showAlert(bannerAlert);
  setBusy(bannerButton, true);
  const { status, body } = await api('POST', '/api/accounts/verify-email/resend');
  setBusy(bannerButton, false);
  if (status === 202) {
    if (body.verified) {
      // confirmed meanwhile (in another tab or browser): the banner's work is done
      const me = await api('GET', '/api/me');
      if (me.status === 200 && me.body) setProfile(me.body);
      emails?.reload();
      showAlert(statusRegion, `${body.email} is confirmed.`);
      return;
    }
    showAlert(bannerStatus, `We sent a new link to ${body.email}.`);
    return;
  }
  if (status === 401) {
    goToSignIn();
    return;
  }
  showAlert(bannerAlert, body.message);
});

/**
 * A typo in the primary email, before it is confirmed: the right address replaces it (and gets
 * the link). Nothing else can be added until the primary is confirmed
 * (docs/api.md "An account made before its owner").
 */
const replaceForm = /** @type {HTMLFormElement} */ (document.getElementById('replace-email-form'));
const replaceInput = /** @type {HTMLInputElement} */ (replaceForm.elements.namedItem('email'));
handleSubmit(replaceForm, {
  button: /** @type {HTMLButtonElement} */ (replaceForm.querySelector('button[type="submit"]')),
  reset: () => {
    showAlert(bannerStatus);
    showAlert(bannerAlert);
  },
  check: () => Boolean(replaceInput.value.trim()),
  send: () => api('PUT', '/api/me/email', { email: replaceInput.value.trim() }),
  answered: async ({ status, body }) => {
    if (status === 401) {
      goToSignIn();
      return;
    }
    if (status !== 200) {
      showAlert(bannerAlert, body.message);
      return;
    }
    replaceInput.value = '';
    const me = await api('GET', '/api/me');
    if (me.status === 200 && me.body) setProfile(me.body);
    emails?.reload();
    showAlert(bannerStatus, `We sent a link to ${body.email.email}. Open it to confirm your email.`);
  },
});

/**
 * Everything the page shows is asked for at once, and the portal is shown in one go when it has
 * arrived: the skeleton holds the page's height until then, so nothing drops in afterwards and
 * pushes the page down (layout shift).
 */
async function load() {
  const activities = setUpActivities({
    onSignedOut: goToSignIn,
    profile: () => profile,
    onProfileChanged: async () => {
      const me = await api('GET', '/api/me');
      if (me.status === 200 && me.body) setProfile(me.body);
    },
  });
  const [me, list] = await Promise.all([
    api('GET', '/api/me'),
    api('GET', '/api/me/emails'),
    activities.reload(),
  ]);
  const { status, body } = me;
  if (status === 401) {
    goToSignIn();
    return;
  }
  if (status !== 200 || !body) {
    const text = /** @type {HTMLElement} */ (loading.querySelector('[data-slot="text"]'));
    text.textContent = body?.message || 'We could not load your portal. Please try again.';
    text.classList.add('alert', 'alert--error');
    loading.classList.add('portal-skeleton--failed');
    return;
  }
  setSignedIn(true);
  setRole(body.role);
  profile = body;
  render();
  emails = setUpEmails({ onProfile: setProfile, onSignedOut: goToSignIn });
  emails.show(list);
  phone = setUpPhone({
    onProfile: (next) => {
      setProfile(next);
      showAlert(statusRegion, 'Your phone is confirmed: texting an attendance code now records your attendance.');
    },
    onSignedOut: goToSignIn,
  });
  await phone.start(body);
  loading.hidden = true;
  portal.hidden = false;
  showNotices(body.notices || []);
}

/**
 * What the account has to be told once (docs/api.md "An account made before its owner"): shown
 * here, then cleared, so the next visit does not show it again.
 */
function showNotices(notices) {
  if (!notices.length) return;
  const box = /** @type {HTMLElement} */ (document.getElementById('portal-notices'));
  /** @type {HTMLElement} */ (box.querySelector('[data-slot="text"]')).textContent = notices.map((n) => n.message).join(' ');
  box.hidden = false;
  api('DELETE', '/api/me/notices');
}

load();

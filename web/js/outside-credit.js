// @ts-check
/**
 * Outside credit: CME the learner earned elsewhere (POST/GET/DELETE /api/me/outside-credits),
 * shown on the transcript marked self-reported. Each one's certificate goes from the browser
 * straight to the documents bucket: the API signs a POST for exactly one file of the declared
 * type (PDF, PNG or JPEG, at most 10 MB), the page sends the signed fields then the file as
 * multipart form data, and the API then reads the file's first bytes before it will ever serve
 * it (GET .../document: a fresh pre-signed link, or DOCUMENT_MISMATCH).
 */
import { api } from './api.js';
import {
  errorMessage, handleSubmit, markFields, requireFields, setBusy, showAlert,
} from './forms.js';
import { h, setRole, setSignedIn } from './shell.js';
import { counted, creditTypes } from './credits.js';
import { formatDate, officeToday } from './dates.js';

const MAX_BYTES = 10 * 1024 * 1024;
const TYPES = Object.freeze({ 'application/pdf': 'PDF', 'image/png': 'PNG', 'image/jpeg': 'JPEG' });
const BY_EXTENSION = Object.freeze({
  pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg',
});

const loading = /** @type {HTMLElement} */ (document.getElementById('outside-loading'));
const root = /** @type {HTMLElement} */ (document.getElementById('outside'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('outside-form'));
const addStatus = /** @type {HTMLElement} */ (document.getElementById('add-status'));
const addAlert = /** @type {HTMLElement} */ (document.getElementById('add-alert'));
const typeSelect = /** @type {HTMLSelectElement} */ (document.getElementById('outside-type'));
const topicList = /** @type {HTMLElement} */ (document.getElementById('outside-topic-list'));
const topicsBox = /** @type {HTMLFieldSetElement} */ (document.getElementById('outside-topics'));
const completedInput = /** @type {HTMLInputElement} */ (document.getElementById('outside-completed'));
const table = /** @type {HTMLTableElement} */ (document.getElementById('outside-table'));
const empty = /** @type {HTMLElement} */ (document.getElementById('outside-empty'));
const listStatus = /** @type {HTMLElement} */ (document.getElementById('list-status'));
const listAlert = /** @type {HTMLElement} */ (document.getElementById('list-alert'));
const today = officeToday();
const topicLabels = new Map();

function goToSignIn() {
  setSignedIn(false);
  window.location.replace('/sign-in.html?next=/outside-credit.html');
}

function fillCreditTypes() {
  const options = creditTypes().map((kind) => h('option', { value: kind.type }, kind.label));
  typeSelect.replaceChildren(h('option', { value: '' }, 'Choose a credit type'), ...options);
}

async function fillTopics() {
  const { status, body } = await api('GET', '/api/topics');
  const topics = status === 200 && Array.isArray(body?.topics) ? body.topics : [];
  topicsBox.hidden = topics.length === 0;
  topicList.replaceChildren(...topics.map((item) => {
    topicLabels.set(item.topic, item.label);
    return h(
      'label',
      { class: 'checkbox' },
      h('input', { type: 'checkbox', name: 'topics', value: item.topic }),
      ` ${item.label}`,
    );
  }));
}

/** The file's type as the API takes it: what the browser says, else by its extension. */
function fileType(file) {
  if (TYPES[file.type]) return file.type;
  const extension = (file.name.split('.').pop() || '').toLowerCase();
  return BY_EXTENSION[extension] || '';
}

function certificateText(item) {
  if (!item.document_type) return 'None attached';
  if (item.document_mismatch) return `Refused: the file is not a ${TYPES[item.document_type]}. Attach it again.`;
  if (item.document_checked) return `${TYPES[item.document_type]} attached`;
  return `${TYPES[item.document_type]} attached, not yet checked`;
}

function row(item) {
  const id = item.outside_credit_id;
  const fileId = `file-${id}`;
  // each cell's content in one box: on a phone a stacked cell is a grid of its label and one box
  // (styles.css .table--stack), where loose pieces would each take a cell of their own
  const about = h(
    'div',
    {},
    item.title,
    h('br'),
    h('span', { class: 'muted' }, item.provider),
    ' ',
    h('span', { class: 'badge' }, 'Self-reported'),
  );
  const topics = (item.topics || []).map((topic) => topicLabels.get(topic) || topic);
  if (topics.length) about.append(h('br'), h('span', { class: 'muted' }, `Topics: ${topics.join(', ')}`));
  const title = h('td', { 'data-label': 'Activity', class: 'table__title' }, about);

  const input = h('input', {
    id: fileId, type: 'file', accept: '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg',
  });
  input.addEventListener('change', () => attach(item, input));
  const certificate = h(
    'td',
    { 'data-label': 'Certificate', class: 'cell--wide' },
    h(
      'div',
      {},
      h('p', { class: 'certificate-state' }, certificateText(item)),
      h('label', { for: fileId, class: 'certificate-attach' }, 'Attach certificate', h('span', { class: 'visually-hidden' }, ` for ${item.title}`)),
      input,
    ),
  );
  const buttons = h('div', { class: 'actions' });
  const actions = h('td', { 'data-label': 'Actions' }, buttons);
  if (item.document_type && !item.document_mismatch) {
    const download = h('button', { type: 'button', class: 'button button--secondary button--small' }, 'Download certificate');
    download.append(h('span', { class: 'visually-hidden' }, ` for ${item.title}`));
    download.addEventListener('click', () => downloadCertificate(item, download));
    buttons.append(download);
  }
  const remove = h('button', { type: 'button', class: 'button button--danger button--small' }, 'Delete');
  remove.append(h('span', { class: 'visually-hidden' }, ` ${item.title}`));
  remove.addEventListener('click', () => removeItem(item, remove));
  buttons.append(remove);

  return h(
    'tr',
    { 'data-id': id },
    h('td', { 'data-label': 'Date completed', class: 'nowrap' }, formatDate(item.completed_on)),
    title,
    h('td', { 'data-label': 'Credit' }, counted(item.credit_type, item.credits)),
    certificate,
    actions,
  );
}

async function refresh() {
  const { status, body } = await api('GET', '/api/me/outside-credits');
  if (status === 401) {
    goToSignIn();
    return false;
  }
  if (status !== 200 || !body) {
    showAlert(listAlert, body?.message || 'We could not load your outside credit. Please try again.');
    return false;
  }
  const items = body.outside_credits || [];
  /** @type {HTMLTableSectionElement} */ (table.querySelector('tbody')).replaceChildren(...items.map(row));
  table.hidden = items.length === 0;
  empty.hidden = items.length > 0;
  return true;
}

/** What a refused upload leaves: the certificate accepted before stays (the API keeps it until a new one is accepted). */
function keptNote(item) {
  return item.document_type && !item.document_mismatch ? ' Your earlier certificate is kept.' : '';
}

/**
 * The browser's upload: the pre-signed POST's fields, then the file, straight to S3, under a key
 * of its own; the API's check then accepts it (it replaces the certificate) or refuses it (the
 * certificate accepted before stays, with its Download).
 */
async function attach(item, input) {
  showAlert(listStatus);
  showAlert(listAlert);
  const file = input.files?.[0];
  if (!file) return;
  const type = fileType(file);
  if (!type) {
    showAlert(listAlert, 'Choose a PDF, PNG or JPEG file.');
    input.value = '';
    return;
  }
  if (file.size === 0 || file.size > MAX_BYTES) {
    showAlert(listAlert, file.size === 0 ? 'That file is empty.' : 'That file is larger than 10 MB. Please choose a smaller one.');
    input.value = '';
    return;
  }
  input.disabled = true;
  showAlert(listStatus, `Uploading the certificate for ${item.title}…`);
  const signed = await api('POST', `/api/me/outside-credits/${encodeURIComponent(item.outside_credit_id)}/document`, { content_type: type });
  if (signed.status === 401) {
    goToSignIn();
    return;
  }
  if (signed.status !== 200 || !signed.body?.upload) {
    input.disabled = false;
    showAlert(listStatus);
    showAlert(listAlert, signed.body?.message || 'We could not prepare the upload. Please try again.');
    return;
  }
  const { url, fields } = signed.body.upload;
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  data.append('file', file); // S3 takes the file last: fields after it are ignored
  let sent;
  try {
    const answer = await fetch(url, { method: 'POST', body: data, credentials: 'omit' });
    sent = answer.ok;
  } catch {
    sent = false;
  }
  input.disabled = false;
  input.value = '';
  if (!sent) {
    showAlert(listStatus);
    showAlert(listAlert, `We could not upload your certificate. Please check the file and try again.${keptNote(item)}`);
    return;
  }
  // the API reads the file's first bytes now, so a wrong file is reported at once
  const checked = await api('GET', `/api/me/outside-credits/${encodeURIComponent(item.outside_credit_id)}/document`);
  await refresh();
  if (checked.status === 200) {
    showAlert(listStatus, `Certificate attached to ${item.title}.`);
  } else {
    showAlert(listStatus);
    showAlert(listAlert, checked.body?.message || 'We could not check your certificate. Please try again.');
  }
}

async function downloadCertificate(item, button) {
  showAlert(listStatus);
  showAlert(listAlert);
  setBusy(button, true);
  const { status, body } = await api('GET', `/api/me/outside-credits/${encodeURIComponent(item.outside_credit_id)}/document`);
  setBusy(button, false);
  if (status === 200 && typeof body?.url === 'string') {
    showAlert(listStatus, 'Your certificate is downloading.');
    window.location.assign(body.url);
    return;
  }
  if (status === 401) {
    goToSignIn();
    return;
  }
  showAlert(listAlert, body?.message || 'We could not prepare your certificate. Please try again.');
  await refresh();
}

async function removeItem(item, button) {
  showAlert(listStatus);
  showAlert(listAlert);
  setBusy(button, true);
  const { status, body } = await api('DELETE', `/api/me/outside-credits/${encodeURIComponent(item.outside_credit_id)}`);
  if (status === 401) {
    goToSignIn();
    return;
  }
  if (status !== 204) {
    setBusy(button, false);
    showAlert(listAlert, body?.message || 'We could not delete it. Please try again.');
    return;
  }
  await refresh();
  showAlert(listStatus, `Deleted ${item.title}.`);
}

function outsidePayload() {
  const value = (name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value.trim();
  const body = {
    title: value('title'),
    provider: value('provider'),
    completed_on: value('completed_on'),
    credit_type: value('credit_type'),
    credits: Number(value('credits')),
    topics: [.../** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('input[name="topics"]:checked'))].map((box) => box.value),
  };
  return body;
}

async function outsideAdded({ status, body: answer }) {
  if (status === 401) {
    goToSignIn();
    return;
  }
  if (status !== 201) {
    const labels = markFields(form, answer?.details || []);
    showAlert(addAlert, errorMessage(form, answer, labels));
    return;
  }
  form.reset();
  await refresh();
  showAlert(addStatus, `Added ${answer.outside_credit.title}. Attach its certificate below.`);
}

handleSubmit(form, {
  button: /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]')),
  reset: () => {
    showAlert(addStatus);
    showAlert(addAlert);
  },
  check: () => requireFields(form, addAlert, 'Please check these fields:'),
  send: () => api('POST', '/api/me/outside-credits', outsidePayload()),
  answered: outsideAdded,
});

async function load() {
  const me = await api('GET', '/api/me');
  if (me.status === 401) {
    goToSignIn();
    return;
  }
  if (me.status === 200) {
    setSignedIn(true);
    setRole(me.body?.role);
  }
  fillCreditTypes();
  completedInput.max = today;
  await fillTopics();
  const ok = await refresh();
  loading.hidden = true;
  root.hidden = false;
  if (!ok && !listAlert.textContent) showAlert(listAlert, 'We could not load your outside credit. Please try again.');
}

load();

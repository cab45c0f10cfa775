// @ts-check
/**
 * Admin: who attended an activity (searched, paged, exported as CSV; one person added or one
 * wrong entry removed), and a roster upload: a CSV file sent as it is (text/csv), with the
 * result: added, already present, and the rejected rows with their spreadsheet row number and
 * the reason.
 */
import { api, upload } from './api.js';
import {
  errorMessage, formValues, handleSubmit, markFields, requireFields, setBusy, showAlert,
} from './forms.js';
import { formatMoment } from './dates.js';
import {
  activityIdParam, activityPath, emailWords, loading, showSummary, showTabs, signInAgain, stop, usable,
} from './admin-common.js';

const page = /** @type {HTMLElement} */ (document.getElementById('admin-page'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('roster-form'));
const fileInput = /** @type {HTMLInputElement} */ (document.getElementById('roster-file'));
const uploadButton = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
const rosterAlert = /** @type {HTMLElement} */ (document.getElementById('roster-alert'));
const result = /** @type {HTMLElement} */ (document.getElementById('roster-result'));
const rejectedTable = /** @type {HTMLTableElement} */ (document.getElementById('rejected-table'));
const attendanceTable = /** @type {HTMLTableElement} */ (document.getElementById('attendance-table'));
const attendanceEmpty = /** @type {HTMLElement} */ (document.getElementById('attendance-empty'));
const heading = /** @type {HTMLElement} */ (document.getElementById('attendance-heading'));
const activityId = activityIdParam();

const SOURCES = { self: 'Signed in at the event', roster: 'Roster', sms: 'Text message' };
const MAX_BYTES = 2 * 1024 * 1024; // the API's limit for a roster upload

function cells(values) {
  const tr = document.createElement('tr');
  for (const [label, text, className] of values) {
    const td = document.createElement('td');
    td.dataset.label = label;
    const content = document.createElement('span');
    content.textContent = text;
    td.append(content);
    if (className) td.className = className;
    tr.append(td);
  }
  return tr;
}

/**
 * The attendance list: one page (50) at a time in email order, searched by name or email
 * (case and accents aside; typed searches wait for a pause), with the total, the CSV of every
 * row, and per row Remove (with a confirm step) unless a claim rests on it ("Claimed").
 */
const PAGE_SIZE = 50;
const SEARCH_PAUSE_MS = 300;
const rowsBody = /** @type {HTMLTableSectionElement} */ (attendanceTable.querySelector('tbody'));
const searchForm = /** @type {HTMLFormElement} */ (document.getElementById('attendance-search-form'));
const searchInput = /** @type {HTMLInputElement} */ (document.getElementById('attendance-search'));
const csvLink = /** @type {HTMLAnchorElement} */ (document.getElementById('attendance-csv'));
const listStatus = /** @type {HTMLElement} */ (document.getElementById('attendance-status'));
const listAlert = /** @type {HTMLElement} */ (document.getElementById('attendance-alert'));
const pager = /** @type {HTMLElement} */ (document.getElementById('attendance-pager'));
const previousButton = /** @type {HTMLButtonElement} */ (document.getElementById('page-previous'));
const nextButton = /** @type {HTMLButtonElement} */ (document.getElementById('page-next'));
const position = /** @type {HTMLElement} */ (document.getElementById('page-position'));

// cursors[i] opens page i (null: the first page); the query the pages belong to
const view = { q: '', cursors: [null], index: 0, next: null, total: 0, rows: 0 };
let asked = 0; // the newest request: older answers are dropped
let pause;

function listUrl() {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (view.q) params.set('q', view.q);
  const cursor = view.cursors[view.index];
  if (cursor) params.set('cursor', cursor);
  return activityPath(activityId, `/attendance?${params}`);
}

function nameOf(entry) {
  return `${entry.first_name} ${entry.last_name}`.trim();
}

function confirmRemoval(entry, action) {
  const question = document.createElement('span');
  question.className = 'attendee__question';
  question.textContent = `Remove ${entry.email}?`;
  const yes = document.createElement('button');
  yes.type = 'button';
  yes.className = 'button button--danger button--small';
  yes.textContent = 'Yes, remove';
  const no = document.createElement('button');
  no.type = 'button';
  no.className = 'button button--secondary button--small';
  no.textContent = 'Cancel';
  const before = [...action.childNodes];
  const row = action.closest('tr');
  const restore = () => {
    row?.classList.remove('is-confirming');
    action.replaceChildren(...before);
  };
  no.addEventListener('click', () => {
    restore();
    action.querySelector('button')?.focus();
  });
  yes.addEventListener('click', async () => {
    if (yes.disabled) return;
    setBusy(yes, true);
    no.disabled = true;
    const answer = await api('DELETE', activityPath(activityId, `/attendance/${encodeURIComponent(entry.email)}`));
    if (answer.status === 401) {
      signInAgain();
      return;
    }
    if (answer.status === 204 || answer.status === 404) {
      // 404: someone removed it meanwhile; either way it is gone
      if (view.rows === 1 && view.index > 0) view.index -= 1;
      await loadPage();
      listStatus.textContent = answer.status === 204 ? `Removed ${entry.email}.` : `${entry.email} was already removed.`;
      searchInput.focus();
      return;
    }
    showAlert(listAlert, answer.body?.message || 'We could not remove that entry. Please try again.');
    restore();
    if (answer.status === 409) await loadPage();
    listAlert.focus();
  });
  row?.classList.add('is-confirming');
  action.replaceChildren(question, yes, no);
  yes.focus();
}

function cell(className, text) {
  const td = document.createElement('td');
  td.className = className;
  if (text !== undefined) td.textContent = text;
  return td;
}

function attendee(entry) {
  const row = document.createElement('tr');
  const action = cell('attendee__action');
  if (entry.claimed) {
    const badge = document.createElement('span');
    badge.className = 'badge badge--ok';
    badge.textContent = 'Claimed';
    badge.title = 'A claim for credit rests on this attendance, so it stays.';
    action.append(badge);
  } else {
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'button button--danger button--small';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove ${entry.email}`);
    remove.addEventListener('click', () => confirmRemoval(entry, action));
    action.append(remove);
  }
  const email = cell('attendee__email');
  email.append(emailWords(entry.email));
  if (entry.undeliverable) {
    // SES reported mail to it undeliverable: the learner gets no email there until they fix it
    const badge = document.createElement('span');
    badge.className = 'badge badge--warning';
    badge.textContent = entry.undeliverable.reason === 'complaint' ? 'Marked our email as spam' : 'Email bounces';
    badge.title = `Since ${formatMoment(entry.undeliverable.at)}: no email is sent to this address until the learner asks for it again on My emails.`;
    email.append(' ', badge);
  }
  row.append(
    cell('attendee__name', nameOf(entry) || '—'),
    email,
    cell('attendee__source', SOURCES[entry.source] || entry.source),
    cell('attendee__recorded', formatMoment(entry.recorded_at)),
    action,
  );
  return row;
}

function showAttendance(reply) {
  rowsBody.replaceChildren(...reply.rows.map(attendee));
  view.next = reply.next_cursor;
  view.total = reply.total;
  view.rows = reply.rows.length;
  const first = view.index * PAGE_SIZE + 1;
  const last = view.index * PAGE_SIZE + reply.rows.length;
  attendanceTable.hidden = reply.rows.length === 0;
  attendanceEmpty.hidden = reply.rows.length > 0;
  attendanceEmpty.textContent = view.q ? `No one matches “${view.q}”.` : 'No one is recorded yet.';
  if (!view.q) heading.textContent = `Attended (${reply.total})`;
  const matching = view.q ? ` matching “${view.q}”` : '';
  listStatus.textContent = reply.rows.length
    ? `Showing ${first}–${last} of ${reply.total}${matching}.`
    : view.q ? `No one matches “${view.q}”.` : '';
  pager.hidden = view.index === 0 && !view.next;
  previousButton.disabled = view.index === 0;
  nextButton.disabled = !view.next;
  position.textContent = `Page ${view.index + 1} of ${Math.max(1, Math.ceil(reply.total / PAGE_SIZE))}`;
}

/** Load the current page; returns the answer (the page is shown when it is usable). */
async function loadPage() {
  const mine = ++asked;
  const answer = await api('GET', listUrl());
  if (mine !== asked) return answer; // a newer search or page replaced this one
  if (answer.status === 200 && Array.isArray(answer.body?.rows)) {
    showAlert(listAlert);
    showAttendance(answer.body);
  } else if (answer.status === 401) {
    signInAgain();
  } else if (answer.status === 400 && answer.body?.code === 'CURSOR_INVALID') {
    view.cursors = [null];
    view.index = 0;
    return loadPage();
  } else {
    showAlert(listAlert, answer.body?.message || 'We could not load the attendance. Please try again.');
  }
  return answer;
}

/** After an upload or an addition: the whole count changed, so the current page again. */
async function reloadAttendance() {
  return loadPage();
}

function search(q) {
  clearTimeout(pause);
  if (q === view.q) return;
  view.q = q;
  view.cursors = [null];
  view.index = 0;
  loadPage();
}

searchInput.addEventListener('input', () => {
  clearTimeout(pause);
  pause = setTimeout(() => search(searchInput.value.trim()), SEARCH_PAUSE_MS);
});
searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  search(searchInput.value.trim());
});
previousButton.addEventListener('click', async () => {
  if (view.index === 0) return;
  view.index -= 1;
  await loadPage();
});
nextButton.addEventListener('click', async () => {
  if (!view.next) return;
  view.cursors[view.index + 1] = view.next;
  view.index += 1;
  await loadPage();
});

/* ----------------------------------------------------------------- add one attendee */
const addForm = /** @type {HTMLFormElement} */ (document.getElementById('add-one-form'));
const addButton = /** @type {HTMLButtonElement} */ (addForm.querySelector('button[type="submit"]'));
const addAlert = /** @type {HTMLElement} */ (document.getElementById('add-one-alert'));
const addStatus = /** @type {HTMLElement} */ (document.getElementById('add-one-status'));

/** @type {Record<string, string> | null} */
let row = null;

async function added({ status, body }) {
  if (status === 401) {
    signInAgain();
    return;
  }
  if (status === 200 && body) {
    if (body.rejected.length) {
      markFields(addForm, [{ field: 'email', message: body.rejected[0].reason }]);
      return;
    }
    const sent = /** @type {Record<string, string>} */ (row); // send set it before this answer came
    addStatus.textContent = body.added ? `Added ${sent.email}.` : `${sent.email} is already recorded.`;
    addForm.reset();
    await reloadAttendance();
    return;
  }
  const labels = markFields(addForm, body?.details);
  showAlert(addAlert, errorMessage(addForm, body, labels));
  if (!labels.length) addAlert.focus();
}

handleSubmit(addForm, {
  button: addButton,
  reset: () => {
    showAlert(addAlert);
    addStatus.textContent = '';
  },
  check: () => requireFields(addForm),
  send: () => {
    row = formValues(addForm);
    return api('POST', activityPath(activityId, '/attendance'), { rows: [row] });
  },
  answered: added,
});

function showResult(report) {
  const slot = (name) => /** @type {HTMLElement} */ (result.querySelector(`[data-slot="${name}"]`));
  slot('added').textContent = String(report.added);
  slot('already_present').textContent = String(report.already_present);
  slot('rejected').textContent = String(report.rejected.length);
  slot('summary').textContent = `Roster uploaded: ${report.added} added, ${report.already_present} already present, `
    + `${report.rejected.length} rejected.`;
  /** @type {HTMLTableSectionElement} */ (rejectedTable.querySelector('tbody')).replaceChildren(...report.rejected.map((entry) => cells([
    ['Row', String(entry.row), 'num'],
    ['Reason', entry.reason],
  ])));
  rejectedTable.hidden = report.rejected.length === 0;
  result.hidden = false;
  result.focus();
}

// The type by the file's extension: browsers on Windows call a .csv "application/vnd.ms-excel".
// A CSV goes as its bytes (the API reads UTF-8, UTF-16 and Windows-1252), never re-encoded here.
const rosterType = (file) => ({ csv: 'text/csv', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }[
  file?.name.toLowerCase().split('.').pop()]);

function checkRoster() {
  const file = fileInput.files?.[0];
  const problem = !file ? 'Please choose the roster file (.xlsx or .csv) to upload.'
    : !rosterType(file) ? 'Choose an Excel workbook (.xlsx) or a CSV file (.csv). In Excel, “Save As” either one.'
      : file.size > MAX_BYTES ? 'The file is larger than 2 MB: split it into smaller rosters.'
        : null;
  if (!problem) return true;
  markFields(form, [{ field: 'file', message: problem }]);
  return false;
}

async function sendRoster() {
  const file = /** @type {FileList} */ (fileInput.files)[0];
  let bytes;
  try {
    bytes = await file.arrayBuffer();
  } catch {
    markFields(form, [{ field: 'file', message: 'We could not read that file. Please choose it again.' }]);
    return null;
  }
  return upload(activityPath(activityId, '/attendance'), bytes, rosterType(file));
}

async function uploaded({ status, body }) {
  if (status === 200 && body) {
    showResult(body);
    form.reset();
    await reloadAttendance();
    return;
  }
  if (status === 401) {
    signInAgain();
    return;
  }
  if (status === 403 || status === 404) {
    usable({ status, body });
    return;
  }
  result.hidden = true;
  showAlert(rosterAlert, body.message);
  rosterAlert.focus();
}

// the button stays busy until the attendance list has reloaded after an upload
handleSubmit(form, {
  button: uploadButton,
  reset: () => showAlert(rosterAlert),
  check: checkRoster,
  send: sendRoster,
  answered: uploaded,
  busyWhileAnswering: true,
});

async function start() {
  if (!activityId) {
    stop('No activity was chosen: open Attendance from the list of activities.');
    return;
  }
  csvLink.href = activityPath(activityId, '/attendance?format=csv');
  const [activity, attendance] = await Promise.all([api('GET', activityPath(activityId)), loadPage()]);
  if (!usable(activity) || !usable(attendance)) return;
  showSummary(activity.body.activity);
  showTabs(activityId, 'attendance');
  loading.hidden = true;
  page.hidden = false;
}

start();

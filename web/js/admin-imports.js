// @ts-check
/**
 * Admin: Import from another portal (docs/api.md "Imports"). One page, one step after another:
 * upload a file (POST /api/admin/imports, then the pre-signed POST straight to S3 with a real
 * progress bar, then GET until the API has read its headers: `uploaded`); match the columns
 * (a <select> of the file's headers for each of ours, preselected from `suggested_mapping`, the
 * first rows beside them) and check it (POST .../check: a dry run); the dry run's counts and
 * problems (paged, and as a CSV); commit (POST .../commit, asked first with the counts); the
 * final report and Invite (POST .../invite). While the job runs (`checking`, `importing`) the
 * page polls the import every 1.5 s and stops when it is done. The import's id is in the address
 * (?import_id=), so a reload, or a link from the list of earlier imports, resumes it.
 */
import { api } from './api.js';
import {
  complainIn, confirmAction, handleSubmit, markFields, requireFields, sayIn, setBusy, showAlert, showAnswerProblems,
} from './forms.js';
import { h } from './shell.js';
import { formatMoment } from './dates.js';
import { alertRegion, loading, signInAgain, usable } from './admin-common.js';

/** What each of our columns holds, in the office's words. */
const COLUMN_WORDS = Object.freeze({
  source_id: 'The old portal’s id of the record',
  activity_source_id: 'The old portal’s id of the activity',
  email: 'Email',
  first_name: 'First name',
  last_name: 'Last name',
  degree: 'Degree (MD, DO, RN…)',
  phone: 'Phone',
  npi: 'NPI',
  title: 'Title',
  format: 'Format (live, enduring…)',
  start_date: 'Start date',
  end_date: 'End date',
  location: 'Location',
  credits: 'Credits',
  credit_type: 'Credit type',
  completed_on: 'Date completed',
  certificate_number: 'Certificate number',
});

const KIND_WORDS = Object.freeze({
  learners: 'Learners', activities: 'Activities', attendance: 'Attendance', claims: 'Claims',
});

const STATUS_WORDS = Object.freeze({
  awaiting_upload: 'Waiting for the file',
  uploaded: 'Uploaded: match the columns',
  checking: 'Checking',
  checked: 'Checked: ready to import',
  importing: 'Importing',
  done: 'Done',
  failed: 'Failed',
});

const NOT_IN_FILE = '— not in this file —';
const POLL_MS = 1500;
/** How long the page waits for the API to read an uploaded file's headers before it says so. */
const UPLOAD_WAIT_MS = 120_000;

const page = /** @type {HTMLElement} */ (document.getElementById('admin-page'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('admin-status'));
const uploadForm = /** @type {HTMLFormElement} */ (document.getElementById('upload-form'));
const uploadSection = /** @type {HTMLElement} */ (document.getElementById('step-upload'));
const uploadProgress = /** @type {HTMLElement} */ (document.getElementById('upload-progress'));
const uploadBar = /** @type {HTMLProgressElement} */ (document.getElementById('upload-bar'));
const uploadWords = /** @type {HTMLElement} */ (document.getElementById('upload-words'));
const importSection = /** @type {HTMLElement} */ (document.getElementById('step-import'));
const importHeading = /** @type {HTMLElement} */ (document.getElementById('import-heading'));
const importFacts = /** @type {HTMLElement} */ (document.getElementById('import-facts'));
const importState = /** @type {HTMLElement} */ (document.getElementById('import-state'));
const mappingStep = /** @type {HTMLElement} */ (document.getElementById('step-mapping'));
const mappingForm = /** @type {HTMLFormElement} */ (document.getElementById('mapping-form'));
const mappingFields = /** @type {HTMLElement} */ (document.getElementById('mapping-fields'));
const previewTable = /** @type {HTMLTableElement} */ (document.getElementById('preview-table'));
const progressStep = /** @type {HTMLElement} */ (document.getElementById('step-progress'));
const jobLabel = /** @type {HTMLElement} */ (document.getElementById('job-label'));
const jobBar = /** @type {HTMLProgressElement} */ (document.getElementById('job-bar'));
const jobWords = /** @type {HTMLElement} */ (document.getElementById('job-words'));
const reportStep = /** @type {HTMLElement} */ (document.getElementById('step-report'));
const reportHeading = /** @type {HTMLElement} */ (document.getElementById('report-heading'));
const reportCounts = /** @type {HTMLElement} */ (document.getElementById('report-counts'));
const problemsBox = /** @type {HTMLElement} */ (document.getElementById('problems'));
const problemsCsv = /** @type {HTMLAnchorElement} */ (document.getElementById('problems-csv'));
const problemsBody = /** @type {HTMLElement} */ ((/** @type {HTMLTableElement} */ (document.getElementById('problems-table'))).tBodies[0]);
const moreProblems = /** @type {HTMLButtonElement} */ (document.getElementById('more-problems'));
const commitButton = /** @type {HTMLButtonElement} */ (document.getElementById('commit'));
const remapButton = /** @type {HTMLButtonElement} */ (document.getElementById('remap'));
const inviteButton = /** @type {HTMLButtonElement} */ (document.getElementById('invite'));
const inviteHint = /** @type {HTMLElement} */ (document.getElementById('invite-hint'));
const commitDialog = /** @type {HTMLDialogElement} */ (document.getElementById('commit-dialog'));
const importsTable = /** @type {HTMLTableElement} */ (document.getElementById('imports-table'));
const noImports = /** @type {HTMLElement} */ (document.getElementById('no-imports'));
const moreImports = /** @type {HTMLButtonElement} */ (document.getElementById('more-imports'));

const NUMBER = new Intl.NumberFormat('en-US');

/** The import on the page (its last GET), the problems cursor, and the poll's timer. */
/** @type {any} */
let current = null;
/** @type {string | null} */
let problemsCursor = null;
/** @type {number | undefined} */
let pollTimer;
/** @type {string | null} */
let importsCursor = null;
/** The page shows the mapping again after a check (Change the column matching). */
let remapping = false;

const say = (message) => sayIn(statusRegion, alertRegion, message);

const complain = (message) => complainIn(statusRegion, alertRegion, message, true);

function clearMessages() {
  showAlert(statusRegion);
  showAlert(alertRegion);
}

/** An error answer: 401 goes to sign-in; anything else shows its message. */
function failed(answer, fallback) {
  if (answer.status === 401) {
    signInAgain();
    return;
  }
  complain(answer.body?.message || fallback);
}

function count(value) {
  return NUMBER.format(Number(value) || 0);
}

function importPath(id, rest = '') {
  return `/api/admin/imports/${encodeURIComponent(id)}${rest}`;
}

/** Keep ?import_id= in the address (a reload resumes the import); null takes it away. */
function remember(id) {
  const search = id ? `?${new URLSearchParams({ import_id: id })}` : '';
  window.history.replaceState(null, '', `${window.location.pathname}${search}`);
}

/** A <dl> of [term, value] pairs. */
function facts(list, pairs) {
  list.replaceChildren(...pairs.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))));
}

// ------------------------------------------------------------------ step 1: upload

function selectedFile() {
  const input = /** @type {HTMLInputElement} */ (uploadForm.elements.namedItem('file'));
  return input.files?.[0] || null;
}

function fileProblem(file) {
  if (!file) return 'Please choose the file.';
  const extension = (file.name.split('.').pop() || '').toLowerCase();
  if (extension !== 'csv' && extension !== 'xlsx') return 'Choose a .csv or .xlsx file.';
  if (file.size === 0) return 'That file is empty.';
  return '';
}

/**
 * The file, straight to S3: the signed fields, then the file (S3 takes it last), with
 * XMLHttpRequest, whose upload.onprogress moves the bar. Resolves true when S3 took it.
 * @param {{url: string, fields: Record<string, string>}} upload
 * @param {File} file
 * @returns {Promise<boolean>}
 */
function sendToStorage(upload, file) {
  const data = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) data.append(name, value);
  data.append('file', file);
  uploadBar.value = 0;
  uploadProgress.hidden = false;
  uploadWords.textContent = `Uploading ${file.name}…`;
  let lastSaid = -1;
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', upload.url);
    request.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.floor((event.loaded / event.total) * 100);
      uploadBar.value = percent;
      // the live region speaks every 10 %, not every event
      if (percent >= lastSaid + 10) {
        lastSaid = percent - (percent % 10);
        uploadWords.textContent = `Uploading ${file.name}: ${percent} %`;
      }
    };
    request.onload = () => resolve(request.status >= 200 && request.status < 300);
    request.onerror = () => resolve(false);
    request.onabort = () => resolve(false);
    request.send(data);
  });
}

function uploadPayload() {
  const value = (name) => /** @type {HTMLInputElement} */ (uploadForm.elements.namedItem(name)).value.trim();
  const file = /** @type {File} */ (selectedFile());
  return {
    kind: value('kind'),
    filename: file.name,
    source_name: value('source_name'),
    report_to_boards: /** @type {HTMLInputElement} */ (uploadForm.elements.namedItem('report_to_boards')).checked,
  };
}

handleSubmit(uploadForm, {
  button: /** @type {HTMLButtonElement} */ (uploadForm.querySelector('button[type="submit"]')),
  busyWhileAnswering: true,
  reset: () => {
    clearMessages();
    uploadProgress.hidden = true;
  },
  check: () => {
    if (!requireFields(uploadForm, alertRegion, 'Please check these fields:')) return false;
    const problem = fileProblem(selectedFile());
    if (problem) {
      markFields(uploadForm, [{ field: 'file', message: problem }]);
      showAlert(alertRegion, problem);
      return false;
    }
    return true;
  },
  send: () => api('POST', '/api/admin/imports', uploadPayload()),
  answered: async (answer) => {
    if (answer.status !== 201 || !answer.body?.upload) {
      if (answer.status === 401) {
        signInAgain();
        return;
      }
      showAnswerProblems(uploadForm, alertRegion, answer); // a 422's fields marked, the message said
      if (!uploadForm.querySelector('[aria-invalid="true"]')) alertRegion.focus();
      return;
    }
    const job = answer.body.import;
    const file = /** @type {File} */ (selectedFile());
    const { max_bytes: maxBytes } = answer.body.upload;
    if (maxBytes && file.size > maxBytes) { // what the signed POST accepts for this type of file
      const limit = `${Math.floor(maxBytes / (1024 * 1024))} MB`;
      markFields(uploadForm, [{ field: 'file', message: `This file is larger than ${limit}.` }]);
      const workbook = file.name.toLowerCase().endsWith('.xlsx');
      complain(workbook
        ? `That workbook is larger than ${limit}: save it as CSV (a larger file can be) and upload that.`
        : `That file is larger than ${limit}: split it into smaller files (rows imported before are skipped).`);
      return;
    }
    remember(job.import_id);
    const sent = await sendToStorage(answer.body.upload, file);
    if (!sent) {
      uploadWords.textContent = '';
      uploadProgress.hidden = true;
      complain('We could not upload the file. Please check your connection and upload it again.');
      remember(null);
      return;
    }
    uploadWords.textContent = 'Uploaded. Reading the file’s columns…';
    uploadForm.reset();
    await waitForUpload(job.import_id);
    refreshImports();
  },
});

/** After the upload: GET until the API has read the file (status leaves awaiting_upload). */
async function waitForUpload(id) {
  const until = Date.now() + UPLOAD_WAIT_MS;
  for (;;) {
    const answer = await api('GET', importPath(id));
    if (answer.status !== 200) {
      failed(answer, 'We could not read the import. Please reload the page.');
      return;
    }
    if (answer.body.import.status !== 'awaiting_upload') {
      uploadProgress.hidden = true;
      show(answer.body.import, { focus: true });
      return;
    }
    if (Date.now() > until) {
      complain('The file is uploaded but not read yet. Reload the page in a minute to go on.');
      return;
    }
    await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
  }
}

// ------------------------------------------------------------------ the import: which step shows

/**
 * Show an import: its facts, and the step its status calls for.
 * @param {any} job the `import` of GET /api/admin/imports/{import_id}
 * @param {{focus?: boolean}} [options]
 */
function show(job, { focus = false } = {}) {
  const before = current?.status;
  const sameImport = current?.import_id === job.import_id;
  current = job;
  uploadSection.hidden = true;
  importSection.hidden = false;
  importHeading.textContent = `${KIND_WORDS[job.kind] || job.kind} from ${job.source_name}`;
  facts(importFacts, [
    ['File', job.filename || ''],
    ['Started', job.created_at ? formatMoment(job.created_at) : ''],
    ['Boards', job.report_to_boards ? 'Imported claims are reported to the boards' : 'Not reported to the boards'],
  ]);
  importState.textContent = `Status: ${STATUS_WORDS[job.status] || job.status}.`;
  if (job.status === 'failed' && job.failure) importState.textContent = `Status: failed. ${job.failure}`;

  const running = job.status === 'checking' || job.status === 'importing';
  const mapping = job.status === 'uploaded' || (job.status === 'checked' && remapping);
  mappingStep.hidden = !mapping;
  progressStep.hidden = !running;
  reportStep.hidden = !['checked', 'done', 'failed'].includes(job.status) || mapping;
  if (mapping && !(sameImport && before === job.status)) showMapping(job);
  if (running) showProgress(job);
  if (!reportStep.hidden) showReport(job, !(sameImport && before === job.status));
  if (job.status === 'awaiting_upload') {
    importState.textContent = 'The file never arrived (the upload stopped). Start another import to upload it again.';
  }
  if (running) poll(job.import_id);
  else stopPolling();
  if (focus) (mapping || reportStep.hidden ? importHeading : reportHeading).focus();
}

// ------------------------------------------------------------------ step 2: mapping and preview

function showMapping(job) {
  const headers = Array.isArray(job.columns) ? job.columns : [];
  const chosen = { ...(job.suggested_mapping || {}), ...(job.mapping || {}) };
  const ours = job.our_columns || [];
  mappingFields.replaceChildren(...ours.map(({ column, required }) => {
    const id = `map-${column}`;
    const select = h('select', { id, name: column, 'aria-describedby': `${id}-hint` });
    select.append(h('option', { value: '' }, NOT_IN_FILE));
    for (const header of headers) {
      const option = h('option', { value: header }, header);
      if (chosen[column] === header) option.setAttribute('selected', '');
      select.append(option);
    }
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, COLUMN_WORDS[column] || column),
      h('p', { class: 'hint', id: `${id}-hint` }, 'Our column ', h('code', {}, column), required ? ' (needed)' : ''),
      select,
    );
  }));
  showPreview(headers, Array.isArray(job.preview) ? job.preview : []);
}

/** The first rows as the file has them: a row is a list of cells, or an object by header. */
function showPreview(headers, rows) {
  const head = /** @type {HTMLElement} */ (previewTable.tHead);
  head.replaceChildren(h('tr', {}, h('th', { scope: 'col', class: 'num' }, 'Row'), ...headers.map((header) => h('th', { scope: 'col' }, header))));
  const body = previewTable.tBodies[0];
  body.replaceChildren(...rows.map((row, index) => {
    const cells = Array.isArray(row) ? row : headers.map((header) => row?.[header]);
    return h(
      'tr',
      {},
      h('td', { class: 'num' }, String(index + 2)), // the header is row 1, as the problems count
      ...headers.map((_, at) => h('td', {}, cells[at] === undefined || cells[at] === null ? '' : String(cells[at]))),
    );
  }));
}

function chosenMapping() {
  /** @type {Record<string, string>} */
  const mapping = {};
  for (const select of /** @type {NodeListOf<HTMLSelectElement>} */ (mappingForm.querySelectorAll('select'))) {
    if (select.value) mapping[select.name] = select.value;
  }
  return mapping;
}

handleSubmit(mappingForm, {
  button: /** @type {HTMLButtonElement} */ (mappingForm.querySelector('button[type="submit"]')),
  reset: clearMessages,
  check: () => {
    const used = new Map();
    for (const [column, header] of Object.entries(chosenMapping())) {
      if (used.has(header)) {
        markFields(mappingForm, [{ field: column, message: `“${header}” is chosen for ${COLUMN_WORDS[used.get(header)]} too.` }]);
        showAlert(alertRegion, `Each column of the file can hold one of ours: “${header}” is chosen twice.`);
        return false;
      }
      used.set(header, column);
    }
    return true;
  },
  send: () => api('POST', importPath(current.import_id, '/check'), { mapping: chosenMapping() }),
  answered: async (answer) => {
    if (answer.status === 422) { // IMPORT_MAPPING_INVALID: each column to fix, beside its list
      showAnswerProblems(mappingForm, alertRegion, answer);
      return;
    }
    if (answer.status !== 202) {
      if (answer.status === 409) await reload(); // IMPORT_STATUS: it moved on meanwhile (another tab)
      failed(answer, 'We could not start the check. Please try again.');
      return;
    }
    remapping = false;
    await reload({ focus: true });
  },
});

// ------------------------------------------------------------------ step 3: progress

function showProgress(job) {
  const rows = Number(job.rows) || 0;
  const done = Number(job.done) || 0;
  jobLabel.textContent = job.status === 'importing' ? 'Importing the rows' : 'Checking the file (a dry run: nothing is written)';
  if (rows > 0) {
    jobBar.max = rows;
    jobBar.value = Math.min(done, rows);
    jobWords.textContent = `${count(done)} of ${count(rows)} rows`;
  } else {
    jobBar.removeAttribute('value'); // not counted yet: the bar shows that it is busy
    jobWords.textContent = 'Reading the file…';
  }
}

function stopPolling() {
  if (pollTimer !== undefined) window.clearTimeout(pollTimer);
  pollTimer = undefined;
}

/** Poll the import while it runs; show() stops when it is checked, done or failed. */
function poll(id) {
  stopPolling();
  pollTimer = window.setTimeout(async () => {
    pollTimer = undefined;
    const answer = await api('GET', importPath(id));
    if (current?.import_id !== id) return; // another import was opened meanwhile
    if (answer.status !== 200) {
      failed(answer, 'We could not read the import’s progress. Please reload the page.');
      return;
    }
    const before = current.status;
    const job = answer.body.import;
    show(job);
    if (job.status !== before && progressStep.hidden) { // it has finished: its report is next
      (reportStep.hidden ? importHeading : reportHeading).focus();
      refreshImports();
    }
  }, POLL_MS);
}

// ------------------------------------------------------------------ step 4 and 5: the reports

function showReport(job, fresh) {
  const dryRun = job.status === 'checked';
  reportHeading.textContent = {
    checked: 'The dry run: what importing would do',
    done: 'Imported',
    failed: 'The import stopped',
  }[job.status];
  facts(reportCounts, [
    ['Rows', count(job.rows)],
    [dryRun ? 'Would create' : 'Created', count(job.created)],
    ['Matched', count(job.matched)],
    ['Skipped (imported before)', count(job.skipped)],
    ['Problems', count(job.problem_count)],
  ]);
  if (fresh) {
    problemsBody.replaceChildren();
    addProblems(job);
  }
  problemsCsv.href = importPath(job.import_id, '/problems.csv');
  commitButton.hidden = !dryRun;
  remapButton.hidden = !dryRun;
  const invites = job.status === 'done' && job.kind === 'learners'; // the learners it created
  inviteButton.hidden = !invites;
  inviteHint.hidden = !invites;
}

function addProblems(job) {
  const problems = Array.isArray(job.problems) ? job.problems : [];
  problemsBody.append(...problems.map((problem) => h(
    'tr',
    {},
    h('td', { 'data-label': 'Row', class: 'num' }, problem.row ? String(problem.row) : 'The file'), // 0: the file as a whole
    h('td', { 'data-label': 'Column' }, h('span', {}, problem.field || '')),
    h('td', { 'data-label': 'Code' }, h('span', {}, problem.code)),
    h('td', { 'data-label': 'Message' }, h('span', {}, problem.message)),
  )));
  problemsCursor = job.next_problems_cursor || null;
  moreProblems.hidden = !problemsCursor;
  problemsBox.hidden = problemsBody.children.length === 0;
}

moreProblems.addEventListener('click', async () => {
  if (!current || !problemsCursor || moreProblems.disabled) return;
  setBusy(moreProblems, true);
  const answer = await api('GET', `${importPath(current.import_id)}?${new URLSearchParams({ problems_cursor: problemsCursor })}`);
  setBusy(moreProblems, false);
  if (answer.status !== 200) {
    failed(answer, 'We could not load more problems. Please try again.');
    return;
  }
  const first = problemsBody.children.length;
  addProblems(answer.body.import);
  const next = /** @type {HTMLElement | undefined} */ (problemsBody.children[first]?.firstElementChild);
  if (next) {
    next.setAttribute('tabindex', '-1');
    next.focus();
  } else if (moreProblems.hidden) {
    reportHeading.focus();
  }
});

commitButton.addEventListener('click', async () => {
  if (!current || commitButton.disabled) return;
  clearMessages();
  const job = current;
  const sure = await confirmAction(
    commitDialog,
    `${count(job.rows)} rows: ${count(job.created)} new, ${count(job.matched)} matched to existing records, `
      + `${count(job.skipped)} imported before (skipped), ${count(job.problem_count)} with problems (left out). `
      + 'What is imported cannot be undone from this page.',
  );
  if (!sure) return;
  setBusy(commitButton, true);
  const answer = await api('POST', importPath(job.import_id, '/commit'));
  setBusy(commitButton, false);
  if (answer.status !== 202) {
    if (answer.status === 409) await reload(); // IMPORT_STATUS: it moved on meanwhile (another tab)
    failed(answer, 'We could not start the import. Please try again.');
    return;
  }
  await reload({ focus: true });
});

remapButton.addEventListener('click', () => {
  if (!current) return;
  clearMessages();
  remapping = true;
  show(current);
  showMapping(current);
  /** @type {HTMLElement | null} */ (mappingForm.querySelector('select'))?.focus();
});

inviteButton.addEventListener('click', async () => {
  if (!current || inviteButton.disabled) return;
  clearMessages();
  setBusy(inviteButton, true);
  const answer = await api('POST', importPath(current.import_id, '/invite'));
  setBusy(inviteButton, false);
  if (answer.status !== 202) {
    failed(answer, 'We could not send the invitations. Please try again.');
    return;
  }
  const queued = Number(answer.body?.queued) || 0;
  if (queued === 0) {
    say('No one to invite: every learner this import created has been invited already.');
    return;
  }
  say(queued === 1
    ? 'One invitation queued: the learner is emailed a link to set their password.'
    : `${count(queued)} invitations queued: each learner is emailed a link to set their password.`);
});

// ------------------------------------------------------------------ the list of earlier imports

function importRow(job) {
  const open = h('a', { href: `?${new URLSearchParams({ import_id: job.import_id })}` }, KIND_WORDS[job.kind] || job.kind);
  return h(
    'tr',
    { 'data-id': job.import_id },
    h('td', { 'data-label': 'Started' }, h('span', {}, job.created_at ? formatMoment(job.created_at) : '')),
    h('td', { 'data-label': 'Kind' }, open),
    h('td', { 'data-label': 'From' }, h('span', {}, job.source_name || '')),
    h('td', { 'data-label': 'File' }, h('span', {}, job.filename || '')),
    h('td', { 'data-label': 'Status' }, h('span', {}, STATUS_WORDS[job.status] || job.status)),
    h('td', { 'data-label': 'Rows', class: 'num' }, count(job.rows)),
  );
}

/** @param {boolean} more the next page after the rows shown */
async function loadImports(more) {
  const query = more && importsCursor ? `?${new URLSearchParams({ cursor: importsCursor })}` : '';
  const answer = await api('GET', `/api/admin/imports${query}`);
  if (!more) {
    if (!usable(answer)) return false;
  } else if (answer.status !== 200) {
    failed(answer, 'We could not load more imports. Please try again.');
    return false;
  }
  const imports = Array.isArray(answer.body.imports) ? answer.body.imports : [];
  const body = importsTable.tBodies[0];
  if (more) body.append(...imports.map(importRow));
  else body.replaceChildren(...imports.map(importRow));
  importsCursor = answer.body.next_cursor || null;
  moreImports.hidden = !importsCursor;
  importsTable.hidden = body.children.length === 0;
  noImports.hidden = body.children.length > 0;
  return true;
}

function refreshImports() {
  loadImports(false);
}

moreImports.addEventListener('click', async () => {
  if (moreImports.disabled) return;
  setBusy(moreImports, true);
  await loadImports(true);
  setBusy(moreImports, false);
});

// ------------------------------------------------------------------ loading

/** GET the import on the page again and show it. */
async function reload({ focus = false } = {}) {
  if (!current) return;
  const answer = await api('GET', importPath(current.import_id));
  if (answer.status !== 200) {
    failed(answer, 'We could not read the import. Please reload the page.');
    return;
  }
  show(answer.body.import, { focus });
}

async function load() {
  if (!(await loadImports(false))) return;
  const id = (new URLSearchParams(window.location.search).get('import_id') || '').trim();
  if (id) {
    const answer = await api('GET', importPath(id));
    if (answer.status === 200) {
      show(answer.body.import);
    } else if (answer.status === 404) {
      remember(null);
      complain(answer.body?.message || 'There is no such import.');
    } else {
      failed(answer, 'We could not read the import. Please try again.');
    }
  }
  loading.hidden = true;
  page.hidden = false;
}

load();

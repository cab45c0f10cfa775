// @ts-check
/**
 * Admin: the board reporting files (the MOC file for ACCME PARS, the CPE file for NABP CPE
 * Monitor) for a range of completion dates, in the format chosen (PARS's Excel learner template
 * or its tab-delimited text, CPE Monitor's records, or the CSV for review), downloaded through
 * same-origin links (the session cookie goes with them); from GET /api/admin/reports/status, how
 * many completions are not yet reported, due within 7 days and overdue, the activities whose MOC
 * lines wait for a PARS activity id (each linked to its edit page), stored partial claims of
 * whole-only credit to check, reported lines of revoked claims to withdraw, and PARS's year-end
 * cut-off; and, once a file is uploaded to the
 * board, marking its lines reported (POST /api/admin/reports/{moc|cpe}/submitted).
 */
import { api } from './api.js';
import { link, setBusy, showAlert } from './forms.js';
import { formatDate, officeToday } from './dates.js';
import { formatAmount } from './credits.js';
import { alertRegion, loading, signInAgain, usable } from './admin-common.js';

const page = /** @type {HTMLElement} */ (document.getElementById('admin-page'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('admin-status'));
const dueTable = /** @type {HTMLTableElement} */ (document.getElementById('due-table'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('range-form'));
const from = /** @type {HTMLInputElement} */ (form.elements.namedItem('from'));
const to = /** @type {HTMLInputElement} */ (form.elements.namedItem('to'));

const missingSection = /** @type {HTMLElement} */ (document.getElementById('missing-section'));
const missingList = /** @type {HTMLUListElement} */ (document.getElementById('missing-list'));
const partialSection = /** @type {HTMLElement} */ (document.getElementById('partial-section'));
const partialTable = /** @type {HTMLTableElement} */ (document.getElementById('partial-table'));
const yearEnd = /** @type {HTMLElement} */ (document.getElementById('pars-year-end'));
const withdrawSection = /** @type {HTMLElement} */ (document.getElementById('withdraw-section'));
const withdrawTable = /** @type {HTMLTableElement} */ (document.getElementById('withdraw-table'));
const BOARD_WORDS = Object.freeze({ MOC: 'MOC (ACCME PARS)', CPE: 'ACPE (NABP CPE Monitor)' });

const FILES = [
  ['moc', 'MOC (ACCME PARS)'],
  ['cpe', 'ACPE (NABP CPE Monitor)'],
];
// each format's file name: what the API names it (Content-Disposition), for the download attribute
const FILE_NAMES = {
  'pars-xlsx': (board, range) => `pars-learners-${range}.xlsx`,
  'pars-txt': (board, range) => `pars-learners-${range}.txt`,
  'cpe-monitor': (board, range) => `cpe-monitor-${range}.csv`,
  csv: (board, range) => `${board}-${range}.csv`,
};
// when each file was last downloaded on this page: a submission marks only what it held
const downloadedAt = {};

function daysBefore(iso, days) {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - days);
  return day.toISOString().slice(0, 10);
}

function showCounts(counts) {
  const rows = FILES.map(([board, name]) => {
    const tr = document.createElement('tr');
    const figures = counts[board];
    for (const [label, text, className] of [
      ['File', name],
      ['Not reported', figures.unreported, 'num'],
      ['Due within 7 days', figures.due_soon, 'num'],
      ['Overdue', figures.overdue, 'num'],
    ]) {
      const td = document.createElement('td');
      td.dataset.label = label;
      td.textContent = String(text);
      if (className) td.className = className;
      if (label === 'Overdue' && figures.overdue > 0) td.classList.add('is-overdue');
      tr.append(td);
    }
    return tr;
  });
  /** @type {HTMLTableSectionElement} */ (dueTable.querySelector('tbody')).replaceChildren(...rows);
}

/** The activities whose MOC lines wait for a PARS activity id, each linked to its edit page. */
function showMissing(missing) {
  const items = missing.map((activity) => {
    const li = document.createElement('li');
    const lines = activity.lines === 1 ? '1 MOC line' : `${activity.lines} MOC lines`;
    li.append(
      link(`/admin-activity.html?id=${encodeURIComponent(activity.activity_id)}#a-pars`, activity.title || activity.activity_id),
      `: ${lines} waiting for its PARS activity id.`,
    );
    return li;
  });
  missingList.replaceChildren(...items);
  missingSection.hidden = items.length === 0;
}

/** Stored claims with less than the designated amount of a whole-only credit: for the office to check. */
function showPartial(partial) {
  const rows = partial.map((item) => {
    const tr = document.createElement('tr');
    for (const [label, text, className] of [
      ['Learner', item.learner_name],
      ['Activity', item.activity_title],
      ['Credit', item.label],
      ['Claimed', formatAmount(item.claimed), 'num'],
      ['Designated', formatAmount(item.designated), 'num'],
    ]) {
      const td = document.createElement('td');
      td.dataset.label = label;
      td.textContent = text;
      if (className) td.className = className;
      tr.append(td);
    }
    return tr;
  });
  /** @type {HTMLTableSectionElement} */ (partialTable.querySelector('tbody')).replaceChildren(...rows);
  partialSection.hidden = rows.length === 0;
}

/** Reported lines of revoked claims (cme.credit.revocation): for the office to withdraw at the board. */
function showWithdrawals(withdrawals) {
  const rows = withdrawals.map((item) => {
    const tr = document.createElement('tr');
    for (const [label, text] of [
      ['Learner', item.learner_name],
      ['Activity', item.activity_title],
      ['Board', BOARD_WORDS[item.board] || item.board],
      ['Completed', formatDate(item.completed_on)],
      ['Reported', formatDate(item.reported_on)],
      ['Revoked', formatDate(item.revoked_on)],
    ]) {
      const td = document.createElement('td');
      td.dataset.label = label;
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  });
  /** @type {HTMLTableSectionElement} */ (withdrawTable.querySelector('tbody')).replaceChildren(...rows);
  withdrawSection.hidden = rows.length === 0;
}

async function loadCounts() {
  const answer = await api('GET', '/api/admin/reports/status');
  if (!usable(answer)) return false;
  const status = answer.body;
  showCounts(status);
  showMissing(status.missing_pars_ids || []);
  showPartial(status.partial_claims || []);
  showWithdrawals(status.withdrawals || []);
  const end = status.pars_year_end;
  yearEnd.textContent = end
    ? `PARS accepts ${end.year}'s learner data until ${formatDate(end.until)}; after that, that year is closed.`
    : '';
  return true;
}

function updateLinks() {
  for (const [board] of FILES) {
    const format = /** @type {HTMLSelectElement} */ (document.getElementById(`${board}-format`)).value;
    const query = new URLSearchParams({ from: from.value, to: to.value, format }).toString();
    const anchor = /** @type {HTMLAnchorElement} */ (document.getElementById(`${board}-file`));
    anchor.href = `/api/admin/reports/${board}?${query}`;
    anchor.download = FILE_NAMES[format](board, `${from.value}-to-${to.value}`);
    const button = /** @type {HTMLButtonElement} */ (document.getElementById(`${board}-submitted`));
    const name = board === 'moc' ? 'MOC' : 'ACPE';
    button.textContent = to.value ? `Mark ${name} lines through ${formatDate(to.value)} reported` : `Mark ${name} lines reported`;
    button.disabled = !to.value;
  }
}

async function markReported(button) {
  const board = button.dataset.board;
  statusRegion.textContent = '';
  const body = { through: to.value };
  if (downloadedAt[board]) body.downloaded_at = downloadedAt[board];
  setBusy(button, true);
  const answer = await api('POST', `/api/admin/reports/${board}/submitted`, body);
  setBusy(button, false);
  if (answer.status === 401) {
    signInAgain();
    return;
  }
  if (answer.status !== 200) {
    showAlert(alertRegion, answer.body?.message || 'We could not mark the lines. Please try again.');
    return;
  }
  const { marked } = answer.body;
  statusRegion.textContent = `${marked} ${marked === 1 ? 'completion' : 'completions'} marked reported.`;
  await loadCounts();
}

async function start() {
  const today = officeToday();
  to.value = today;
  to.max = today;
  from.value = daysBefore(today, 30);
  if (!(await loadCounts())) return;
  updateLinks();
  form.addEventListener('input', updateLinks);
  for (const [board] of FILES) {
    /** @type {HTMLSelectElement} */ (document.getElementById(`${board}-format`)).addEventListener('change', updateLinks);
  }
  form.addEventListener('submit', (event) => event.preventDefault());
  for (const [board] of FILES) {
    /** @type {HTMLAnchorElement} */ (document.getElementById(`${board}-file`)).addEventListener('click', () => {
      downloadedAt[board] = new Date().toISOString();
    });
    const button = /** @type {HTMLButtonElement} */ (document.getElementById(`${board}-submitted`));
    button.addEventListener('click', () => markReported(button));
  }
  loading.hidden = true;
  page.hidden = false;
}

start();

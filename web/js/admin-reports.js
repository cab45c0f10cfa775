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
 * board, marking its lines reported (POST /api/admin/reports/{moc|cpe}/submitted): asked first
 * with how many lines and through which day (GET /api/admin/reports/{moc|cpe}/unreported), then
 * sent after UNDO_SECONDS during which Undo cancels it (sent at once if the page is left).
 */
import { api } from './api.js';
import {
  confirmAction, link, setBusy, showAlert,
} from './forms.js';
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
const WITHDRAW_BOARD = Object.freeze({ MOC: 'MOC (ACCME PARS)', CPE: 'ACPE (NABP CPE Monitor)' });

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
const markDialog = /** @type {HTMLDialogElement} */ (document.getElementById('mark-dialog'));
const UNDO_SECONDS = 10;
/** A marking confirmed and not yet sent, by board: {body, timer}. */
const pending = {};

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
      ['Board', WITHDRAW_BOARD[item.board] || item.board],
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

const BOARD_WORDS = { moc: 'MOC', cpe: 'ACPE' };

function lines(count, board) {
  return `${count} ${BOARD_WORDS[board]} ${count === 1 ? 'line' : 'lines'}`;
}

function pendingBox(board) {
  return /** @type {HTMLElement} */ (document.getElementById(`${board}-pending`));
}

/** Send a confirmed marking (now: its Undo time is over, or the page is being left). */
async function send(board) {
  const waiting = pending[board];
  if (!waiting) return;
  delete pending[board];
  clearTimeout(waiting.timer);
  pendingBox(board).hidden = true;
  const button = /** @type {HTMLButtonElement} */ (document.getElementById(`${board}-submitted`));
  setBusy(button, true);
  const answer = await api('POST', `/api/admin/reports/${board}/submitted`, waiting.body);
  setBusy(button, false);
  if (document.activeElement === document.body) button.focus(); // the Undo button it was on is gone
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

/** Ask with the number of lines and the day, then give UNDO_SECONDS to undo before sending. */
async function markReported(button) {
  const board = /** @type {string} */ (button.dataset.board);
  if (pending[board]) return;
  statusRegion.textContent = '';
  showAlert(alertRegion);
  const body = { through: to.value };
  if (downloadedAt[board]) body.downloaded_at = downloadedAt[board];
  setBusy(button, true);
  const query = new URLSearchParams(body).toString();
  const answer = await api('GET', `/api/admin/reports/${board}/unreported?${query}`);
  setBusy(button, false);
  button.focus(); // disabled while counting, it lost the focus: the dialog gives it back to it
  if (answer.status === 401) {
    signInAgain();
    return;
  }
  if (answer.status !== 200) {
    showAlert(alertRegion, answer.body?.message || 'We could not count the lines. Please try again.');
    return;
  }
  const day = formatDate(to.value);
  const { count } = answer.body;
  if (!count) {
    statusRegion.textContent = `No ${BOARD_WORDS[board]} lines completed through ${day} are waiting to be marked reported.`;
    return;
  }
  const sure = await confirmAction(
    markDialog,
    `Mark ${lines(count, board)} completed through ${day} as reported? Do this once the file is uploaded to the board: they stop counting as due.`,
  );
  if (!sure) return;
  const box = pendingBox(board);
  /** @type {HTMLElement} */ (box.querySelector('[data-slot="text"]')).textContent = `Marking ${lines(count, board)} through ${day} reported in ${UNDO_SECONDS} seconds.`;
  box.hidden = false;
  pending[board] = { body, timer: setTimeout(() => send(board), UNDO_SECONDS * 1000) };
  statusRegion.textContent = `${lines(count, board)} will be marked reported in ${UNDO_SECONDS} seconds: Undo stops it.`;
  /** @type {HTMLButtonElement} */ (box.querySelector('[data-action="undo"]')).focus();
}

function undo(board) {
  const waiting = pending[board];
  if (!waiting) return;
  clearTimeout(waiting.timer);
  delete pending[board];
  pendingBox(board).hidden = true;
  statusRegion.textContent = 'Undone: nothing was marked reported.';
  /** @type {HTMLButtonElement} */ (document.getElementById(`${board}-submitted`)).focus();
}

// the page left during the Undo time: the marking confirmed goes now (kept alive past the page)
window.addEventListener('pagehide', () => {
  for (const [board, waiting] of Object.entries(pending)) {
    clearTimeout(waiting.timer);
    fetch(`/api/admin/reports/${board}/submitted`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(waiting.body),
      keepalive: true,
    }).catch(() => {});
    delete pending[board];
  }
});

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
    /** @type {HTMLButtonElement} */ (pendingBox(board).querySelector('[data-action="undo"]')).addEventListener('click', () => undo(board));
  }
  loading.hidden = true;
  page.hidden = false;
}

start();

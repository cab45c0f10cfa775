// @ts-check
/**
 * Admin: the board reporting files (the MOC file for ACCME PARS, the CPE file for NABP CPE
 * Monitor) for a range of completion dates, downloaded through same-origin links (the session
 * cookie goes with them); how many completions are not yet reported, due within 7 days and
 * overdue (GET /api/admin/reports/status); and, once a file is uploaded to the board, marking
 * its lines reported (POST /api/admin/reports/{moc|cpe}/submitted).
 */
import { api } from './api.js';
import { setBusy, showAlert } from './forms.js';
import { formatDate, officeToday } from './dates.js';
import { alertRegion, loading, signInAgain, usable } from './admin-common.js';

const page = /** @type {HTMLElement} */ (document.getElementById('admin-page'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('admin-status'));
const dueTable = /** @type {HTMLTableElement} */ (document.getElementById('due-table'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('range-form'));
const from = /** @type {HTMLInputElement} */ (form.elements.namedItem('from'));
const to = /** @type {HTMLInputElement} */ (form.elements.namedItem('to'));

const FILES = [
  ['moc', 'MOC (ACCME PARS)'],
  ['cpe', 'ACPE (NABP CPE Monitor)'],
];
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

async function loadCounts() {
  const answer = await api('GET', '/api/admin/reports/status');
  if (!usable(answer)) return false;
  showCounts(answer.body);
  return true;
}

function updateLinks() {
  const query = new URLSearchParams({ from: from.value, to: to.value }).toString();
  for (const [board] of FILES) {
    const anchor = /** @type {HTMLAnchorElement} */ (document.getElementById(`${board}-file`));
    anchor.href = `/api/admin/reports/${board}?${query}`;
    anchor.download = `${board}-${from.value}-to-${to.value}.csv`;
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

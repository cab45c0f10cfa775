// @ts-check
/**
 * Admin: the activities a page at a time (GET /api/admin/activities?q=&from=&to=&limit=&cursor=),
 * current and upcoming first (soonest first), then past ones (most recent first); with dates,
 * those in the range, oldest first. Each row: date, title, attendance code, counts, published,
 * and its pages (Edit, Attendance, Claims, QR code). "More activities" adds the next page; the
 * search box searches titles and locations (kept in the address: ?q=&from=&to=). After a save,
 * ?saved=ID names the activity and its code.
 */
import { api } from './api.js';
import { link, showAlert } from './forms.js';
import { formatDateRange } from './dates.js';
import { activityPath, alertRegion, loading, usable } from './admin-common.js';

const PAGE_SIZE = 50;
const MAX_EMPTY_PAGES = 5; // a search reads a bounded slice per request: follow a few empty pages at once

const page = /** @type {HTMLElement} */ (document.getElementById('admin-page'));
const table = /** @type {HTMLTableElement} */ (document.getElementById('activity-table'));
const tbody = /** @type {HTMLTableSectionElement} */ (table.querySelector('tbody'));
const empty = /** @type {HTMLElement} */ (document.getElementById('admin-empty'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('admin-status'));
const countRegion = /** @type {HTMLElement} */ (document.getElementById('admin-count'));
const newButton = /** @type {HTMLAnchorElement} */ (document.getElementById('new-activity'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('admin-search'));
const more = /** @type {HTMLButtonElement} */ (document.getElementById('admin-more'));
const clear = /** @type {HTMLButtonElement} */ (document.getElementById('admin-clear'));

/** A query string with spaces as %20 (API Gateway passes "+" on as it is). */
function encoded(params) {
  return params.toString().replace(/\+/g, '%20');
}

let search = new URLSearchParams();
let cursor = null;
let busy = false;
let generation = 0; // a new search starts a new generation: answers for an older one are dropped

function cell(label, ...content) {
  const td = document.createElement('td');
  td.dataset.label = label;
  td.append(...content);
  return td;
}

function row(activity) {
  const tr = document.createElement('tr');
  tr.dataset.activityId = activity.activity_id;
  const titleId = `title-${activity.activity_id}`;
  const title = document.createElement('span');
  title.id = titleId;
  title.className = 'table__title';
  title.textContent = activity.title;
  const code = document.createElement('span');
  code.className = 'code';
  code.textContent = activity.attendance_code;
  const published = document.createElement('span');
  published.className = activity.published ? 'badge badge--ok' : 'badge';
  published.textContent = activity.published ? 'Published' : 'Draft';

  const id = encodeURIComponent(activity.activity_id);
  const pages = document.createElement('ul');
  pages.className = 'row-links';
  for (const [text, href] of [
    ['Edit', `/admin-activity.html?id=${id}`],
    ['Attendance', `/admin-attendance.html?id=${id}`],
    ['Claims', `/admin-claims.html?id=${id}`],
    ['QR', `/admin-qr.html?id=${id}`],
  ]) {
    const item = document.createElement('li');
    const anchor = link(href, text);
    anchor.setAttribute('aria-describedby', titleId);
    item.append(anchor);
    pages.append(item);
  }
  tr.append(
    cell('Date', formatDateRange(activity.start_date, activity.end_date, { short: true })),
    cell('Title', title),
    cell('Code', code),
    cell('Attendance', String(activity.attendance_count)),
    cell('Claims', String(activity.claim_count)),
    cell('Published', published),
    cell('Pages', pages),
  );
  tr.children[3].classList.add('num');
  tr.children[4].classList.add('num');
  return tr;
}

function searching() {
  return ['q', 'from', 'to'].some((key) => search.get(key));
}

function settle() {
  const shown = tbody.children.length;
  const done = cursor === null;
  more.hidden = done;
  table.hidden = shown === 0;
  empty.textContent = searching()
    ? 'No activities match your search.'
    : 'No activities yet: create the first one with New activity.';
  empty.hidden = shown > 0 || !done;
  const count = `${shown} ${shown === 1 ? 'activity' : 'activities'}`;
  if (searching()) countRegion.textContent = done ? `${count} found.` : `${count} found so far.`;
  else countRegion.textContent = done ? `${count}.` : `Showing ${count}; “More activities” adds the next ${PAGE_SIZE}.`;
}

/** Fetch the next page (following a few empty pages of a search); false when the page must stop. */
async function loadMore({ focusNew = false } = {}) {
  if (busy) return true;
  busy = true;
  const mine = generation;
  more.disabled = true;
  more.setAttribute('aria-busy', 'true');
  const before = tbody.children.length;
  try {
    for (let tries = 0; tries < MAX_EMPTY_PAGES; tries += 1) {
      const query = new URLSearchParams(search);
      query.set('limit', String(PAGE_SIZE));
      if (cursor) query.set('cursor', cursor);
      const answer = await api('GET', `/api/admin/activities?${encoded(query)}`);
      if (mine !== generation) return true; // a newer search has started
      if (answer.status === 400 || answer.status === 422) {
        showAlert(alertRegion, answer.body.message);
        return true;
      }
      if (!usable(answer)) return false;
      showAlert(alertRegion, '');
      tbody.append(...answer.body.activities.map(row));
      cursor = answer.body.next_cursor || null;
      if (tbody.children.length > before || cursor === null) break;
    }
    settle();
    const first = /** @type {HTMLElement | null | undefined} */ (tbody.children[before]?.querySelector('.table__title'));
    if (focusNew && first) {
      first.tabIndex = -1;
      first.focus();
    }
    return true;
  } finally {
    if (mine === generation) {
      busy = false;
      more.disabled = false;
      more.removeAttribute('aria-busy');
    }
  }
}

/** After a save (?saved=ID): name the activity and its code, even when it is not on this page. */
async function announceSaved() {
  const saved = new URLSearchParams(window.location.search).get('saved');
  if (!saved) return;
  const answer = await api('GET', activityPath(saved));
  if (answer.status !== 200 || !answer.body?.activity) return;
  const { activity } = answer.body;
  const code = document.createElement('strong');
  code.className = 'code';
  code.textContent = activity.attendance_code;
  showAlert(statusRegion, `Saved “${activity.title}”. Its attendance code is `, code, '.');
  tbody.querySelector(`[data-activity-id="${CSS.escape(saved)}"]`)?.classList.add('is-highlighted');
}

/** Keep the search in the address bar (the ?saved= notice is said once, then dropped). */
function remember() {
  const url = new URL(window.location.href);
  url.search = search.toString();
  window.history.replaceState(null, '', url);
}

function restart() {
  remember();
  tbody.replaceChildren();
  cursor = null;
  generation += 1;
  busy = false;
  clear.hidden = !searching();
  return loadMore();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const from = /** @type {HTMLInputElement} */ (form.elements.namedItem('from')).value;
  const to = /** @type {HTMLInputElement} */ (form.elements.namedItem('to')).value;
  if (from && to && to < from) {
    showAlert(alertRegion, 'The “To” date is before the “From” date.');
    /** @type {HTMLInputElement} */ (form.elements.namedItem('to')).focus();
    return;
  }
  search = new URLSearchParams();
  for (const key of ['q', 'from', 'to']) {
    const value = String(/** @type {HTMLInputElement} */ (form.elements.namedItem(key)).value || '').trim();
    if (value) search.set(key, value);
  }
  countRegion.textContent = 'Searching…';
  restart();
});

clear.addEventListener('click', () => {
  form.reset();
  search = new URLSearchParams();
  restart().then(() => /** @type {HTMLInputElement} */ (form.elements.namedItem('q')).focus());
});

more.addEventListener('click', () => loadMore({ focusNew: true }));

async function load() {
  const given = new URLSearchParams(window.location.search);
  for (const key of ['q', 'from', 'to']) {
    const value = (given.get(key) || '').trim();
    if (value) {
      /** @type {HTMLInputElement} */ (form.elements.namedItem(key)).value = value;
      search.set(key, value);
    }
  }
  clear.hidden = !searching();
  if (!(await loadMore())) return;
  loading.hidden = true;
  page.hidden = false;
  newButton.hidden = false;
  await announceSaved();
}

load();

// @ts-check
/**
 * The public catalogue on the About page, a page at a time (GET /api/activities?q=&from=&to=&limit=&cursor=).
 * The API answers current and upcoming activities first (ending today or later, in the office's
 * time zone; soonest first), then past ones (most recent first); with dates, those in the range,
 * oldest first. Each card shows the dates, format, location and the credit designated.
 * "More activities" asks for the next page; the search box searches titles and locations.
 * A search is kept in the address (?q=&from=&to=), so it can be shared and reloaded.
 */
import { api } from './api.js';
import { designation, formatLabel } from './credits.js';
import { formatDateRange, officeToday } from './dates.js';

const PAGE_SIZE = 20;
const MAX_EMPTY_PAGES = 5; // a search reads a bounded slice per request: follow a few empty pages at once

const statusRegion = /** @type {HTMLElement} */ (document.getElementById('catalogue-status'));
const template = /** @type {HTMLTemplateElement} */ (document.getElementById('tpl-activity-card'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('catalogue-search'));
const more = /** @type {HTMLButtonElement} */ (document.getElementById('catalogue-more'));
const clear = /** @type {HTMLButtonElement} */ (document.getElementById('catalogue-clear'));
const pastSection = /** @type {HTMLElement} */ (document.getElementById('past-section'));
const lists = {
  upcoming: /** @type {HTMLUListElement} */ (document.getElementById('upcoming-list')),
  past: /** @type {HTMLUListElement} */ (document.getElementById('past-list')),
};
const empties = {
  upcoming: /** @type {HTMLElement} */ (document.getElementById('upcoming-empty')),
  past: /** @type {HTMLElement} */ (document.getElementById('past-empty')),
};

/** A query string with spaces as %20 (API Gateway passes "+" on as it is). */
function encoded(params) {
  return params.toString().replace(/\+/g, '%20');
}

let search = new URLSearchParams();
let cursor = null;
let shown = 0;
let loading = false;
let generation = 0; // a new search starts a new generation: answers for an older one are dropped

function card(activity) {
  const item = /** @type {HTMLElement} */ (/** @type {Element} */ (template.content.firstElementChild).cloneNode(true));
  const slot = (name) => /** @type {HTMLElement} */ (item.querySelector(`[data-slot="${name}"]`));
  slot('title').textContent = activity.title;
  slot('dates').textContent = formatDateRange(activity.start_date, activity.end_date);
  slot('format').textContent = formatLabel(activity.format);
  slot('location').textContent = activity.location || '';
  slot('location-row').hidden = !activity.location;
  const credits = (activity.credits || []).map((credit) => {
    const entry = document.createElement('li');
    entry.textContent = designation(credit);
    return entry;
  });
  slot('credits').replaceChildren(...credits);
  slot('description').textContent = activity.description || '';
  slot('description').hidden = !activity.description;
  return item;
}

function say(message, { error = false } = {}) {
  statusRegion.hidden = !message;
  statusRegion.textContent = message;
  statusRegion.classList.toggle('muted', !error);
  statusRegion.classList.toggle('alert', error);
  statusRegion.classList.toggle('alert--error', error);
}

function searching() {
  return ['q', 'from', 'to'].some((key) => search.get(key));
}

function reset() {
  lists.upcoming.replaceChildren();
  lists.past.replaceChildren();
  empties.upcoming.hidden = true;
  empties.past.hidden = true;
  pastSection.hidden = true;
  cursor = null;
  shown = 0;
  generation += 1;
  loading = false;
}

/** Add a page's cards; returns the first new card's title (where focus goes after "More"). */
function place(activities) {
  const today = officeToday();
  /** @type {HTMLElement | null} */
  let first = null;
  for (const activity of activities) {
    const part = activity.end_date >= today ? 'upcoming' : 'past';
    const item = card(activity);
    lists[part].append(item);
    first ??= /** @type {HTMLElement} */ (item.querySelector('[data-slot="title"]'));
  }
  shown += activities.length;
  if (lists.past.children.length) pastSection.hidden = false;
  return first;
}

function settle() {
  const done = cursor === null;
  more.hidden = done;
  if (done) {
    // the whole list is here: say what is missing
    empties.upcoming.textContent = searching()
      ? 'No upcoming activities match your search.'
      : 'No upcoming activities have been published yet.';
    empties.past.textContent = searching() ? 'No past activities match your search.' : 'No past activities yet.';
    empties.upcoming.hidden = lists.upcoming.children.length > 0;
    empties.past.hidden = lists.past.children.length > 0;
    pastSection.hidden = false;
  }
  const count = `${shown} ${shown === 1 ? 'activity' : 'activities'}`;
  if (searching()) say(done ? `${count} found.` : `${count} found so far. Use “More activities” to see more.`);
  else say(done ? '' : `Showing ${count}.`);
}

async function loadMore({ focusNew = false } = {}) {
  if (loading) return;
  loading = true;
  const mine = generation;
  more.disabled = true;
  more.setAttribute('aria-busy', 'true');
  const before = shown;
  /** @type {HTMLElement | null} */
  let firstNew = null;
  try {
    for (let tries = 0; tries < MAX_EMPTY_PAGES; tries += 1) {
      const query = new URLSearchParams(search);
      query.set('limit', String(PAGE_SIZE));
      if (cursor) query.set('cursor', cursor);
      const { status, body } = await api('GET', `/api/activities?${encoded(query)}`);
      if (mine !== generation) return; // a newer search has started
      if (status !== 200 || !Array.isArray(body?.activities)) {
        say(body?.message || 'We could not load the activities. Please try again later.', { error: true });
        return;
      }
      firstNew ??= place(body.activities);
      cursor = body.next_cursor || null;
      if (shown > before || cursor === null) break;
    }
    settle();
    if (focusNew && firstNew) {
      firstNew.tabIndex = -1;
      firstNew.focus();
    }
  } finally {
    if (mine === generation) {
      loading = false;
      more.disabled = false;
      more.removeAttribute('aria-busy');
    }
  }
}

/** Keep the search in the address bar (replaceState: Back still leaves the page). */
function remember() {
  const url = new URL(window.location.href);
  url.search = search.toString();
  window.history.replaceState(null, '', url);
}

/** A search given in the address (?q=&from=&to=) fills the form and is run at once. */
function fromAddress() {
  const given = new URLSearchParams(window.location.search);
  for (const key of ['q', 'from', 'to']) {
    const value = (given.get(key) || '').trim();
    if (value) /** @type {HTMLInputElement} */ (form.elements.namedItem(key)).value = value;
  }
  search = readForm();
  clear.hidden = !searching();
}

function readForm() {
  const next = new URLSearchParams();
  for (const key of ['q', 'from', 'to']) {
    const value = String(/** @type {HTMLInputElement} */ (form.elements.namedItem(key)).value || '').trim();
    if (value) next.set(key, value);
  }
  return next;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const from = /** @type {HTMLInputElement} */ (form.elements.namedItem('from')).value;
  const to = /** @type {HTMLInputElement} */ (form.elements.namedItem('to')).value;
  if (from && to && to < from) {
    say('The “To” date is before the “From” date.', { error: true });
    /** @type {HTMLInputElement} */ (form.elements.namedItem('to')).focus();
    return;
  }
  search = readForm();
  clear.hidden = !searching();
  remember();
  reset();
  say('Searching…');
  loadMore();
});

clear.addEventListener('click', () => {
  form.reset();
  search = new URLSearchParams();
  clear.hidden = true;
  remember();
  reset();
  say('Loading the activities…');
  loadMore().then(() => /** @type {HTMLInputElement} */ (form.elements.namedItem('q')).focus());
});

more.addEventListener('click', () => loadMore({ focusNew: true }));

fromAddress();
loadMore();

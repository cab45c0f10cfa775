/**
 * The public catalogue on the About page: every published activity, upcoming (ending today
 * or later, in the office's time zone) and past, with its dates, format, location and the
 * credit it is designated for.
 */
import { api } from './api.js';
import { designation, formatLabel } from './credits.js';
import { formatDateRange, officeToday } from './dates.js';

const statusRegion = document.getElementById('catalogue-status');
const template = document.getElementById('tpl-activity-card');

function card(activity) {
  const item = template.content.firstElementChild.cloneNode(true);
  const slot = (name) => item.querySelector(`[data-slot="${name}"]`);
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

function fill(listId, emptyId, activities) {
  document.getElementById(listId).replaceChildren(...activities.map(card));
  document.getElementById(emptyId).hidden = activities.length > 0;
}

async function load() {
  const { status, body } = await api('GET', '/api/activities');
  if (status !== 200 || !Array.isArray(body?.activities)) {
    statusRegion.textContent = body?.message || 'We could not load the activities. Please try again later.';
    statusRegion.classList.replace('muted', 'alert');
    statusRegion.classList.add('alert--error');
    return;
  }
  const today = officeToday();
  const byStart = (a, b) => a.start_date.localeCompare(b.start_date) || a.title.localeCompare(b.title);
  const upcoming = body.activities.filter((a) => a.end_date >= today).sort(byStart);
  const past = body.activities.filter((a) => a.end_date < today).sort((a, b) => byStart(b, a));
  fill('upcoming-list', 'upcoming-empty', upcoming);
  fill('past-list', 'past-empty', past);
  statusRegion.textContent = '';
  statusRegion.hidden = true;
}

load();

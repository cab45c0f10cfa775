/**
 * Admin: every activity (newest first) with its date, title, attendance code, counts and
 * whether it is published, and its pages: Edit, Attendance, Claims, QR code.
 * After a save, ?saved=ID names the activity saved and its code.
 */
import { api } from './api.js';
import { link, showAlert } from './forms.js';
import { formatDateRange } from './dates.js';
import { loading, usable } from './admin-common.js';

const page = document.getElementById('admin-page');
const tbody = document.querySelector('#activity-table tbody');
const empty = document.getElementById('admin-empty');
const statusRegion = document.getElementById('admin-status');
const newButton = document.getElementById('new-activity');

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

async function load() {
  const answer = await api('GET', '/api/admin/activities');
  if (!usable(answer)) return;
  const { activities } = answer.body;
  tbody.replaceChildren(...activities.map(row));
  empty.hidden = activities.length > 0;
  document.getElementById('activity-table').hidden = activities.length === 0;
  loading.hidden = true;
  page.hidden = false;
  newButton.hidden = false;

  const saved = new URLSearchParams(window.location.search).get('saved');
  const activity = saved ? activities.find((a) => a.activity_id === saved) : null;
  if (activity) {
    const code = document.createElement('strong');
    code.className = 'code';
    code.textContent = activity.attendance_code;
    showAlert(statusRegion, `Saved “${activity.title}”. Its attendance code is `, code, '.');
    tbody.querySelector(`[data-activity-id="${CSS.escape(saved)}"]`)?.classList.add('is-highlighted');
  }
}

load();

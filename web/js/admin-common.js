// @ts-check
/**
 * What the coordinators' pages share: the activity id from ?id=, the API paths, the answers
 * that stop a page (401: sign in first; 403: this page is for coordinators), the activity's
 * own navigation (Edit, Attendance, Claims, QR code) and its one-line summary.
 */
import { showAlert, link } from './forms.js';
import { formatDateRange } from './dates.js';
import { setRole, setSignedIn } from './shell.js';

export const loading = /** @type {HTMLElement} */ (document.getElementById('admin-loading'));
export const alertRegion = /** @type {HTMLElement} */ (document.getElementById('admin-alert'));

/** The ?id= of the page's activity ('' when none). */
export function activityIdParam() {
  return (new URLSearchParams(window.location.search).get('id') || '').trim();
}

export function activityPath(id, rest = '') {
  return `/api/admin/activities/${encodeURIComponent(id)}${rest}`;
}

export function signInAgain() {
  setSignedIn(false);
  const here = window.location.pathname + window.location.search;
  window.location.replace(`/sign-in.html?next=${encodeURIComponent(here)}`);
}

/** Show why the page cannot be shown; the loading line goes away. */
export function stop(message, ...extra) {
  if (loading) loading.hidden = true;
  showAlert(alertRegion, message, ...extra);
}

/**
 * Check an answer of an admin route before the page uses it. Returns true when the page can
 * go on (and remembers that this person is a coordinator); otherwise it has said why.
 */
export function usable({ status, body }) {
  if (status === 401) {
    signInAgain();
    return false;
  }
  if (status === 403) {
    setRole('learner');
    const back = document.createElement('p');
    back.className = 'alert__more';
    back.append('Your credit, certificates and transcript are in ', link('/portal.html', 'My Portal'), '.');
    stop(body.message, back);
    return false;
  }
  if (status === 404) {
    const back = document.createElement('p');
    back.className = 'alert__more';
    back.append(link('/admin.html', 'Back to the activities'));
    stop(body.message, back);
    return false;
  }
  if (status < 200 || status > 299 || !body) {
    stop(body?.message || 'We could not load this page. Please try again.');
    return false;
  }
  setSignedIn(true);
  setRole('admin');
  return true;
}

const TABS = [
  ['edit', 'Edit', '/admin-activity.html'],
  ['attendance', 'Attendance', '/admin-attendance.html'],
  ['claims', 'Claims', '/admin-claims.html'],
  ['qr', 'QR code', '/admin-qr.html'],
];

/** The activity's own navigation, with the current page marked. */
export function showTabs(activityId, current) {
  const nav = document.getElementById('activity-tabs');
  if (!nav) return;
  const list = document.createElement('ul');
  for (const [key, text, page] of TABS) {
    const item = document.createElement('li');
    const anchor = link(`${page}?id=${encodeURIComponent(activityId)}`, text);
    if (key === current) anchor.setAttribute('aria-current', 'page');
    item.append(anchor);
    list.append(item);
  }
  nav.replaceChildren(list);
  nav.hidden = false;
}

/** "Medicine Grand Rounds · November 23, 2026 · Code BHWBZ2" under the page's heading. */
export function showSummary(activity) {
  const slot = document.querySelector('[data-slot="activity"]');
  if (!slot) return;
  const title = document.createElement('strong');
  title.textContent = activity.title;
  const code = document.createElement('span');
  code.className = 'code';
  code.textContent = activity.attendance_code;
  slot.replaceChildren(title, ` · ${formatDateRange(activity.start_date, activity.end_date)} · Attendance code `, code);
}

/**
 * An email address for a table cell: a line may break before its "@" (as style guides break an
 * address), so a column need not be as wide as the whole address and no word breaks mid-word.
 */
export function emailWords(email) {
  const at = email.lastIndexOf('@');
  const words = document.createDocumentFragment();
  if (at <= 0) {
    words.append(email);
    return words;
  }
  words.append(email.slice(0, at), document.createElement('wbr'), email.slice(at));
  return words;
}

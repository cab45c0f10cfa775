// @ts-check
/**
 * The audit trail as a list (GET /api/admin/audit?learner_id= or ?activity_id=): newest first,
 * each entry with its time, what was done, by whom (a name and email: the API never gives an
 * account's key), about whom or what, and its details; "Show older" reads the next page.
 * Reusable: the activity page's History calls it, and the learner page can:
 *   renderAudit(container, { learnerId })  or  renderAudit(container, { activityId })
 * Everything reaches the page through textContent.
 */
import { api } from './api.js';
import { formatMoment } from './dates.js';

/** Each action's words (the API's action names: cme.platform.audit's records). */
const ACTIONS = Object.freeze({
  claim: 'Claimed credit',
  name_changed: 'Name corrected',
  degree_changed: 'Degree changed by the office',
  owner_moved_in: 'Account taken back by its owner (password reset)',
  attendance_removed: 'Attendance removed',
  activity_copied: 'Made as a copy of another activity',
  report_submitted: 'Board report marked sent',
  requirement_set_create: 'Requirement set created',
  requirement_set_update: 'Requirement set changed',
});

/** @param {string} action */
export function actionWords(action) {
  return ACTIONS[action] || action.replaceAll('_', ' ');
}

/** @param {unknown} value */
function valueText(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > 300 ? `${text.slice(0, 299)}…` : text;
  }
  return String(value);
}

/**
 * One entry as a list item.
 * @param {Api.AuditEntry} entry
 * @param {boolean} showSubject name whom the entry is about (an activity's history lists many learners)
 */
function entryItem(entry, showSubject) {
  const item = document.createElement('li');
  item.className = 'audit-entry';
  const head = document.createElement('p');
  head.className = 'audit-entry__head';
  const when = document.createElement('time');
  when.dateTime = entry.at;
  when.textContent = formatMoment(entry.at);
  const what = document.createElement('strong');
  what.textContent = actionWords(entry.action);
  head.append(when, ' · ', what);
  // the learner an activity's record is about (the page's own activity goes without saying)
  if (showSubject && entry.subject.kind === 'learner' && entry.subject.name) head.append(` · ${entry.subject.name}`);
  const who = document.createElement('p');
  who.className = 'audit-entry__actor muted';
  who.textContent = `By ${entry.actor.name}${entry.actor.email ? ` (${entry.actor.email})` : ''}`;
  item.append(head, who);
  const keys = Object.keys(entry.details || {});
  if (keys.length) {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'Details';
    const list = document.createElement('dl');
    list.className = 'audit-entry__details';
    for (const key of keys) {
      const term = document.createElement('dt');
      term.textContent = key.replaceAll('_', ' ');
      const value = document.createElement('dd');
      value.textContent = valueText(entry.details[key]);
      list.append(term, value);
    }
    details.append(summary, list);
    item.append(details);
  }
  return item;
}

/**
 * Fill ``container`` with the audit trail of a learner or an activity; resolves once the first
 * page is shown (or the reason it is not).
 * @param {HTMLElement} container
 * @param {{ learnerId?: string, activityId?: string }} about exactly one of them
 */
export async function renderAudit(container, about) {
  const query = new URLSearchParams();
  if (about.learnerId) query.set('learner_id', about.learnerId);
  if (about.activityId) query.set('activity_id', about.activityId);
  const list = document.createElement('ol');
  list.className = 'audit-list';
  const status = document.createElement('p');
  status.className = 'muted';
  status.setAttribute('role', 'status');
  const more = document.createElement('button');
  more.type = 'button';
  more.className = 'button button--secondary button--small';
  more.textContent = 'Show older';
  more.hidden = true;
  container.replaceChildren(list, status, more);

  /** @param {string | null} cursor */
  async function load(cursor) {
    more.disabled = true;
    status.textContent = 'Loading the history…';
    const page = new URLSearchParams(query);
    if (cursor) page.set('cursor', cursor);
    const { status: code, body } = await api('GET', `/api/admin/audit?${page}`);
    more.disabled = false;
    if (code !== 200 || !body) {
      status.textContent = body?.message || 'We could not load the history. Please try again.';
      return;
    }
    /** @type {Api.AuditReply} */
    const reply = body;
    list.append(...reply.entries.map((entry) => entryItem(entry, Boolean(about.activityId))));
    status.textContent = list.children.length ? '' : 'Nothing has been recorded yet.';
    more.hidden = !reply.next_cursor;
    more.onclick = () => load(reply.next_cursor || null);
  }

  await load(null);
}

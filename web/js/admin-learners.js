// @ts-check
/**
 * Admin: the office's learners. Find a learner (GET /api/admin/learners?q=&cursor=: the start of
 * a name, a confirmed email, an NPI or a phone's last digits), open their record
 * (GET /api/admin/learners/{id}: profile, emails, attendance, claims, audit trail), and correct
 * their name or degree with a reason (PUT /api/admin/learners/{id}, audited), and merge the
 * learner's other account into the record (find it, confirm with a reason:
 * POST /api/admin/learners/{id}/merge, audited). ?q= and ?id= in the address reopen a search and a
 * record.
 */
import { api } from './api.js';
import { clearErrors, formValues, formatPhone, handleSubmit, requireFields, setBusy, showAlert, showAnswerProblems } from './forms.js';
import { formatDate, formatDateRange, formatMoment } from './dates.js';
import { claimedCredits, fillDegrees } from './credits.js';
import { alertRegion, signInAgain, usable } from './admin-common.js';
import { renderClaimFor, renderRevoke } from './admin-learner-claims.js';

const statusRegion = /** @type {HTMLElement} */ (document.getElementById('admin-status'));
const findForm = /** @type {HTMLFormElement} */ (document.getElementById('find-form'));
const query = /** @type {HTMLInputElement} */ (findForm.elements.namedItem('q'));
const results = /** @type {HTMLElement} */ (document.getElementById('results'));
const resultsCount = /** @type {HTMLElement} */ (document.getElementById('results-count'));
const resultsBody = /** @type {HTMLTableSectionElement} */ (document.querySelector('#results-table tbody'));
const more = /** @type {HTMLButtonElement} */ (document.getElementById('more'));
const record = /** @type {HTMLElement} */ (document.getElementById('record'));
const recordHeading = /** @type {HTMLElement} */ (document.getElementById('record-heading'));
const fixForm = /** @type {HTMLFormElement} */ (document.getElementById('fix-form'));
fillDegrees(/** @type {HTMLSelectElement} */ (fixForm.elements.namedItem('degree'))); // the API's list of degrees
const mergeFind = /** @type {HTMLFormElement} */ (document.getElementById('merge-find'));
const mergeResults = /** @type {HTMLElement} */ (document.getElementById('merge-results'));
const mergeCount = /** @type {HTMLElement} */ (document.getElementById('merge-count'));
const mergeList = /** @type {HTMLElement} */ (document.getElementById('merge-list'));
const mergeForm = /** @type {HTMLFormElement} */ (document.getElementById('merge-form'));
const mergeHeading = /** @type {HTMLElement} */ (document.getElementById('merge-confirm-heading'));

const ACTIONS = {
  name_changed: 'Name changed',
  degree_changed: 'Degree changed',
  claim: 'Credit claimed',
  learner_merged_in: 'Other account merged in',
  learner_merged_into: 'Merged into another account',
  claims_moved: 'Claims moved in from another account',
  claim_on_behalf: 'Credit claimed by the office',
  claim_revoked: 'Claim revoked',
};
const STATUSES = { claimable: 'Can claim', claimed: 'Claimed', closed: 'Window closed' };

/** @type {string | null} */
let nextCursor = null;
let lastQuery = '';
/** @type {string | null} */
let openId = null;
/** @type {{learner_id: string, first_name: string, last_name: string, degree: string, email: string} | null} */
let mergeChoice = null;
/** @type {{first_name: string, last_name: string, degree: string} | null} */
let openLearner = null;

function learnersPath(id = '') {
  return id ? `/api/admin/learners/${encodeURIComponent(id)}` : '/api/admin/learners';
}

function setAddress() {
  const params = new URLSearchParams();
  if (lastQuery) params.set('q', lastQuery);
  if (openId) params.set('id', openId);
  const search = params.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
}

/** A table cell with its label (shown beside the value when the table stacks on a phone). */
function cell(label, ...content) {
  const td = document.createElement('td');
  td.dataset.label = label;
  const span = document.createElement('span');
  span.append(...content);
  td.append(span);
  return td;
}

function row(...cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

function fullName(person) {
  return `${person.first_name} ${person.last_name}`;
}

function resultRow(learner) {
  const open = document.createElement('a');
  open.href = `?${new URLSearchParams({ q: lastQuery, id: learner.learner_id })}`;
  open.textContent = fullName(learner);
  open.className = 'table__title';
  open.addEventListener('click', (event) => {
    event.preventDefault();
    openRecord(learner.learner_id);
  });
  return row(
    cell('Name', open),
    whole('Degree', learner.degree),
    cell('Email', learner.email),
    whole('NPI', learner.npi || '—'),
    whole('Phone', learner.phone ? formatPhone(learner.phone) : '—'),
  );
}

/**
 * @param {string} q
 * @param {string | null} [cursor]
 */
async function search(q, cursor = null) {
  const params = new URLSearchParams({ q });
  if (cursor) params.set('cursor', cursor);
  const answer = await api('GET', `${learnersPath()}?${params}`);
  if (answer.status === 400 || answer.status === 422) {
    showAlert(alertRegion, answer.body?.message || 'Please check the search and try again.');
    return null;
  }
  if (!usable(answer)) return null;
  return answer.body;
}

function showResults(page, append) {
  const rows = page.learners.map(resultRow);
  if (append) resultsBody.append(...rows);
  else resultsBody.replaceChildren(...rows);
  const shown = resultsBody.rows.length;
  nextCursor = page.next_cursor || null;
  more.hidden = !nextCursor;
  resultsCount.textContent = shown
    ? `${shown} ${shown === 1 ? 'learner' : 'learners'} found${nextCursor ? ' so far' : ''}.`
    : 'No learner matches. Try the start of the last name, or another email.';
  /** @type {HTMLTableElement} */ (document.getElementById('results-table')).hidden = shown === 0;
  results.hidden = false;
}

function fact(list, term, value) {
  const pair = document.createElement('div');
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  pair.append(dt, dd);
  list.append(pair);
}

/** A cell whose value never breaks inside (a number, a date, a code). */
function whole(label, ...content) {
  const td = cell(label, ...content);
  td.classList.add('nowrap');
  return td;
}

function fillTable(id, emptyId, items, toRow) {
  const table = /** @type {HTMLTableElement} */ (document.getElementById(id));
  /** @type {HTMLTableSectionElement} */ (table.tBodies[0]).replaceChildren(...items.map(toRow));
  table.hidden = items.length === 0;
  /** @type {HTMLElement} */ (document.getElementById(emptyId)).hidden = items.length > 0;
}

function detailsText(entry) {
  const details = entry.details || {};
  const parts = [];
  const shown = (value) => (value && typeof value === 'object' ? `${value.first_name ?? ''} ${value.last_name ?? ''}`.trim() : String(value ?? ''));
  if ('old' in details || 'new' in details) parts.push(`${shown(details.old)} → ${shown(details.new)}`);
  if (Array.isArray(details.claims)) parts.push(`${details.claims.length} ${details.claims.length === 1 ? 'claim' : 'claims'}`);
  if (details.reason) parts.push(`Reason: ${details.reason}`);
  if (!parts.length && details.activity_title) parts.push(String(details.activity_title));
  return parts.join('. ');
}

// Claims on the learner's behalf and revocations (issue 24): web/js/admin-learner-claims.js's
// controls, the record read again after each.
function claimAction(learner, item) {
  if (item.status === 'claimed') return '—';
  const box = document.createElement('div');
  renderClaimFor(box, {
    learnerId: learner.learner_id,
    learnerName: fullName(learner),
    activityId: item.activity_id,
    onClaimed: () => openRecord(learner.learner_id, false),
  });
  return box;
}

function revokeAction(learner, claim) {
  const box = document.createElement('div');
  renderRevoke(box, {
    learnerId: learner.learner_id,
    learnerName: fullName(learner),
    activityId: claim.activity_id,
    onRevoked: () => openRecord(learner.learner_id, false),
  });
  return box;
}

function showRecord(data) {
  const { learner, emails, attendance, claims, audit } = data;
  recordHeading.textContent = `${fullName(learner)}, ${learner.degree}`;
  const facts = /** @type {HTMLElement} */ (document.getElementById('record-facts'));
  facts.replaceChildren();
  fact(facts, 'Email', learner.email);
  fact(facts, 'Phone', learner.phone ? formatPhone(learner.phone) : '—');
  fact(facts, 'NPI', learner.npi || '—');
  fact(facts, 'Specialty', learner.specialty || '—');
  fact(facts, 'Role', learner.role === 'admin' ? 'Coordinator' : 'Learner');
  const list = /** @type {HTMLElement} */ (document.getElementById('record-emails'));
  list.replaceChildren(
    ...emails.map((entry) => {
      const li = document.createElement('li');
      const address = document.createElement('span');
      address.className = 'email-row__address';
      address.textContent = entry.email;
      const notes = [entry.primary ? 'primary' : '', entry.verified ? 'confirmed' : 'not confirmed', entry.undeliverable ? 'undeliverable' : '']
        .filter(Boolean)
        .join(', ');
      li.append(address, ` (${notes})`);
      return li;
    }),
  );
  fillTable('attendance-table', 'no-attendance', attendance, (item) =>
    row(
      cell('Activity', item.title),
      whole('Dates', formatDateRange(item.start_date, item.end_date, { short: true })),
      cell('Attended as', item.attended_as),
      cell('Status', STATUSES[item.status] || item.status),
      cell('Actions', claimAction(learner, item)),
    ),
  );
  fillTable('claims-table', 'no-claims', claims, (claim) => {
    const code = document.createElement('a');
    code.href = `/verify.html?${new URLSearchParams({ code: claim.certificate_code })}`;
    code.textContent = claim.certificate_code;
    code.className = 'code';
    return row(
      cell('Activity', claim.activity_title),
      whole('Completed', formatDate(claim.completed_on, { short: true })),
      cell('Credit', claimedCredits(claim)),
      whole('Certificate', code),
      cell('Actions', revokeAction(learner, claim)),
    );
  });
  fillTable('audit-table', 'no-audit', audit, (entry) =>
    row(
      whole('When', formatMoment(entry.at)),
      cell('What', ACTIONS[entry.action] || entry.action.replace(/_/g, ' ')),
      cell('By', entry.actor.email ? `${entry.actor.name} <${entry.actor.email}>` : entry.actor.name),
      cell('Details', detailsText(entry) || '—'),
    ),
  );
  clearErrors(fixForm);
  /** @type {HTMLInputElement} */ (fixForm.elements.namedItem('first_name')).value = learner.first_name;
  /** @type {HTMLInputElement} */ (fixForm.elements.namedItem('last_name')).value = learner.last_name;
  /** @type {HTMLSelectElement} */ (fixForm.elements.namedItem('degree')).value = learner.degree;
  /** @type {HTMLTextAreaElement} */ (fixForm.elements.namedItem('reason')).value = '';
  openLearner = learner;
  resetMerge();
  record.hidden = false;
}

/** The merge's search and confirmation, emptied (a record opened, a merge done or cancelled). */
function resetMerge() {
  mergeChoice = null;
  clearErrors(mergeFind);
  clearErrors(mergeForm);
  mergeList.replaceChildren();
  mergeResults.hidden = true;
  mergeForm.hidden = true;
  /** @type {HTMLTextAreaElement} */ (mergeForm.elements.namedItem('reason')).value = '';
}

function chooseForMerge(other) {
  mergeChoice = other;
  const kept = openLearner ? `${fullName(openLearner)}, ${openLearner.degree}` : 'this record';
  mergeHeading.textContent = `Merge ${fullName(other)} (${other.email}) into ${kept}?`;
  /** @type {HTMLElement} */ (document.getElementById('merge-summary')).textContent =
    `${fullName(other)}'s emails, attendance, claims, outside credit and tracked requirements move to ${kept}. ` +
    `The account of ${other.email} is closed: it can no longer sign in, and its certificates verify as before. ` +
    'This cannot be undone here.';
  clearErrors(mergeForm);
  mergeForm.hidden = false;
  mergeHeading.focus();
}

function mergeRow(other) {
  const li = document.createElement('li');
  const who = document.createElement('span');
  who.textContent = `${fullName(other)}, ${other.degree} · ${other.email}`;
  const choose = document.createElement('button');
  choose.type = 'button';
  choose.className = 'button button--secondary';
  choose.textContent = 'Merge into this record';
  choose.setAttribute('aria-label', `Merge ${fullName(other)} (${other.email}) into this record`);
  choose.addEventListener('click', () => chooseForMerge(other));
  li.append(who, choose);
  return li;
}

function mergeProblem(answer) {
  if (answer.status === 409 && answer.body?.code === 'MERGE_CONFLICT') {
    const titles = (answer.body.details || []).map((d) => d.title);
    showAlert(
      alertRegion,
      `Both accounts claimed credit for ${titles.length === 1 ? 'this activity' : 'these activities'}: ${titles.join('; ')}. ` +
        'A learner has one claim per activity: revoke one of the claims, then merge again.',
    );
    alertRegion.focus();
    return;
  }
  showAnswerProblems(mergeForm, alertRegion, answer);
  alertRegion.focus();
}

async function openRecord(id, focus = true) {
  showAlert(alertRegion, '');
  statusRegion.textContent = '';
  const answer = await api('GET', learnersPath(id));
  if (answer.status === 404) {
    showAlert(alertRegion, answer.body?.message || 'There is no such learner.');
    record.hidden = true;
    return;
  }
  if (!usable(answer)) return;
  openId = id;
  setAddress();
  showRecord(answer.body);
  if (focus) recordHeading.focus();
}

async function runSearch(q) {
  lastQuery = q;
  showAlert(alertRegion, '');
  const page = await search(q);
  if (!page) return;
  setAddress();
  showResults(page, false);
}

function start() {
  handleSubmit(findForm, {
    button: /** @type {HTMLButtonElement} */ (findForm.querySelector('button[type="submit"]')),
    reset: () => showAlert(alertRegion, ''),
    check: () => requireFields(findForm, alertRegion, 'Please enter'),
    send: async () => {
      await runSearch(query.value.trim());
      return null;
    },
    answered: () => undefined,
  });
  more.addEventListener('click', async () => {
    if (!nextCursor) return;
    setBusy(more, true);
    const page = await search(lastQuery, nextCursor);
    setBusy(more, false);
    if (page) showResults(page, true);
  });
  handleSubmit(fixForm, {
    button: /** @type {HTMLButtonElement} */ (fixForm.querySelector('button[type="submit"]')),
    reset: () => {
      showAlert(alertRegion, '');
      statusRegion.textContent = '';
    },
    check: () => requireFields(fixForm, alertRegion),
    send: () => api('PUT', learnersPath(openId || ''), formValues(fixForm)),
    answered: async (answer) => {
      if (answer.status === 401) {
        signInAgain();
        return;
      }
      if (answer.status !== 200) {
        showAnswerProblems(fixForm, alertRegion, answer);
        return;
      }
      const replaced = answer.body.replaced.length;
      await openRecord(answer.body.learner.learner_id, false);
      statusRegion.textContent = replaced
        ? `Saved. ${replaced} ${replaced === 1 ? 'certificate was' : 'certificates were'} replaced with the new name.`
        : 'Saved.';
      if (lastQuery) await runSearch(lastQuery);
    },
  });
  handleSubmit(mergeFind, {
    button: /** @type {HTMLButtonElement} */ (mergeFind.querySelector('button[type="submit"]')),
    reset: () => {
      showAlert(alertRegion, '');
      statusRegion.textContent = '';
      mergeForm.hidden = true;
    },
    check: () => requireFields(mergeFind, alertRegion, 'Please enter'),
    send: async () => {
      const q = /** @type {HTMLInputElement} */ (mergeFind.elements.namedItem('q')).value.trim();
      const page = await search(q);
      if (!page) return null;
      const others = page.learners.filter((other) => other.learner_id !== openId);
      mergeList.replaceChildren(...others.map(mergeRow));
      mergeCount.textContent = others.length
        ? `${others.length} other ${others.length === 1 ? 'account' : 'accounts'} found.`
        : 'No other account matches. Try its email, or the start of the name it was made under.';
      mergeResults.hidden = false;
      return null;
    },
    answered: () => undefined,
  });
  handleSubmit(mergeForm, {
    button: /** @type {HTMLButtonElement} */ (mergeForm.querySelector('button[type="submit"]')),
    reset: () => {
      showAlert(alertRegion, '');
      statusRegion.textContent = '';
    },
    check: () => requireFields(mergeForm, alertRegion),
    send: () =>
      api('POST', `${learnersPath(openId || '')}/merge`, {
        other_learner_id: mergeChoice?.learner_id || '',
        reason: /** @type {HTMLTextAreaElement} */ (mergeForm.elements.namedItem('reason')).value.trim(),
      }),
    answered: async (answer) => {
      if (answer.status === 401) {
        signInAgain();
        return;
      }
      if (answer.status !== 200) {
        mergeProblem(answer);
        return;
      }
      const merged = mergeChoice;
      showRecord(answer.body);
      statusRegion.textContent = merged
        ? `Merged. The account of ${merged.email} is closed; its emails, attendance and claims are on this record now.`
        : 'Merged.';
      recordHeading.focus();
      if (lastQuery) await runSearch(lastQuery);
    },
  });
  /** @type {HTMLButtonElement} */ (document.getElementById('merge-cancel')).addEventListener('click', () => {
    mergeForm.hidden = true;
    mergeChoice = null;
    /** @type {HTMLInputElement} */ (mergeFind.elements.namedItem('q')).focus();
  });
  const params = new URLSearchParams(window.location.search);
  const q = (params.get('q') || '').trim();
  const id = (params.get('id') || '').trim();
  if (q) {
    query.value = q;
    runSearch(q);
  }
  if (id) openRecord(id, false);
}

start();

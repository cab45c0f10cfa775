// @ts-check
/**
 * Admin: the claims report of an activity (GET /api/admin/activities/{id}/claims): the totals
 * per credit type, who claimed what (what the office reports to ACCME PARS and the boards, and
 * the same as a CSV download: the session cookie goes with the same-origin link), the
 * evaluation summarised per question, and who attended but has not claimed (to remind them).
 * Each claim can be revoked, and each attendee with an account who has not claimed can be claimed
 * for (web/js/admin-learner-claims.js); the report is then read again.
 */
import { api } from './api.js';
import { claimedCredits, creditLabel } from './credits.js';
import { formatMoment } from './dates.js';
import { setBusy, showAlert } from './forms.js';
import { renderClaimFor, renderRevoke } from './admin-learner-claims.js';
import {
  activityIdParam, activityPath, emailWords, loading, showSummary, showTabs, stop, usable,
} from './admin-common.js';

const page = /** @type {HTMLElement} */ (document.getElementById('admin-page'));
const activityId = activityIdParam();
const changes = /** @type {HTMLElement} */ (document.getElementById('claims-changes'));
/** The activity as GET /api/admin/activities/{id} answered it (its credits and evaluation). */
let shownActivity = null;

const KIND_WORDS = Object.freeze({
  rating: 'Rating from 1 to 5',
  yes_no: 'Yes or no',
  choice: 'One choice',
  text: 'Written answer',
});

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function number(value) {
  return Number(value).toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/**
 * A table row of cells [label, content, className]; content is text or a node. 'num' goes on
 * the cell (numbers align right); any other class on the content (a code must not stretch the
 * cell, where the stacked phone layout prints the label beside it).
 */
function tableRow(cells) {
  const tr = document.createElement('tr');
  for (const [label, content, className] of cells) {
    const td = document.createElement('td');
    td.dataset.label = label;
    const span = document.createElement('span');
    if (className === 'num') td.className = className;
    else if (className) span.className = className;
    span.append(content);
    td.append(span);
    tr.append(td);
  }
  return tr;
}

function fill(tableId, emptyId, rows) {
  const table = /** @type {HTMLTableElement} */ (document.getElementById(tableId));
  /** @type {HTMLTableSectionElement} */ (table.querySelector('tbody')).replaceChildren(...rows);
  table.hidden = rows.length === 0;
  if (emptyId) /** @type {HTMLElement} */ (document.getElementById(emptyId)).hidden = rows.length > 0;
}

function showTotals(totals) {
  fill('totals-table', 'totals-empty', totals.map((total) => tableRow([
    ['Credit', total.label || creditLabel(total.credit_type)],
    ['Learners', String(total.learners), 'num'],
    ['Credits', number(total.credits), 'num'],
  ])));
}

function npiCell(claim) {
  if (!claim.npi) return '—';
  const cell = document.createElement('span');
  cell.append(claim.npi);
  if (claim.npi_shared) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = 'Shared NPI';
    badge.title = 'Another learner claimed this activity with the same NPI';
    cell.append(' ', badge);
  }
  return cell;
}

function showClaims(claims) {
  fill('claims-table', 'claims-empty', claims.map((claim) => tableRow([
    ['Name', claim.learner_name],
    ['Degree', claim.degree],
    ['Email', emailWords(claim.email), 'email'],
    ['NPI', npiCell(claim)],
    ['Credit', claimedCredits(claim)],
    ['Claimed', formatMoment(claim.claimed_at)],
    ['Certificate code', claim.certificate_code, 'code'],
    ['Actions', revokeControl(claim)],
  ])));
  /** @type {HTMLElement} */ (document.getElementById('npi-shared-note')).hidden = !claims.some((claim) => claim.npi_shared);
  /** @type {HTMLAnchorElement} */ (document.getElementById('claims-csv')).href = activityPath(activityId, '/claims?format=csv');
  /** @type {HTMLAnchorElement} */ (document.getElementById('evaluation-csv')).href = activityPath(activityId, '/evaluation?format=csv');
}

function revokeControl(claim) {
  const cell = document.createElement('div');
  renderRevoke(cell, {
    learnerId: claim.learner_id,
    learnerName: claim.learner_name,
    activityId,
    onRevoked: () => refresh(`The claim of ${claim.learner_name} was revoked.`),
  });
  return cell;
}

function claimForControl(person) {
  if (!person.learner_id || !shownActivity) return 'No account';
  const cell = document.createElement('div');
  const name = person.name || person.email;
  renderClaimFor(cell, {
    learnerId: person.learner_id,
    learnerName: name,
    activity: shownActivity,
    onClaimed: () => refresh(`Credit was claimed for ${name}.`),
  });
  return cell;
}

function answerWords(kind, answer) {
  if (kind === 'yes_no') return answer === 'yes' ? 'Yes' : answer === 'no' ? 'No' : answer;
  return answer;
}

function questionBlock(question, index) {
  const block = document.createElement('section');
  block.className = 'section';
  const headingId = `question-${index}`;
  block.setAttribute('aria-labelledby', headingId);
  const heading = document.createElement('h3');
  heading.id = headingId;
  heading.textContent = question.text;
  const facts = [KIND_WORDS[question.kind] || question.kind, plural(question.answers, 'answer', 'answers')];
  const { counts, mean, texts } = question.summary;
  if (mean !== null && mean !== undefined) facts.push(`mean rating ${number(mean)} of 5`);
  const about = document.createElement('p');
  about.className = 'muted';
  about.textContent = facts.join(' · ');
  block.append(heading, about);
  if (question.kind === 'text') {
    if (texts.length === 0) {
      const none = document.createElement('p');
      none.className = 'muted';
      none.textContent = 'No written answers yet.';
      block.append(none);
    } else {
      const list = document.createElement('ul');
      list.setAttribute('aria-label', `Answers to: ${question.text}`);
      for (const text of texts) {
        const item = document.createElement('li');
        item.textContent = text;
        list.append(item);
      }
      block.append(list);
    }
    return block;
  }
  const table = document.createElement('table');
  table.className = 'table';
  table.setAttribute('aria-labelledby', headingId);
  const head = document.createElement('thead');
  const headRow = document.createElement('tr');
  for (const [text, className] of [['Answer'], ['Count', 'num'], ['Share', 'num']]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = text;
    if (className) th.className = className;
    headRow.append(th);
  }
  head.append(headRow);
  const body = document.createElement('tbody');
  for (const { answer, count } of counts) {
    const share = question.answers ? `${Math.round((100 * count) / question.answers)}%` : '—';
    body.append(tableRow([
      ['Answer', answerWords(question.kind, answer)],
      ['Count', String(count), 'num'],
      ['Share', share, 'num'],
    ]));
  }
  table.append(head, body);
  block.append(table);
  return block;
}

function showEvaluation(questions) {
  /** @type {HTMLElement} */ (document.getElementById('evaluation-list')).replaceChildren(...questions.map(questionBlock));
  /** @type {HTMLElement} */ (document.getElementById('evaluation-empty')).hidden = questions.length > 0;
}

function showUnclaimed(unclaimed) {
  const emails = unclaimed.map((person) => person.email);
  fill('unclaimed-table', null, unclaimed.map((person) => tableRow([
    ['Name', person.name || '—'],
    ['Email', emailWords(person.email), 'email'],
    ['Actions', claimForControl(person)],
  ])));
  /** @type {HTMLElement} */ (document.getElementById('unclaimed-count')).textContent = unclaimed.length
    ? `${plural(unclaimed.length, 'person', 'people')} attended and have not claimed credit yet.`
    : 'Everyone who attended has claimed credit.';
  const copy = /** @type {HTMLButtonElement} */ (document.getElementById('unclaimed-copy'));
  const status = /** @type {HTMLElement} */ (document.getElementById('unclaimed-status'));
  const manual = /** @type {HTMLElement} */ (document.getElementById('unclaimed-manual'));
  const box = /** @type {HTMLTextAreaElement} */ (document.getElementById('unclaimed-emails'));
  box.value = emails.join(', ');
  copy.hidden = emails.length === 0;
  if (copy.dataset.ready) return; // listening already (the report was read again)
  copy.dataset.ready = 'yes';
  copy.addEventListener('click', async () => {
    const count = box.value ? box.value.split(', ').length : 0;
    try {
      await navigator.clipboard.writeText(box.value);
      status.textContent = `Copied ${plural(count, 'email', 'emails')}, ready to paste into a reminder.`;
    } catch {
      manual.hidden = false;
      box.focus();
      box.select();
      status.textContent = 'Your browser did not allow copying: the emails are selected below, copy them from there.';
    }
  });
}

/**
 * "Send reminders": the portal emails each attendee without a claim whose window is open (not
 * those who unsubscribed), at most once per 24 hours per activity (429 TOO_MANY_REQUESTS).
 */
function setUpReminders(unclaimed) {
  const button = /** @type {HTMLButtonElement} */ (document.getElementById('unclaimed-remind'));
  const status = /** @type {HTMLElement} */ (document.getElementById('remind-status'));
  const alertRegion = /** @type {HTMLElement} */ (document.getElementById('remind-alert'));
  button.hidden = unclaimed.length === 0;
  if (button.dataset.ready) return; // the report is shown again after a revocation: one listener
  button.dataset.ready = 'true';
  button.addEventListener('click', async () => {
    showAlert(alertRegion, '');
    status.textContent = '';
    setBusy(button, true);
    const { status: code, body } = await api('POST', activityPath(activityId, '/reminders'));
    setBusy(button, false);
    if (code === 202) {
      status.textContent = body.queued
        ? `Reminders are on their way to ${plural(body.queued, 'person', 'people')}.`
        : 'No one is left to remind: everyone whose window is open has claimed or unsubscribed.';
      button.disabled = true;
      return;
    }
    showAlert(alertRegion, body?.message || 'We could not send the reminders just now. Please try again in a minute.');
  });
}

async function start() {
  if (!activityId) {
    stop('No activity was chosen: open Claims from the list of activities.');
    return;
  }
  const [activity, report] = await Promise.all([
    api('GET', activityPath(activityId)),
    api('GET', activityPath(activityId, '/claims')),
  ]);
  if (!usable(activity) || !usable(report)) return;
  showSummary(activity.body.activity);
  showTabs(activityId, 'claims');
  shownActivity = activity.body.activity;
  show(report.body);
  loading.hidden = true;
  page.hidden = false;
}

function show(report) {
  const { claims, totals = [], evaluation = [], unclaimed = [] } = report;
  showTotals(totals);
  showClaims(claims);
  showEvaluation(evaluation);
  showUnclaimed(unclaimed);
  setUpReminders(unclaimed);
}

/** After a revocation or a claim made for a learner: say so, and read the report again. */
async function refresh(message) {
  changes.textContent = message;
  const report = await api('GET', activityPath(activityId, '/claims'));
  if (usable(report)) show(report.body);
}

start();

// @ts-check
/**
 * Admin: Late requests. Learners' requests to claim after the window closed
 * (GET /api/admin/late-claims?status=open|approved|declined), each with the learner's name and
 * email and the activity's title; an open one is approved for a number of days
 * (POST /api/admin/late-claims/{request_id}/approve {days}, 1-90, default 14) or declined with a
 * reason (POST .../decline {reason}). Another coordinator's decision first (409) is said, and
 * the list is loaded again.
 */
import { api } from './api.js';
import { complainIn, sayIn, setBusy, showAlert } from './forms.js';
import { formatDate, formatMomentDay } from './dates.js';
import { alertRegion, loading, signInAgain, usable } from './admin-common.js';

const page = /** @type {HTMLElement} */ (document.getElementById('admin-page'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('admin-status'));
const list = /** @type {HTMLUListElement} */ (document.getElementById('request-list'));
const none = /** @type {HTMLElement} */ (document.getElementById('no-requests'));
const choice = /** @type {HTMLSelectElement} */ (document.getElementById('status-choice'));
const heading = /** @type {HTMLElement} */ (document.getElementById('requests-heading'));

function text(tag, value, className = '') {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.textContent = value;
  return element;
}

const say = (message) => sayIn(statusRegion, alertRegion, message);

const complain = (message) => complainIn(statusRegion, alertRegion, message, true);

/** A labelled input in a small form: [field, input]. */
function labelled(id, words, input) {
  const field = document.createElement('div');
  field.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = words;
  input.id = id;
  field.append(label, input);
  return field;
}

async function decide(request, action, body, button) {
  if (button.disabled) return;
  setBusy(button, true);
  const answer = await api('POST', `/api/admin/late-claims/${encodeURIComponent(request.request_id)}/${action}`, body);
  setBusy(button, false);
  if (answer.status === 401) {
    signInAgain();
    return;
  }
  if (answer.status === 200) {
    const done = answer.body.request;
    say(action === 'approve'
      ? `Approved: ${request.learner_name} may claim ${request.activity_title} until ${formatDate(done.reopened_until)}. They were emailed.`
      : `Declined: ${request.learner_name}'s request for ${request.activity_title}. They were emailed.`);
    await load();
    heading.focus();
    return;
  }
  if (answer.status === 409 || answer.status === 404) {
    await load();
    complain(answer.body?.message || 'This request changed meanwhile.');
    return;
  }
  complain(answer.body?.message || 'We could not save the decision. Please try again.');
}

function decisionForms(request) {
  const box = document.createElement('div');
  box.className = 'late-request__decide';
  const base = `r-${request.request_id.replace(/[^A-Za-z0-9_-]/g, '')}`;

  const approveForm = document.createElement('form');
  approveForm.noValidate = true;
  const days = document.createElement('input');
  days.type = 'number';
  days.name = 'days';
  days.min = '1';
  days.max = '90';
  days.step = '1';
  days.value = '14';
  days.inputMode = 'numeric';
  days.className = 'input--short';
  const approveButton = text('button', 'Approve', 'button button--primary button--small');
  approveButton.setAttribute('type', 'submit');
  approveButton.setAttribute('aria-describedby', `${base}-title`);
  approveForm.append(labelled(`${base}-days`, 'Days to reopen', days), approveButton);
  approveForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = Number(days.value);
    if (!Number.isInteger(value) || value < 1 || value > 90) {
      days.setAttribute('aria-invalid', 'true');
      complain('Days to reopen: a whole number from 1 to 90.');
      days.focus();
      return;
    }
    days.removeAttribute('aria-invalid');
    decide(request, 'approve', { days: value }, approveButton);
  });

  const declineForm = document.createElement('form');
  declineForm.noValidate = true;
  const reason = document.createElement('input');
  reason.type = 'text';
  reason.name = 'reason';
  reason.maxLength = 500;
  const declineButton = text('button', 'Decline', 'button button--secondary button--small');
  declineButton.setAttribute('type', 'submit');
  declineButton.setAttribute('aria-describedby', `${base}-title`);
  declineForm.append(labelled(`${base}-reason`, 'Reason for declining (emailed)', reason), declineButton);
  declineForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      reason.setAttribute('aria-invalid', 'true');
      complain('Please give the reason for declining: the learner is emailed it.');
      reason.focus();
      return;
    }
    reason.removeAttribute('aria-invalid');
    decide(request, 'decline', { reason: reason.value.trim() }, declineButton);
  });
  box.append(approveForm, declineForm);
  return box;
}

function requestItem(request) {
  const item = document.createElement('li');
  item.className = 'late-request';
  item.dataset.requestId = request.request_id;
  const base = `r-${request.request_id.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const title = text('h3', request.activity_title || 'An activity no longer listed');
  title.id = `${base}-title`;
  const who = text('p', `${request.learner_name} · ${request.learner_email}`);
  const asked = text('p', `Asked ${formatMomentDay(request.created_at)}: “${request.reason}”`, 'muted');
  item.append(title, who, asked);
  if (request.status === 'approved' && request.reopened_until) {
    item.append(text('p', `Approved: reopened until ${formatDate(request.reopened_until)}.`));
  } else if (request.status === 'declined') {
    item.append(text('p', `Declined: ${request.decision_reason || ''}`));
  } else {
    item.append(decisionForms(request));
  }
  return item;
}

async function load() {
  const { status, body } = await api('GET', `/api/admin/late-claims?${new URLSearchParams({ status: choice.value })}`);
  if (!usable({ status, body })) return;
  loading.hidden = true;
  const requests = Array.isArray(body.requests) ? body.requests : [];
  list.replaceChildren(...requests.map(requestItem));
  none.hidden = requests.length > 0;
  page.hidden = false;
}

choice.addEventListener('change', () => {
  showAlert(statusRegion);
  showAlert(alertRegion);
  load();
});

load();

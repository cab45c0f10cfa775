// @ts-check
/**
 * The CME office's claims on a learner's behalf and revocations, as controls a page places in an
 * element it owns: renderClaimFor (POST /api/admin/learners/{learner_id}/claims) and renderRevoke
 * (POST /api/admin/learners/{learner_id}/claims/{activity_id}/revoke). Each shows a button that
 * opens a small form in place, with the reason the audit trail keeps. The claims report places
 * them today (web/js/admin-claims.js); the Learners page is meant to place them on a learner's record.
 * User data only ever reaches the page through textContent.
 */
import { api } from './api.js';
import { claimableAmounts, creditLabel, formatAmount } from './credits.js';
import { handleSubmit, requireFields, showAlert, showAnswerProblems } from './forms.js';

let made = 0; // ids unique on the page

/** A small element builder: el('p', {className: 'hint'}, 'text', child). Text is textContent. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key in node && key !== 'list') node[key] = value;
    else node.setAttribute(key, String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** A button whose visible words are `text`, and whose name adds who it is for (hidden, read aloud). */
function opener(text, who) {
  return el('button', { type: 'button', className: 'button button--secondary button--small' },
    text, el('span', { className: 'visually-hidden' }, ` ${who}`));
}

function reasonField(id) {
  return el('div', { className: 'field' },
    el('label', { htmlFor: id }, 'Reason (kept in the audit trail)'),
    el('textarea', { id, name: 'reason', rows: 2, maxLength: 500, required: true }));
}

/** One evaluation question as a field: a select (yes/no, rating, choice) or a text box. */
function questionField(question, prefix) {
  const id = `${prefix}-q-${question.question_id}`;
  const name = `evaluation.${question.question_id}`;
  const label = el('label', { htmlFor: id }, question.text,
    question.required ? null : el('span', { className: 'optional' }, ' (optional)'));
  if (question.kind === 'text') {
    return el('div', { className: 'field' }, label,
      el('textarea', { id, name, rows: 2, required: Boolean(question.required) }));
  }
  const choices = {
    yes_no: [['yes', 'Yes'], ['no', 'No']],
    rating: ['1', '2', '3', '4', '5'].map((n) => [n, n]),
    choice: (question.choices || []).map((c) => [c, c]),
  }[question.kind] || [];
  const select = el('select', { id, name, required: Boolean(question.required) },
    el('option', { value: '' }, 'Choose…'), ...choices.map(([value, text]) => el('option', { value }, text)));
  return el('div', { className: 'field' }, label, select);
}

/** The claim body the form holds (the learner's claim body, plus reason and override_window). */
function claimBody(form, activity) {
  const value = (name) => {
    const input = form.elements.namedItem(name);
    return input instanceof HTMLInputElement || input instanceof HTMLSelectElement || input instanceof HTMLTextAreaElement
      ? input.value.trim()
      : '';
  };
  const [creditType, amount] = value('credit').split('|');
  const evaluation = {};
  for (const question of activity.evaluation || []) {
    const answer = value(`evaluation.${question.question_id}`);
    if (answer) evaluation[question.question_id] = question.kind === 'rating' ? Number(answer) : answer;
  }
  const checked = (name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).checked;
  return {
    activity_id: activity.activity_id,
    credit_type: creditType,
    credits: Number(amount),
    evaluation,
    attestation: checked('attestation'),
    override_window: checked('override_window'),
    reason: value('reason'),
  };
}

/**
 * "Claim for this learner": a button that opens the claim form (credit and amount, the
 * evaluation, the learner's attestation as told to the office, passing a closed window, the
 * reason). The learner's board and NABP details come from their profile.
 * @param {HTMLElement} container where the control goes (its content is replaced)
 * @param {object} options
 * @param {string} options.learnerId
 * @param {string} options.learnerName who it is for, as the page shows them
 * @param {{activity_id: string, credits?: {type: string, max: number}[], evaluation?: any[]}} [options.activity]
 *   the activity as GET /api/admin/activities/{id} answers it
 * @param {string} [options.activityId] without `activity`: the activity read when the form is opened
 * @param {(claim: any) => void} [options.onClaimed]
 */
export function renderClaimFor(container, { learnerId, learnerName, activity, activityId, onClaimed }) {
  made += 1;
  const prefix = `claim-for-${made}`;
  const open = opener('Claim for', learnerName);
  const status = el('p', { className: 'muted', role: 'status' });
  /** @type {HTMLFormElement | null} */
  let form = null;
  open.addEventListener('click', async () => {
    if (!form) {
      let shown = activity;
      if (!shown) {
        open.disabled = true;
        const answer = await api('GET', `/api/admin/activities/${encodeURIComponent(activityId || '')}`);
        open.disabled = false;
        if (answer.status !== 200) {
          status.textContent = answer.body?.message || 'We could not read the activity. Please try again.';
          return;
        }
        shown = answer.body.activity;
      }
      form = claimForm(prefix, learnerId, learnerName, shown, open, status, onClaimed);
      open.after(form);
    }
    const shownForm = /** @type {HTMLFormElement} */ (form);
    shownForm.hidden = false;
    open.hidden = true;
    /** @type {HTMLElement} */ (shownForm.querySelector('select')).focus();
  });
  container.replaceChildren(open, status);
}

/** The claim form of renderClaimFor (built when first opened). */
function claimForm(prefix, learnerId, learnerName, activity, open, status, onClaimed) {
  const alertRegion = el('div', { className: 'alert alert--error', role: 'alert' });
  const submit = el('button', { type: 'submit', className: 'button button--primary' }, 'Record the claim');
  const cancel = el('button', { type: 'button', className: 'button button--link' }, 'Cancel');
  const options = (activity.credits || []).flatMap((credit) => claimableAmounts(credit.type, credit.max)
    .slice().reverse()
    .map((amount) => el('option', { value: `${credit.type}|${amount}` }, `${formatAmount(amount)} ${creditLabel(credit.type)}`)));
  const form = el('form', { className: 'card card--spaced', noValidate: true, hidden: true },
    el('h3', { id: `${prefix}-heading` }, `Claim credit for ${learnerName}`),
    alertRegion,
    el('div', { className: 'field' },
      el('label', { htmlFor: `${prefix}-credit` }, 'Credit'),
      el('select', { id: `${prefix}-credit`, name: 'credit', required: true }, ...options)),
    ...(activity.evaluation || []).map((question) => questionField(question, prefix)),
    el('label', { className: 'checkbox', htmlFor: `${prefix}-attest` },
      el('input', { type: 'checkbox', id: `${prefix}-attest`, name: 'attestation' }),
      'The learner attests to their participation'),
    el('label', { className: 'checkbox', htmlFor: `${prefix}-override` },
      el('input', { type: 'checkbox', id: `${prefix}-override`, name: 'override_window' }),
      'Pass the activity’s closed claim window (never a board’s own limit)'),
    reasonField(`${prefix}-reason`),
    el('div', { className: 'actions' }, submit, cancel));
  form.setAttribute('aria-labelledby', `${prefix}-heading`);
  cancel.addEventListener('click', () => {
    form.hidden = true;
    open.hidden = false;
    open.focus();
  });
  handleSubmit(form, {
    button: submit,
    reset: () => showAlert(alertRegion, ''),
    check: () => {
      if (!requireFields(form, alertRegion)) return false;
      const attest = /** @type {HTMLInputElement} */ (form.elements.namedItem('attestation'));
      if (attest.checked) return true;
      showAlert(alertRegion, "Please confirm the learner's attestation to claim credit.");
      attest.focus();
      return false;
    },
    send: () => api('POST', `/api/admin/learners/${encodeURIComponent(learnerId)}/claims`, claimBody(form, activity)),
    answered: (answer) => {
      if (answer.status !== 201) {
        showAnswerProblems(form, alertRegion, answer);
        return;
      }
      form.hidden = true;
      status.textContent = `Claimed for ${learnerName}: certificate ${answer.body.claim.certificate_code}.`;
      onClaimed?.(answer.body.claim);
    },
  });
  return form;
}

/**
 * "Revoke": a button that opens a confirmation with the reason; the claim is kept, its
 * certificate verifies as revoked, and the activity is free for a new claim.
 * @param {HTMLElement} container where the control goes (its content is replaced)
 * @param {object} options
 * @param {string} options.learnerId
 * @param {string} options.learnerName
 * @param {string} options.activityId
 * @param {(claim: any) => void} [options.onRevoked]
 */
export function renderRevoke(container, { learnerId, learnerName, activityId, onRevoked }) {
  made += 1;
  const prefix = `revoke-${made}`;
  const open = opener('Revoke', `the claim of ${learnerName}`);
  const status = el('p', { className: 'muted', role: 'status' });
  const alertRegion = el('div', { className: 'alert alert--error', role: 'alert' });
  const submit = el('button', { type: 'submit', className: 'button button--danger' }, 'Revoke the claim');
  const cancel = el('button', { type: 'button', className: 'button button--link' }, 'Keep it');
  const form = el('form', { className: 'card card--spaced', noValidate: true, hidden: true },
    el('h3', { id: `${prefix}-heading` }, `Revoke the claim of ${learnerName}?`),
    el('p', { className: 'muted' },
      'The claim is kept in the records, but leaves the transcript and the board files; its certificate '
      + 'then verifies as revoked, and the activity can be claimed again.'),
    alertRegion,
    reasonField(`${prefix}-reason`),
    el('div', { className: 'actions' }, submit, cancel));
  form.setAttribute('aria-labelledby', `${prefix}-heading`);
  open.addEventListener('click', () => {
    form.hidden = false;
    open.hidden = true;
    /** @type {HTMLElement} */ (form.querySelector('textarea')).focus();
  });
  cancel.addEventListener('click', () => {
    form.hidden = true;
    open.hidden = false;
    open.focus();
  });
  const path = `/api/admin/learners/${encodeURIComponent(learnerId)}/claims/${encodeURIComponent(activityId)}/revoke`;
  handleSubmit(form, {
    button: submit,
    reset: () => showAlert(alertRegion, ''),
    check: () => requireFields(form, alertRegion),
    send: () => api('POST', path, {
      reason: /** @type {HTMLTextAreaElement} */ (form.elements.namedItem('reason')).value.trim(),
    }),
    answered: (answer) => {
      if (answer.status !== 200) {
        showAnswerProblems(form, alertRegion, answer);
        return;
      }
      form.hidden = true;
      status.textContent = `Revoked: the claim of ${learnerName} no longer counts.`;
      onRevoked?.(answer.body.claim);
    },
  });
  container.replaceChildren(open, form, status);
}

// @ts-check
/**
 * The claim form of one activity on My Portal: its evaluation, the credit type, the amount
 * (steps of 0.25 up to the maximum), credit claimed beside it (a physician's MOC points beside
 * AMA credit, IPCE beside a profession's own), what reporting needs (MOC: consent, board id and
 * birth month/day; ACPE: NABP e-Profile id and birth month/day) when the profile lacks it, and
 * the attestation. Problems are shown next to their
 * field, all at once; the API's answer (201 with the claim, or 422 with details) is the last word.
 */
import { api } from './api.js';
import { handleSubmit, showAlert } from './forms.js';
import {
  claimableAmounts, creditLabel, formatAmount, mocBoard, wholeOnly,
} from './credits.js';

// Said when the API gave no attestation (an older reply): the participation every profession attests.
// The learner's own words come from GET /api/me/activities (`attestation`, cme.rules.credit.attestation):
// a physician's the AMA's sentence, a nurse's, a PA's, a pharmacist's their own credit's.
export const ATTESTATION = 'I attest that I participated in this activity.';
const ANSWER_PLEASE = 'Please answer this question.';
const EVALUATION_INCOMPLETE = 'Please answer every required question of the evaluation.';
const ATTESTATION_REQUIRED = 'Please confirm the attestation to claim credit.';
const RADIO_LIMIT = 6; // more choices than this: a select
const MOC_CONSENT = 'I agree that my MOC points and the details below are reported to my board (through ACCME), '
  + 'as the board requires.';
const MMDD_HINT = 'Month and day, e.g. 07/04 for July 4';

/** A small element builder: el('p', {className: 'hint'}, 'text', child). Text is textContent. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className' || key === 'textContent' || key === 'htmlFor' || key === 'value') node[key] = value;
    else if (key === 'checked' || key === 'required' || key === 'selected') node[key] = Boolean(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== ''));
  return node;
}

function need(required) {
  return el('span', { className: required ? 'required' : 'optional' }, required ? ' (required)' : ' (optional)');
}

function radio(name, value, text, id, { checked = false, required = false } = {}) {
  return el(
    'label', { className: 'choice', htmlFor: id },
    el('input', { type: 'radio', id, name, value, checked, required }),
    el('span', { textContent: text }),
  );
}

/** One evaluation question: a group of radios (or a select, or a textarea) with its legend. */
function question(q, prefix) {
  const id = `${prefix}-q-${q.question_id}`;
  const name = `evaluation.${q.question_id}`;
  if (q.kind === 'text') {
    return el(
      'div', { className: 'field question', 'data-question': q.question_id },
      el('label', { htmlFor: id }, q.text, need(q.required)),
      el('textarea', { id, name, rows: 3, maxlength: 5000, required: q.required }),
    );
  }
  const choices = {
    yes_no: [['yes', 'Yes'], ['no', 'No']],
    rating: [1, 2, 3, 4, 5].map((n) => [String(n), String(n)]),
    choice: (q.choices || []).map((c) => [c, c]),
  }[q.kind] || [];
  if (q.kind === 'choice' && choices.length > RADIO_LIMIT) {
    const select = el('select', { id, name, required: q.required }, el('option', { value: '' }, 'Choose an answer'));
    for (const [value, text] of choices) select.append(el('option', { value }, text));
    return el(
      'div', { className: 'field question', 'data-question': q.question_id },
      el('label', { htmlFor: id }, q.text, need(q.required)),
      select,
    );
  }
  const hint = q.kind === 'rating' ? el('p', { className: 'hint', id: `${id}-hint` }, '1 is the lowest, 5 the highest') : null;
  const group = el(
    'fieldset', { className: 'question', 'data-question': q.question_id, 'aria-describedby': hint ? hint.id : null },
    el('legend', {}, q.text, need(q.required)),
    hint,
    el('div', { className: q.kind === 'choice' ? 'choices choices--stacked' : 'choices' },
      ...choices.map(([value, text], index) => radio(name, value, text, `${id}-${index}`, { required: q.required }))),
  );
  return group;
}

/** The value of a named control: the checked radio of a group (a lone radio too), or the field's. */
function valueOf(form, name) {
  const field = /** @type {HTMLInputElement | RadioNodeList | null} */ (form.elements.namedItem(name));
  if (!field) return '';
  if (field instanceof HTMLInputElement && field.type === 'radio') return field.checked ? field.value : '';
  return typeof field.value === 'string' ? field.value : '';
}

/** The answer given to a question, typed as the API wants it; undefined when unanswered. */
function answerOf(form, q) {
  const raw = valueOf(form, `evaluation.${q.question_id}`);
  if (q.kind === 'text') return raw.trim() ? raw.trim() : undefined;
  if (!raw) return undefined;
  return q.kind === 'rating' ? Number(raw) : raw;
}

/**
 * Build the form for `activity` (a row of GET /api/me/activities). Callbacks: onClaimed(claim),
 * onCancel(), onSignedOut(), onStale(message) when the activity changed under the form
 * (already claimed elsewhere, window closed, no longer attended).
 * @param {Api.MyActivity} activity
 * @param {object} hooks
 * @param {(claim: Api.ClaimOut) => void} hooks.onClaimed
 * @param {() => void} hooks.onCancel
 * @param {() => void} hooks.onSignedOut
 * @param {(message: string) => void} hooks.onStale
 * @param {Api.Profile | null} [hooks.profile] the learner's profile: what it already holds is not asked again
 * @param {string} [hooks.attestation] what the learner attests, in their own credit's words (GET /api/me/activities)
 */
export function claimForm(activity, {
  onClaimed, onCancel, onSignedOut, onStale, profile = null, attestation = '',
}) {
  const prefix = `claim-${activity.activity_id}`;
  const allOptions = activity.credit_options || [];
  // credit claimed beside the main one: MOC points (beside AMA credit) and IPCE
  const besideOthers = (o) => Boolean(mocBoard(o.type)) || o.type === 'IPCE';
  const mainOptions = allOptions.filter((o) => !besideOthers(o));
  const options = mainOptions.length ? mainOptions : allOptions;
  const extras = mainOptions.length ? allOptions.filter(besideOthers) : [];
  const known = {
    board_ids: profile?.board_ids || {},
    birth_mmdd: profile?.birth_mmdd || '',
    nabp_eprofile_id: profile?.nabp_eprofile_id || '',
  };
  const evaluation = activity.evaluation || [];
  const alertRegion = el('div', { className: 'alert alert--error', role: 'alert' });
  const heading = el('h4', { id: `${prefix}-heading`, className: 'claim-form__heading' }, 'Claim credit');

  const questions = evaluation.map((q) => question(q, prefix));
  const evaluationGroup = questions.length
    ? el('fieldset', { className: 'group' }, el('legend', {}, 'Evaluation'), ...questions)
    : null;

  const creditGroup = el(
    'fieldset', { className: 'question', 'data-field': 'credit_type' },
    el('legend', {}, 'Credit type'),
    el('div', { className: 'choices choices--stacked' },
      ...options.map((option, index) => radio(
        'credit_type', option.type, `${creditLabel(option.type)} (up to ${formatAmount(option.max)})`,
        `${prefix}-type-${index}`, { checked: index === 0, required: true },
      ))),
  );

  const creditsId = `${prefix}-credits`;
  const creditsHint = el('p', { className: 'hint', id: `${creditsId}-hint` });
  const creditsSelect = el('select', {
    id: creditsId, name: 'credits', className: 'input--short', 'aria-describedby': creditsHint.id, required: true,
  });
  const creditsField = el(
    'div', { className: 'field', 'data-field': 'credits' },
    el('label', { htmlFor: creditsId }, 'Credits to claim'),
    creditsHint,
    creditsSelect,
  );

  // ---------------------------------------------------------------- credit beside the main one
  const extraFields = extras.map((option, index) => {
    const id = `${prefix}-extra-${index}`;
    const box = el('input', { type: 'checkbox', id, name: 'extra', value: option.type });
    const amountId = `${id}-credits`;
    const amount = el('select', { id: amountId, className: 'input--short' });
    amount.replaceChildren(...claimableAmounts(option.type, option.max).map((n) => el('option', { value: String(n) }, formatAmount(n))));
    amount.value = String(option.max);
    const amountField = el(
      'div', { className: 'field', 'data-field': `extra.${option.type}` },
      el('label', { htmlFor: amountId }, `${creditLabel(option.type)} to claim`),
      amount,
    );
    amountField.hidden = true;
    const wrapper = el(
      'div', { className: 'extra-credit' },
      el('label', { className: 'checkbox', htmlFor: id }, box,
        el('span', {}, `Also claim ${creditLabel(option.type)} (up to ${formatAmount(option.max)})`)),
      amountField,
    );
    return { option, box, amount, amountField, wrapper };
  });
  const extrasGroup = extraFields.length
    ? el('fieldset', { className: 'question', 'data-field': 'lines' },
      el('legend', {}, 'Also claim'), ...extraFields.map((x) => x.wrapper))
    : null;

  // ---------------------------------------------------------------- what reporting needs
  function textField(name, label, { hint = '', inputmode = 'text', maxlength = 20, value = '' } = {}) {
    const id = `${prefix}-${name.replace(/[^A-Za-z0-9]/g, '-')}`;
    const hintNode = hint ? el('p', { className: 'hint', id: `${id}-hint` }, hint) : null;
    const input = el('input', {
      id, name, type: 'text', inputmode, maxlength, autocomplete: 'off', className: 'input--short', value,
      'aria-describedby': hintNode ? hintNode.id : null,
    });
    const field = el('div', { className: 'field', 'data-field': name }, el('label', { htmlFor: id }, label), hintNode, input);
    return { field, input };
  }
  const consentId = `${prefix}-moc-consent`;
  const consentField = el(
    'div', { className: 'field attest', 'data-field': 'moc_consent' },
    el('label', { className: 'checkbox checkbox--attest', htmlFor: consentId },
      el('input', { type: 'checkbox', id: consentId, name: 'moc_consent' }),
      el('span', {}, MOC_CONSENT)),
  );
  const boardFields = new Map();
  for (const option of allOptions) {
    const board = mocBoard(option.type);
    if (board && !known.board_ids[board] && !boardFields.has(board)) {
      boardFields.set(board, textField(`board_ids.${board}`, `Your ${board} id`, { hint: `Your ${board} candidate or diplomate id` }));
    }
  }
  const birth = known.birth_mmdd ? null : textField('birth_mmdd', 'Birth month and day', { hint: MMDD_HINT, maxlength: 5 });
  const nabp = known.nabp_eprofile_id ? null : textField('nabp_eprofile_id', 'NABP e-Profile id', { inputmode: 'numeric', maxlength: 12 });
  const reporting = el(
    'fieldset', { className: 'group reporting' },
    el('legend', {}, 'Reporting your credit'),
    el('p', { className: 'hint' }, 'We report this credit for you; what you enter here is saved to your profile.'),
    consentField,
    ...[...boardFields.values()].map((x) => x.field),
    nabp?.field,
    birth?.field,
  );

  const attestId = `${prefix}-attest`;
  const attestField = el(
    'div', { className: 'field attest', 'data-field': 'attestation' },
    el('label', { className: 'checkbox checkbox--attest', htmlFor: attestId },
      el('input', { type: 'checkbox', id: attestId, name: 'attestation', required: true }),
      el('span', {}, attestation || ATTESTATION)),
  );

  const submit = el('button', { type: 'submit', className: 'button button--primary' }, 'Claim');
  const cancel = el('button', { type: 'button', className: 'button button--link' }, 'Cancel');
  const form = el(
    'form', { className: 'claim-form', novalidate: true, 'aria-labelledby': heading.id },
    heading, alertRegion, evaluationGroup, creditGroup, creditsField, extrasGroup, reporting, attestField,
    el('div', { className: 'actions' }, submit, cancel),
  );

  const chosenType = () => valueOf(form, 'credit_type') || options[0]?.type;
  function fillAmounts() {
    const option = options.find((o) => o.type === chosenType()) || options[0];
    const max = option ? option.max : 0;
    creditsSelect.replaceChildren(...claimableAmounts(option?.type, max).map((n) => el(
      'option', { value: String(n), selected: n === max }, formatAmount(n),
    )));
    creditsSelect.value = String(max);
    creditsHint.textContent = wholeOnly(option?.type)
      ? `${formatAmount(max)}: awarded whole, never in part`
      : `Up to ${formatAmount(max)}, in steps of 0.25`;
  }
  /** The lines chosen: the main credit first, then each ticked one beside it ({credit_type, credits, box}). */
  function chosenLines() {
    const lines = [{ credit_type: chosenType(), credits: Number(creditsSelect.value), box: creditsField }];
    for (const x of extraFields) {
      if (x.box.checked) lines.push({ credit_type: x.option.type, credits: Number(x.amount.value), box: x.amountField });
    }
    return lines;
  }

  /** Show the amounts of ticked credit, and ask for what reporting needs of the lines chosen. */
  function fillReporting() {
    for (const x of extraFields) x.amountField.hidden = !x.box.checked;
    const types = chosenLines().map((line) => line.credit_type);
    const boards = new Set(types.map(mocBoard).filter(Boolean));
    const acpe = types.includes('ACPE');
    consentField.hidden = boards.size === 0;
    for (const [board, x] of boardFields) x.field.hidden = !boards.has(board);
    if (nabp) nabp.field.hidden = !acpe;
    if (birth) birth.field.hidden = !(boards.size || acpe);
    reporting.hidden = !(boards.size || acpe);
  }

  /** MOC points never more than the AMA credit: they follow the AMA amount down (points awarded
   * whole stay whole: with less AMA credit the API says how to claim them, next to them). */
  function followMain() {
    for (const x of extraFields) {
      if (!mocBoard(x.option.type) || wholeOnly(x.option.type)) continue;
      const most = Math.min(x.option.max, Number(creditsSelect.value));
      if (Number(x.amount.value) > most) x.amount.value = String(most);
    }
  }
  fillAmounts();
  followMain();
  fillReporting();
  creditGroup.addEventListener('change', () => {
    fillAmounts();
    followMain();
    fillReporting();
  });
  creditsSelect.addEventListener('change', followMain);
  extrasGroup?.addEventListener('change', () => {
    followMain();
    fillReporting();
  });

  // ---------------------------------------------------------------- problems next to fields
  function clearProblems() {
    for (const error of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('.field-error'))) error.remove();
    for (const input of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('[aria-invalid="true"]'))) input.removeAttribute('aria-invalid');
    for (const input of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('[data-error-for]'))) {
      const ids = (input.getAttribute('aria-describedby') || '').split(/\s+/)
        .filter((id) => id && id !== input.dataset.errorFor);
      if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
      else input.removeAttribute('aria-describedby');
      delete input.dataset.errorFor;
    }
    for (const box of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('.has-error'))) box.classList.remove('has-error');
    showAlert(alertRegion);
  }

  /** Mark a question group or field: the message after its legend (or before its input). */
  function markBox(box, message) {
    if (!box || box.classList.contains('has-error')) return null;
    const error = el('p', { className: 'field-error', id: `${prefix}-error-${/** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('.field-error')).length}` }, message);
    const legend = box.querySelector(':scope > legend');
    const label = box.querySelector(':scope > label');
    if (legend) legend.after(error);
    else if (label && label.classList.contains('checkbox')) box.prepend(error);
    else box.querySelector('input, select, textarea')?.before(error);
    for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (box.querySelectorAll('input, select, textarea'))) {
      input.setAttribute('aria-invalid', 'true');
      const ids = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      input.setAttribute('aria-describedby', [error.id, ...ids].join(' '));
      input.dataset.errorFor = error.id;
    }
    box.classList.add('has-error');
    return /** @type {HTMLInputElement | null} */ (box.querySelector('input, select, textarea'));
  }

  let sentLines = [];
  const boxOf = (field) => {
    if (field.startsWith('evaluation.')) {
      return form.querySelector(`[data-question="${CSS.escape(field.slice('evaluation.'.length))}"]`);
    }
    // lines.N.credits; lines[i]: a line its board closed (ACPE's 60 days)
    const line = /^lines\.(\d+)\.(credit_type|credits)$/.exec(field) || /^lines\[(\d+)\]$/.exec(field);
    if (line) return sentLines[Number(line[1])]?.box || null;
    const box = /** @type {HTMLElement | null} */ (form.querySelector(`[data-field="${CSS.escape(field)}"]`));
    return box && !box.hidden && !box.closest('[hidden]') ? box : null;
  };

  function showProblems(details, message) {
    /** @type {HTMLInputElement | null} */
    let first = null;
    for (const detail of details) {
      const box = boxOf(detail.field);
      const words = detail.field.startsWith('evaluation.') ? ANSWER_PLEASE : detail.message;
      const input = markBox(box, words);
      first ??= input;
    }
    showAlert(alertRegion, message);
    (first || alertRegion).focus();
  }

  /** The problems the API would find in the form as it is, all at once. */
  function problems(payload) {
    const details = [];
    for (const q of evaluation) {
      if (q.required && payload.evaluation[q.question_id] === undefined) {
        details.push({ field: `evaluation.${q.question_id}`, message: ANSWER_PLEASE });
      }
    }
    const messages = details.length ? [EVALUATION_INCOMPLETE] : [];
    if (!payload.attestation) {
      details.push({ field: 'attestation', message: ATTESTATION_REQUIRED });
      messages.push(ATTESTATION_REQUIRED);
    }
    return { details, message: messages.join(' ') };
  }

  /** The claim as the API takes it, from the form as it is now. */
  function claimPayload() {
    const answers = {};
    for (const q of evaluation) {
      const answer = answerOf(form, q);
      if (answer !== undefined) answers[q.question_id] = answer;
    }
    const lines = chosenLines();
    sentLines = lines;
    const payload = { activity_id: activity.activity_id };
    // the email My activities found the attendance under: saves the API a read (several emails)
    if (activity.attended_as) payload.attended_as = activity.attended_as;
    if (lines.length === 1) Object.assign(payload, { credit_type: lines[0].credit_type, credits: lines[0].credits });
    else payload.lines = lines.map(({ credit_type: type, credits }) => ({ credit_type: type, credits }));
    if (!reporting.hidden) {
      const boards = {};
      for (const [board, x] of boardFields) if (!x.field.hidden && x.input.value.trim()) boards[board] = x.input.value.trim();
      if (!consentField.hidden) payload.moc_consent = form.elements.namedItem('moc_consent').checked;
      if (Object.keys(boards).length) payload.board_ids = boards;
      if (nabp && !nabp.field.hidden && nabp.input.value.trim()) payload.nabp_eprofile_id = nabp.input.value.trim();
      if (birth && !birth.field.hidden && birth.input.value.trim()) payload.birth_mmdd = birth.input.value.trim();
    }
    Object.assign(payload, { evaluation: answers, attestation: form.elements.namedItem('attestation').checked });
    return payload;
  }

  /** @type {ReturnType<typeof claimPayload> | null} */
  let payload = null;

  function answered({ status, body }) {
    if ((status === 201 || status === 200) && body?.claim) {
      onClaimed(body.claim);
      return;
    }
    if (status === 401) {
      onSignedOut();
      return;
    }
    const details = Array.isArray(body?.details) ? body.details.filter((d) => d && d.field && boxOf(d.field)) : [];
    if (status === 422 && details.length) {
      showProblems(details, body.message);
      return;
    }
    if (status === 409 || status === 404 || status === 422) {
      onStale(body.message); // claimed meanwhile, the window closed, or no longer attended
      return;
    }
    showAlert(alertRegion, body?.message || 'Something went wrong. Please try again.');
    alertRegion.focus();
  }

  handleSubmit(form, {
    button: submit,
    alsoDisabled: [cancel],
    reset: clearProblems,
    check: () => {
      payload = claimPayload();
      const found = problems(payload);
      if (!found.details.length) return true;
      showProblems(found.details, found.message);
      return false;
    },
    send: () => api('POST', '/api/me/claims', payload),
    answered,
  });

  cancel.addEventListener('click', () => onCancel());
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !submit.disabled) {
      event.stopPropagation();
      onCancel();
    }
  });

  alertRegion.tabIndex = -1;
  return { form, focus: () => (/** @type {HTMLInputElement} */ (form.querySelector('input, select, textarea')) || heading).focus() };
}

// @ts-check
/**
 * Admin: create an activity (no ?id=) or edit one (?id=ID): its title, format, dates, location,
 * the credit designated (rows of type + maximum), the claim window, the evaluation (rows of
 * id, question, kind, required, choices), the attendance code (empty: generated), whether
 * it is published, its ids for the board reporting files (PARS activity id; ACPE's UAN for
 * pharmacists and for technicians, shown when ACPE is designated), and its topics (ticked from the
 * vocabulary GET /api/topics serves: licence requirements count by topic). IPCE is offered only
 * when the office is jointly accredited (GET /api/settings). The API's field errors are shown next
 * to their field.
 */
import { api } from './api.js';
import {
  errorMessage, handleSubmit, markFields, plainDetails, showAlert,
} from './forms.js';
import {
  activityIdParam, activityPath, alertRegion, loading, showTabs, signInAgain, usable,
} from './admin-common.js';
import { activityFormats, creditLabel, creditTypes } from './credits.js';
import { loadSettings } from './settings.js';

const form = /** @type {HTMLFormElement} */ (document.getElementById('activity-form'));
const heading = /** @type {HTMLElement} */ (document.getElementById('activity-heading'));
const saveButton = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
const creditRows = /** @type {HTMLOListElement} */ (document.getElementById('credit-rows'));
const questionRows = /** @type {HTMLOListElement} */ (document.getElementById('question-rows'));
const creditTemplate = /** @type {HTMLTemplateElement} */ (document.getElementById('tpl-credit-row'));
const questionTemplate = /** @type {HTMLTemplateElement} */ (document.getElementById('tpl-question-row'));
const codeHint = /** @type {HTMLElement} */ (document.getElementById('a-code-hint'));
const activityId = activityIdParam();

/**
 * A named field of the form (an input; the format's select and the description's textarea read
 * the same way: value, dataset, focus).
 * @param {string} name
 */
const field = (name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name));

// ---------------------------------------------------------------- topics (cme/topics.py via GET /api/topics)
const topicBoxes = /** @type {HTMLElement} */ (document.getElementById('topic-boxes'));
const topicsLoaded = api('GET', '/api/topics').then(({ status, body }) => {
  const topics = status === 200 && Array.isArray(body?.topics) ? body.topics : [];
  topicBoxes.replaceChildren(...topics.map(({ topic, label }) => {
    const box = document.createElement('label');
    box.className = 'checkbox';
    const input = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'topics', value: topic });
    input.id = `a-topic-${topic}`;
    box.append(input, ` ${label}`);
    return box;
  }));
  if (!topics.length) /** @type {HTMLFieldSetElement} */ (document.getElementById('topics-group')).hidden = true;
});

function checkedTopics() {
  return [.../** @type {NodeListOf<HTMLInputElement>} */ (topicBoxes.querySelectorAll('input[name="topics"]:checked'))].map((input) => input.value);
}

// The credit types a coordinator may designate and the activity formats, worded by the API
// (GET /api/credit-types). The format list is disabled until it holds the API's formats; should
// they not come, it stays so, and the form says the format is missing. IPCE credit comes only from
// a jointly accredited provider: it is offered unless the office is known not to be (GET
// /api/settings; should the settings not say, it is offered, and the API refuses it if need be).
for (const slot of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-slot="ama-label"]'))) slot.textContent = creditLabel('AMA_PRA_1');
const office = await loadSettings();
const designable = creditTypes().filter((kind) => kind.type !== 'IPCE' || office?.jointly_accredited !== false);
/** @type {HTMLSelectElement} */ (creditTemplate.content.querySelector('select[data-name="type"]')).replaceChildren(
  ...designable.map((kind) => new Option(kind.label, kind.type)),
);
const formatSelect = /** @type {HTMLSelectElement} */ (form.elements.namedItem('format'));
if (activityFormats().length) {
  formatSelect.replaceChildren(...activityFormats().map(({ format, label }) => new Option(label, format)));
  formatSelect.disabled = false;
} else {
  formatSelect.replaceChildren(new Option('The formats could not be loaded: please reload the page', ''));
}
formatSelect.removeAttribute('aria-busy');

// ---------------------------------------------------------------- repeatable rows
/** Name each row's fields by position (credits.0.max, evaluation.1.text) as the API's errors do. */
function renumber(list, prefix) {
  [...list.children].forEach((item, index) => {
    for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (item.querySelectorAll('[data-name]'))) {
      const name = input.dataset.name;
      input.name = `${prefix}.${index}.${name}`;
      input.id = `${prefix}-${index}-${name}`;
    }
    for (const label of /** @type {NodeListOf<HTMLLabelElement>} */ (item.querySelectorAll('label[data-for]'))) {
      label.htmlFor = `${prefix}-${index}-${label.dataset.for}`;
    }
    const remove = /** @type {HTMLButtonElement} */ (item.querySelector('[data-action="remove"]'));
    remove.setAttribute('aria-label', `Remove ${prefix === 'credits' ? 'credit type' : 'question'} ${index + 1}`);
  });
  if (prefix === 'credits') {
    // an activity designates at least one credit type
    const only = list.children.length === 1;
    for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (list.querySelectorAll('[data-action="remove"]'))) button.disabled = only;
  }
}

function addRow(list, template, prefix, fill) {
  const item = /** @type {HTMLElement} */ (/** @type {Element} */ (template.content.firstElementChild).cloneNode(true));
  list.append(item);
  renumber(list, prefix);
  fill?.(item);
  /** @type {HTMLButtonElement} */ (item.querySelector('[data-action="remove"]')).addEventListener('click', () => {
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    renumber(list, prefix);
    if (prefix === 'credits') showWindowNotes();
    (next?.querySelector('select, input') || list.nextElementSibling)?.focus();
  });
  return item;
}

// ACPE's UANs (one per audience: -P pharmacists, -T technicians) are asked for when ACPE is designated.
const acpeUans = /** @type {HTMLElement} */ (document.getElementById('acpe-uans'));
function designatesAcpe() {
  return [.../** @type {NodeListOf<HTMLSelectElement>} */ (creditRows.querySelectorAll('select[data-name="type"]'))].some((s) => s.value === 'ACPE');
}
function showUans() {
  acpeUans.hidden = !designatesAcpe();
}
creditRows.addEventListener('change', showUans);
new MutationObserver(showUans).observe(creditRows, { childList: true });

function addCredit(credit) {
  const added = addRow(creditRows, creditTemplate, 'credits', (item) => {
    const used = new Set([...creditRows.querySelectorAll('select')].filter((s) => s !== item.querySelector('select')).map((s) => s.value));
    const type = /** @type {HTMLSelectElement} */ (item.querySelector('[data-name="type"]'));
    // a type designated before the form stopped offering it (IPCE of an office not jointly
    // accredited) is shown as it is, for the API to say what is wrong with it
    if (credit?.type && ![...type.options].some((o) => o.value === credit.type)) type.append(new Option(creditLabel(credit.type), credit.type));
    type.value = credit?.type || [...type.options].map((o) => o.value).find((v) => !used.has(v)) || 'AMA_PRA_1';
    /** @type {HTMLInputElement} */ (item.querySelector('[data-name="max"]')).value = credit ? String(credit.max) : '1';
  });
  showWindowNotes();
  return added;
}

// Beside the claim window: what closes earlier than it, worded by the API (GET /api/credit-types
// window_note): a credit whose board takes completions only so long after the date of
// participation (ACPE's 60 days), and a format whose window ends on its end date (an enduring
// material). Hidden when nothing designated or chosen has a note.
const windowNote = /** @type {HTMLElement} */ (document.getElementById('a-window-note'));
function showWindowNotes() {
  const designated = new Set([...creditRows.querySelectorAll('select')].map((s) => /** @type {HTMLSelectElement} */ (s).value));
  const notes = [
    activityFormats().find((f) => f.format === formatSelect.value)?.window_note,
    ...creditTypes().filter((kind) => designated.has(kind.type)).map((kind) => kind.window_note),
  ].filter(Boolean);
  windowNote.textContent = notes.join(' ');
  windowNote.hidden = !notes.length;
}
creditRows.addEventListener('change', showWindowNotes);
formatSelect.addEventListener('change', showWindowNotes);
// AAPA's approval date: asked (and required, as the API requires it) while AAPA credit is designated
const aapaField = /** @type {HTMLElement} */ (document.getElementById('a-aapa-field'));
function showAapa() {
  const designated = [...creditRows.querySelectorAll('select')].some((s) => /** @type {HTMLSelectElement} */ (s).value === 'AAPA_1');
  aapaField.hidden = !designated;
  field('aapa_valid_until').required = designated;
}
creditRows.addEventListener('change', showAapa);
new MutationObserver(showAapa).observe(creditRows, { childList: true });

function showChoices(item) {
  const kind = /** @type {HTMLSelectElement} */ (item.querySelector('[data-name="kind"]')).value;
  /** @type {HTMLElement} */ (item.querySelector('[data-when-kind="choice"]')).hidden = kind !== 'choice';
}

/**
 * Question ids are the office's keys for the answers, never typed: a saved question keeps its
 * id (a hidden field), and a new one gets the first free of q1, q2, ... when the form is sent.
 */
function questionIds(rows) {
  const ids = rows.map((item) => /** @type {HTMLInputElement} */ (item.querySelector('[data-name="question_id"]')).value.trim());
  const used = new Set(ids.filter(Boolean));
  let n = 1;
  return ids.map((id) => {
    if (id) return id;
    while (used.has(`q${n}`)) n += 1;
    used.add(`q${n}`);
    return `q${n}`;
  });
}

function addQuestion(q) {
  return addRow(questionRows, questionTemplate, 'evaluation', (item) => {
    /** @type {HTMLInputElement} */ (item.querySelector('[data-name="question_id"]')).value = q?.question_id || '';
    /** @type {HTMLInputElement} */ (item.querySelector('[data-name="text"]')).value = q?.text || '';
    /** @type {HTMLSelectElement} */ (item.querySelector('[data-name="kind"]')).value = q?.kind || 'yes_no';
    /** @type {HTMLInputElement} */ (item.querySelector('[data-name="required"]')).checked = q ? Boolean(q.required) : true;
    /** @type {HTMLTextAreaElement} */ (item.querySelector('[data-name="choices"]')).value = (q?.choices || []).join('\n');
    showChoices(item);
    /** @type {HTMLSelectElement} */ (item.querySelector('[data-name="kind"]')).addEventListener('change', () => showChoices(item));
  });
}

/** @type {HTMLButtonElement} */ (form.querySelector('[data-action="add-credit"]')).addEventListener('click', () => {
  /** @type {HTMLSelectElement} */ (addCredit().querySelector('select')).focus();
});
/** @type {HTMLButtonElement} */ (form.querySelector('[data-action="add-question"]')).addEventListener('click', () => {
  /** @type {HTMLInputElement} */ (addQuestion().querySelector('[data-name="text"]')).focus();
});

// An activity on one day: the end date follows the start date until it is set on its own.
field('start_date').addEventListener('change', () => {
  const end = field('end_date');
  if (!end.value || end.dataset.followsStart === 'true') {
    end.value = field('start_date').value;
    end.dataset.followsStart = 'true';
  }
});
field('end_date').addEventListener('input', () => {
  field('end_date').dataset.followsStart = 'false';
});

// ---------------------------------------------------------------- reading and filling the form
function fill(activity) {
  for (const name of ['title', 'description', 'format', 'start_date', 'end_date', 'location', 'attendance_code', 'uan_pharmacist', 'uan_technician', 'pars_activity_id']) {
    field(name).value = activity[name] ?? '';
  }
  field('claim_window_days').value = String(activity.claim_window_days);
  field('published').checked = Boolean(activity.published);
  creditRows.replaceChildren();
  for (const credit of activity.credits) addCredit(credit);
  showWindowNotes(); // the format, set above, too
  field('aapa_valid_until').value = activity.aapa_valid_until || '';
  showAapa();
  questionRows.replaceChildren();
  for (const q of activity.evaluation || []) addQuestion(q);
  const topics = new Set(activity.topics || []);
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (topicBoxes.querySelectorAll('input[name="topics"]'))) input.checked = topics.has(input.value);
}

function number(value) {
  return value.trim() === '' ? null : Number(value);
}

function payload() {
  const text = (name) => field(name).value.trim();
  const questions = [...questionRows.children];
  const ids = questionIds(questions);
  return {
    title: text('title'),
    description: text('description'),
    format: text('format'),
    start_date: text('start_date') || null,
    end_date: text('end_date') || null,
    location: text('location'),
    credits: [...creditRows.children].map((item) => ({
      type: /** @type {HTMLSelectElement} */ (item.querySelector('[data-name="type"]')).value,
      max: number(/** @type {HTMLInputElement} */ (item.querySelector('[data-name="max"]')).value),
    })),
    claim_window_days: number(field('claim_window_days').value),
    evaluation: questions.map((item, index) => {
      const kind = /** @type {HTMLSelectElement} */ (item.querySelector('[data-name="kind"]')).value;
      const question = {
        question_id: ids[index],
        text: /** @type {HTMLInputElement} */ (item.querySelector('[data-name="text"]')).value.trim(),
        kind,
        required: /** @type {HTMLInputElement} */ (item.querySelector('[data-name="required"]')).checked,
      };
      if (kind === 'choice') {
        question.choices = /** @type {HTMLTextAreaElement} */ (item.querySelector('[data-name="choices"]')).value
          .split('\n').map((c) => c.trim()).filter(Boolean);
      }
      return question;
    }),
    attendance_code: text('attendance_code') || null,
    published: field('published').checked,
    aapa_valid_until: aapaField.hidden ? null : text('aapa_valid_until') || null,
    // the UANs only with ACPE designated (hidden, they are not the activity's)
    uan_pharmacist: (designatesAcpe() && text('uan_pharmacist').toUpperCase()) || null,
    uan_technician: (designatesAcpe() && text('uan_technician').toUpperCase()) || null,
    pars_activity_id: text('pars_activity_id') || null,
    topics: checkedTopics(),
  };
}

// ---------------------------------------------------------------- errors in the coordinator's words
const PLAIN = [
  [/^title$/, 'Please enter the title.'],
  [/^format$/, 'Please choose the format.'],
  [/^(start|end)_date$/, 'Please enter a date.'],
  [/^claim_window_days$/, 'Enter a number of days from 1 to 365.'],
  [/^credits\.\d+\.max$/, 'Enter a maximum above 0, in steps of 0.25.'],
  [/^credits\.\d+\.type$/, 'Please choose a credit type.'],
  [/^evaluation\.\d+\.text$/, 'Please enter the question.'],
  [/^evaluation\.\d+\.choices$/, 'List the choices, one per line.'],
  [/^attendance_code$/, 'An attendance code is 4 to 12 letters and digits.'],
  [/^uan_pharmacist$/, 'Enter the UAN for pharmacists, e.g. 0000-0000-26-001-L01-P.'],
  [/^uan_technician$/, 'Enter the UAN for pharmacy technicians, e.g. 0000-0000-26-001-L01-T.'],
  [/^(uan|pars_activity_id)$/, 'Use up to 40 letters, digits and hyphens.'],
  [/^aapa_valid_until$/, "Enter the date AAPA's approval is valid until."],
];
// the API's developer wording (pydantic's) is replaced by the messages above (forms.js)
const plain = (details) => plainDetails(details, PLAIN);

/** The required fields left empty, as the API would report them. */
function missing() {
  const details = [];
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('[required]'))) {
    if (input.offsetParent === null || input.value.trim()) continue;
    details.push({ field: input.name, message: '' });
  }
  return plain(details);
}

const saved = ({ status, body }) => (status === 201 || status === 200) && Boolean(body?.activity);

function answered({ status, body }) {
  if (saved({ status, body })) {
    window.location.assign(`/admin.html?saved=${encodeURIComponent(body.activity.activity_id)}`);
    return;
  }
  if (status === 401) {
    signInAgain();
    return;
  }
  if (status === 403) {
    usable({ status, body });
    return;
  }
  const labels = status === 422 || status === 409 ? markFields(form, plain(body.details)) : [];
  showAlert(alertRegion, errorMessage(form, body, labels));
  if (!labels.length) alertRegion.focus();
}

handleSubmit(form, {
  button: saveButton,
  reset: () => showAlert(alertRegion),
  check: () => {
    const empty = missing();
    if (!empty.length) return true;
    const labels = markFields(form, empty);
    showAlert(alertRegion, `Please fill in: ${labels.join(', ')}.`);
    return false;
  },
  send: () => (activityId ? api('PUT', activityPath(activityId), payload()) : api('POST', '/api/admin/activities', payload())),
  leaving: saved,
  answered,
});

// ---------------------------------------------------------------- start
async function start() {
  if (!activityId) {
    // a new activity: check that this is a coordinator before showing the form
    const answer = await api('GET', '/api/admin/activities');
    if (!usable(answer)) return;
    await topicsLoaded;
    addCredit({ type: 'AMA_PRA_1', max: 1 });
    loading.hidden = true;
    form.hidden = false;
    field('title').focus();
    return;
  }
  heading.textContent = 'Edit activity';
  document.title = 'Edit activity · CME Portal';
  const answer = await api('GET', activityPath(activityId));
  if (!usable(answer)) return;
  const { activity } = answer.body;
  await topicsLoaded;
  fill(activity);
  field('end_date').dataset.followsStart = 'false';
  codeHint.textContent = '4 to 12 letters and digits. Leave empty to keep the current code.';
  showTabs(activityId, 'edit');
  loading.hidden = true;
  form.hidden = false;
}

start();

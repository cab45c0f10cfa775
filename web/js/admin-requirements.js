// @ts-check
/**
 * Admin: the office's licence requirement sets (GET /api/requirement-sets), a new one created
 * (POST /api/admin/requirement-sets) or one edited (PUT /api/admin/requirement-sets/{set_id}):
 * its name, cycle length in months and rules (each: text, one or more credit types worded by
 * GET /api/credit-types, an optional topic from GET /api/topics, a minimum of credits).
 * The API's field errors are shown next to their field (forms.js), and in the alert.
 */
import { api } from './api.js';
import {
  clearErrors, errorMessage, handleSubmit, markFields, plainDetails, showAlert,
} from './forms.js';
import { alertRegion, loading, signInAgain, usable } from './admin-common.js';
import { creditLabel, creditTypes, formatAmount } from './credits.js';

const page = /** @type {HTMLElement} */ (document.getElementById('admin-page'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('admin-status'));
const setList = /** @type {HTMLUListElement} */ (document.getElementById('set-list'));
const noSets = /** @type {HTMLElement} */ (document.getElementById('no-sets'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('set-form'));
const formHeading = /** @type {HTMLElement} */ (document.getElementById('form-heading'));
const saveButton = /** @type {HTMLButtonElement} */ (document.getElementById('save-set'));
const cancelButton = /** @type {HTMLButtonElement} */ (document.getElementById('cancel-edit'));
const ruleRows = /** @type {HTMLOListElement} */ (document.getElementById('rule-rows'));
const ruleTemplate = /** @type {HTMLTemplateElement} */ (document.getElementById('tpl-rule'));

const field = (name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name));

/** @type {Api.RequirementSetOut[]} */
let sets = [];
/** @type {Api.RequirementSetOut | null} */
let editing = null; // the set being edited, or null for a new one

// ---------------------------------------------------------------- the vocabularies
let topics = [];

async function loadTopics() {
  const { status, body } = await api('GET', '/api/topics');
  topics = status === 200 && Array.isArray(body?.topics) ? body.topics : [];
}

// ---------------------------------------------------------------- the sets
function ruleLine(rule) {
  const item = document.createElement('li');
  item.className = 'rule';
  const text = document.createElement('p');
  text.className = 'rule__head';
  const strong = document.createElement('strong');
  strong.textContent = rule.text;
  text.append(strong);
  const facts = document.createElement('p');
  facts.className = 'req-rule__facts muted';
  const kinds = rule.credit_types.map(creditLabel).join(' or ');
  const topic = rule.topic ? rule.topic_label || rule.topic : 'any topic';
  const amount = Number(rule.min_credits);
  facts.textContent = `Minimum ${formatAmount(amount)} ${amount === 1 ? 'credit' : 'credits'} · ${kinds} · Topic: ${topic}`;
  item.append(text, facts);
  return item;
}

function setItem(set) {
  const item = document.createElement('li');
  item.className = 'req-set';
  item.dataset.setId = set.set_id;
  const head = document.createElement('div');
  head.className = 'req-set__head';
  const name = document.createElement('h3');
  name.className = 'req-set__name';
  name.textContent = set.name;
  const edit = document.createElement('button');
  edit.type = 'button';
  edit.className = 'button button--secondary button--small';
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = ` ${set.name}`;
  edit.append('Edit', hidden);
  edit.addEventListener('click', () => startEdit(set));
  head.append(name, edit);
  const cycle = document.createElement('p');
  cycle.className = 'req-set__cycle muted';
  cycle.textContent = `${set.cycle_months}-month cycle · ${set.rules.length} ${set.rules.length === 1 ? 'rule' : 'rules'}`;
  const rules = document.createElement('ul');
  rules.className = 'rule-list';
  rules.append(...set.rules.map(ruleLine));
  item.append(head, cycle, rules);
  return item;
}

function showSets() {
  setList.replaceChildren(...sets.map(setItem));
  noSets.hidden = sets.length > 0;
}

async function loadSets() {
  const answer = await api('GET', '/api/requirement-sets');
  if (answer.status === 401) {
    signInAgain();
    return false;
  }
  if (answer.status !== 200 || !Array.isArray(answer.body?.requirement_sets)) {
    showAlert(alertRegion, answer.body?.message || 'We could not load the requirement sets. Please try again.');
    return false;
  }
  sets = answer.body.requirement_sets;
  showSets();
  return true;
}

// ---------------------------------------------------------------- the rule rows
/** Name each rule's fields by position (rules.0.min_credits) as the API's errors do. */
function renumber() {
  [...ruleRows.children].forEach((item, index) => {
    for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (item.querySelectorAll('[data-name]'))) {
      const name = input.dataset.name;
      input.name = `rules.${index}.${name}`;
      input.id = `rules-${index}-${name}`;
    }
    for (const label of /** @type {NodeListOf<HTMLLabelElement>} */ (item.querySelectorAll('label[data-for]'))) {
      label.htmlFor = `rules-${index}-${label.dataset.for}`;
    }
    const hint = /** @type {HTMLElement} */ (item.querySelector('[data-hint="text"]'));
    hint.id = `rules-${index}-text-hint`;
    /** @type {HTMLInputElement} */ (item.querySelector('[data-name="text"]')).setAttribute('aria-describedby', hint.id);
    for (const box of /** @type {NodeListOf<HTMLInputElement>} */ (item.querySelectorAll('input[type="checkbox"]'))) {
      box.id = `rules-${index}-type-${box.value}`;
    }
    /** @type {HTMLElement} */ (item.querySelector('[data-slot="legend"]')).textContent = `Rule ${index + 1}`;
    const remove = /** @type {HTMLButtonElement} */ (item.querySelector('[data-action="remove"]'));
    remove.setAttribute('aria-label', `Remove rule ${index + 1}`);
  });
  // a set has at least one rule
  const only = ruleRows.children.length === 1;
  for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (ruleRows.querySelectorAll('[data-action="remove"]'))) button.disabled = only;
}

function addRule(rule) {
  const item = /** @type {HTMLElement} */ (/** @type {Element} */ (ruleTemplate.content.firstElementChild).cloneNode(true));
  // a new rule starts with no type ticked: the coordinator chooses (a nursing set must not
  // silently count AMA credit)
  const chosen = new Set(rule?.credit_types || []);
  /** @type {HTMLElement} */ (item.querySelector('[data-slot="types"]')).replaceChildren(...creditTypes().map((kind) => {
    const box = document.createElement('label');
    box.className = 'checkbox';
    const input = Object.assign(document.createElement('input'), { type: 'checkbox', value: kind.type });
    input.checked = chosen.has(kind.type);
    box.append(input, ` ${kind.label}`);
    return box;
  }));
  const topic = /** @type {HTMLSelectElement} */ (item.querySelector('[data-name="topic"]'));
  topic.replaceChildren(new Option('No topic (any credit counts)', ''), ...topics.map((t) => new Option(t.label, t.topic)));
  topic.value = rule?.topic || '';
  /** @type {HTMLInputElement} */ (item.querySelector('[data-name="rule_id"]')).value = rule?.rule_id || '';
  /** @type {HTMLInputElement} */ (item.querySelector('[data-name="text"]')).value = rule?.text || '';
  /** @type {HTMLInputElement} */ (item.querySelector('[data-name="min_credits"]')).value = rule ? String(rule.min_credits) : '1';
  ruleRows.append(item);
  renumber();
  /** @type {HTMLButtonElement} */ (item.querySelector('[data-action="remove"]')).addEventListener('click', () => {
    const next = item.nextElementSibling || item.previousElementSibling;
    clearErrors(form);
    item.remove();
    renumber();
    (/** @type {HTMLInputElement | null | undefined} */ (next?.querySelector('input[type="text"]')) || /** @type {HTMLButtonElement} */ (form.querySelector('[data-action="add-rule"]')))?.focus();
  });
  return item;
}

/** @type {HTMLButtonElement} */ (form.querySelector('[data-action="add-rule"]')).addEventListener('click', () => {
  /** @type {HTMLInputElement} */ (addRule().querySelector('[data-name="text"]')).focus();
});

// ---------------------------------------------------------------- new / edit
function fill(set) {
  clearErrors(form);
  field('name').value = set?.name || '';
  field('cycle_months').value = set ? String(set.cycle_months) : '24';
  ruleRows.replaceChildren();
  for (const rule of set?.rules || [null]) addRule(rule || undefined);
}

function startNew() {
  editing = null;
  fill(null);
  formHeading.textContent = 'New requirement set';
  saveButton.textContent = 'Create set';
  cancelButton.hidden = true;
}

function startEdit(set) {
  editing = set;
  showAlert(alertRegion);
  statusRegion.textContent = '';
  fill(set);
  formHeading.textContent = `Edit “${set.name}”`;
  saveButton.textContent = 'Save changes';
  cancelButton.hidden = false;
  formHeading.scrollIntoView({ block: 'start' });
  field('name').focus();
}

cancelButton.addEventListener('click', () => {
  showAlert(alertRegion);
  startNew();
  formHeading.focus();
});

function number(value) {
  return value.trim() === '' ? null : Number(value);
}

function payload() {
  return {
    name: field('name').value.trim(),
    cycle_months: number(field('cycle_months').value),
    rules: [...ruleRows.children].map((item) => {
      const rule = {
        text: /** @type {HTMLInputElement} */ (item.querySelector('[data-name="text"]')).value.trim(),
        credit_types: [.../** @type {NodeListOf<HTMLInputElement>} */ (item.querySelectorAll('input[type="checkbox"]:checked'))].map((box) => box.value),
        topic: /** @type {HTMLSelectElement} */ (item.querySelector('[data-name="topic"]')).value || null,
        min_credits: number(/** @type {HTMLInputElement} */ (item.querySelector('[data-name="min_credits"]')).value),
      };
      const id = /** @type {HTMLInputElement} */ (item.querySelector('[data-name="rule_id"]')).value;
      if (id) rule.rule_id = id;
      return rule;
    }),
  };
}

// ---------------------------------------------------------------- errors in the coordinator's words
const PLAIN = [
  [/^name$/, 'Please enter the name of the set.'],
  [/^cycle_months$/, 'Enter a whole number of months from 1 to 120.'],
  [/^rules$/, 'A set has 1 to 20 rules.'],
  [/^rules\.\d+\.text$/, 'Use at most 300 characters.'],
  [/^rules\.\d+\.credit_types$/, 'Choose at least one credit type.'],
  [/^rules\.\d+\.topic$/, 'Please choose a topic from the list.'],
  [/^rules\.\d+\.min_credits$/, 'Enter a minimum above 0, in steps of 0.25.'],
];
// the API's developer wording (pydantic's) is replaced by the messages above (forms.js)
const plain = (details) => plainDetails(details, PLAIN);

const WORDS = {
  name: 'Name', cycle_months: 'Cycle (months)', rules: 'Rules', text: 'text', credit_types: 'credit types', topic: 'topic', min_credits: 'minimum credits',
};

/** A field the API named, in words for the alert: "Rule 2 minimum credits". */
function fieldWords(name) {
  const match = /^rules\.(\d+)\.(\w+)$/.exec(name);
  if (match) return `Rule ${Number(match[1]) + 1} ${WORDS[match[2]] || match[2]}`;
  return WORDS[name] || name;
}

/** Mark the fields (forms.js) and say which in the alert; an unmarked problem is said in the alert. */
function showProblems(body, details) {
  const marked = markFields(form, details);
  const words = marked.length ? details.filter((d) => form.elements.namedItem(d.field)).map((d) => fieldWords(d.field)) : [];
  showAlert(alertRegion, errorMessage(form, body, [...new Set(words)]));
  if (!marked.length) alertRegion.focus();
}

/** The required fields left empty, and the rules with no credit type ticked, as the API would report them. */
function missing() {
  const details = [];
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('[required]'))) {
    if (!input.value.trim()) details.push({ field: input.name, message: '' });
  }
  [...ruleRows.children].forEach((item, index) => {
    if (!item.querySelector('input[type="checkbox"]:checked')) details.push({ field: `rules.${index}.credit_types`, message: '' });
  });
  return plain(details);
}

async function answered({ status, body }) {
  if ((status === 201 || status === 200) && body?.requirement_set) {
    const saved = body.requirement_set;
    await loadSets();
    startNew();
    statusRegion.textContent = status === 201 ? `Created “${saved.name}”.` : `Saved “${saved.name}”.`;
    setList.querySelector(`[data-set-id="${CSS.escape(saved.set_id)}"] h3`)?.scrollIntoView({ block: 'nearest' });
    return;
  }
  if (status === 401) {
    signInAgain();
    return;
  }
  if (status === 403) {
    page.hidden = true;
    usable({ status, body });
    return;
  }
  showProblems(body, status === 422 || status === 409 ? plain(body?.details) : []);
}

handleSubmit(form, {
  button: saveButton,
  reset: () => {
    showAlert(alertRegion);
    statusRegion.textContent = '';
  },
  check: () => {
    const empty = missing();
    if (!empty.length) return true;
    showProblems({ code: 'VALIDATION_FAILED' }, empty);
    return false;
  },
  send: () => (editing
    ? api('PUT', `/api/admin/requirement-sets/${encodeURIComponent(editing.set_id)}`, payload())
    : api('POST', '/api/admin/requirement-sets', payload())),
  answered,
});

// ---------------------------------------------------------------- start
async function start() {
  // check that this is a coordinator before showing the page (GET /api/requirement-sets is any learner's)
  const answer = await api('GET', '/api/admin/activities?limit=1');
  if (!usable(answer)) return;
  await loadTopics();
  if (!(await loadSets())) {
    loading.hidden = true;
    return;
  }
  startNew();
  loading.hidden = true;
  page.hidden = false;
}

start();

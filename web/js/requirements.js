// @ts-check
/**
 * My Portal, Licence requirements: each requirement set the learner tracks, every rule's
 * progress (earned against required, met or not: a progress bar with the figures in words),
 * a form to track a set with the end of the learner's cycle (or move the end of one tracked),
 * and Stop tracking (asked first, in the page's dialog). The sets and the counting are the server's (GET /api/requirement-sets,
 * GET/PUT /api/me/requirements, DELETE /api/me/requirements/{set_id}); nothing is counted here.
 */
import { api } from './api.js';
import { formatDate, officeToday } from './dates.js';
import {
  confirmAction, handleSubmit, requireFields, setBusy, showAlert, showAnswerProblems,
} from './forms.js';

const section = /** @type {HTMLElement} */ (document.getElementById('requirements'));
const list = /** @type {HTMLElement} */ (document.getElementById('tracked-sets'));
const empty = /** @type {HTMLElement} */ (document.getElementById('requirements-empty'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('requirements-status'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('requirements-alert'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('track-form'));
const setSelect = /** @type {HTMLSelectElement} */ (document.getElementById('track-set'));
const endInput = /** @type {HTMLInputElement} */ (document.getElementById('track-end'));
endInput.min = officeToday(); // a cycle that has ended is refused (CYCLE_END_INVALID): the picker starts at today
const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
const setTemplate = /** @type {HTMLTemplateElement} */ (document.getElementById('tpl-tracked-set'));
const ruleTemplate = /** @type {HTMLTemplateElement} */ (document.getElementById('tpl-rule'));
const untrackDialog = /** @type {HTMLDialogElement} */ (document.getElementById('untrack-dialog'));

let tracked = [];

/** 1 -> "1", 1.25 -> "1.25": credit as people write it. */
function amount(value) {
  return Number(value).toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function credits(value) {
  return `${amount(value)} ${Number(value) === 1 ? 'credit' : 'credits'}`;
}

function renderRule(rule, setIndex, ruleIndex) {
  const item = /** @type {HTMLElement} */ (/** @type {Element} */ (ruleTemplate.content.firstElementChild).cloneNode(true));
  const slot = (name) => /** @type {HTMLElement} */ (item.querySelector(`[data-slot="${name}"]`));
  const textId = `rule-${setIndex}-${ruleIndex}-text`;
  const figuresId = `rule-${setIndex}-${ruleIndex}-figures`;
  const text = slot('text');
  text.id = textId;
  text.textContent = rule.text;
  const met = slot('met');
  met.textContent = rule.met ? 'Met' : 'Not yet met';
  met.classList.toggle('badge--ok', Boolean(rule.met));
  const bar = /** @type {HTMLProgressElement} */ (slot('bar'));
  bar.max = rule.required;
  bar.value = Math.min(rule.earned, rule.required);
  bar.setAttribute('aria-labelledby', textId);
  bar.setAttribute('aria-describedby', figuresId);
  const figures = slot('figures');
  figures.id = figuresId;
  figures.textContent = `${amount(rule.earned)} of ${credits(rule.required)} earned`;
  item.classList.toggle('rule--met', Boolean(rule.met));
  return item;
}

function renderSet(entry, index) {
  const article = /** @type {HTMLElement} */ (/** @type {Element} */ (setTemplate.content.firstElementChild).cloneNode(true));
  const slot = (name) => /** @type {HTMLElement} */ (article.querySelector(`[data-slot="${name}"]`));
  const name = slot('name');
  name.id = `tracked-${index}-name`;
  name.textContent = entry.name;
  article.setAttribute('aria-labelledby', name.id);
  const metCount = entry.rules.filter((rule) => rule.met).length;
  slot('cycle').textContent = `Cycle ${formatDate(entry.cycle_start)} – ${formatDate(entry.cycle_end)}`
    + ` (${entry.cycle_months} months). ${metCount} of ${entry.rules.length} requirements met.`;
  const rules = slot('rules');
  rules.setAttribute('aria-labelledby', name.id);
  rules.replaceChildren(...entry.rules.map((rule, ruleIndex) => renderRule(rule, index, ruleIndex)));
  const remove = /** @type {HTMLButtonElement} */ (article.querySelector('[data-action="untrack"]'));
  remove.dataset.setId = entry.set_id;
  remove.setAttribute('aria-label', `Stop tracking ${entry.name}`);
  return article;
}

function render() {
  list.replaceChildren(...tracked.map(renderSet));
  list.removeAttribute('aria-busy');
  empty.hidden = tracked.length > 0;
}

function fillSets(sets) {
  const options = sets.map((set) => new Option(set.name, set.set_id));
  setSelect.replaceChildren(new Option('Choose a set', ''), ...options);
  if (!sets.length) {
    setSelect.disabled = true;
    submit.disabled = true;
    setSelect.options[0].textContent = 'The CME office has no requirement sets yet';
  }
}

/** Choosing a set already tracked offers its cycle end, to move it. */
setSelect.addEventListener('change', () => {
  const current = tracked.find((entry) => entry.set_id === setSelect.value);
  if (current) endInput.value = current.cycle_end;
  submit.textContent = current ? 'Save cycle end' : 'Track';
});

function trackAnswered(answer) {
  const { status, body } = answer;
  if (status === 200 && Array.isArray(body?.tracked)) {
    const saved = body.tracked.find((entry) => entry.set_id === setSelect.value);
    tracked = body.tracked;
    render();
    form.reset();
    submit.textContent = 'Track';
    if (saved) showAlert(statusRegion, `Tracking ${saved.name}; your cycle ends ${formatDate(saved.cycle_end)}.`);
    return;
  }
  showAnswerProblems(form, alertRegion, answer);
}

handleSubmit(form, {
  button: submit,
  reset: () => {
    showAlert(alertRegion);
    showAlert(statusRegion);
  },
  check: () => requireFields(form, alertRegion),
  send: () => api('PUT', '/api/me/requirements', { set_id: setSelect.value, cycle_end: endInput.value }),
  answered: trackAnswered,
});

list.addEventListener('click', async (event) => {
  const button = /** @type {HTMLButtonElement | null} */ (/** @type {Element} */ (event.target).closest('[data-action="untrack"]'));
  if (!button || button.disabled) return;
  showAlert(alertRegion);
  showAlert(statusRegion);
  const setId = /** @type {string} */ (button.dataset.setId); // renderSet gives every untrack button one
  const name = tracked.find((entry) => entry.set_id === setId)?.name || 'the set';
  const sure = await confirmAction(
    untrackDialog,
    `Your progress against ${name} will no longer show here. Your credit stays on your transcript; you can track the set again at any time.`,
  );
  if (!sure) return;
  setBusy(button, true);
  const { status, body } = await api('DELETE', `/api/me/requirements/${encodeURIComponent(setId)}`);
  if (status !== 204) {
    setBusy(button, false);
    showAlert(alertRegion, body?.message || 'We could not stop tracking that set. Please try again.');
    return;
  }
  tracked = tracked.filter((entry) => entry.set_id !== setId);
  render();
  showAlert(statusRegion, `You no longer track ${name}.`);
  /** @type {HTMLElement} */ (document.getElementById('requirements-heading')).focus();
});

async function start() {
  const [mine, sets] = await Promise.all([
    api('GET', '/api/me/requirements'),
    api('GET', '/api/requirement-sets'),
  ]);
  if (mine.status === 401 || sets.status === 401) return; // portal.js sends the learner to sign in
  if (mine.status !== 200 || sets.status !== 200) {
    list.removeAttribute('aria-busy');
    list.replaceChildren();
    showAlert(alertRegion, (mine.status !== 200 ? mine : sets).body?.message || 'We could not load your requirements.');
    return;
  }
  fillSets(sets.body.requirement_sets || []);
  tracked = mine.body.tracked || [];
  render();
  section.dataset.ready = 'true';
}

start();

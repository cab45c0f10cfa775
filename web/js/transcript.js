// @ts-check
/**
 * My CME transcript: the credit the learner claimed in a date range, as the API's transcript
 * holds it (GET /api/me/transcript?format=json: one row per credit line, dated by the completion
 * date, with the labels and the totals per credit type that the PDF and CSV print too); a chart
 * of the credit per year by credit type, drawn from the all-time rows (inline SVG, with the
 * numbers in a table for screen readers); PDF and CSV downloads (the same route: a pre-signed
 * link, then the browser follows it); and "Email me my transcript" (#schedule): the profile's
 * transcript_frequency (PUT /api/me).
 */
import { api } from './api.js';
import { clearErrors, handleSubmit, markFields, setBusy, showAlert } from './forms.js';
import { setRole, setSignedIn } from './shell.js';
import {
  CREDIT_TYPES, creditLabel, creditShort, formatAmount, nameWithDegree,
} from './credits.js';
import { formatDate, officeToday } from './dates.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const RANGE_INVALID = 'The end of the range is before its start.';

// One colour per credit type (WCAG 1.4.11: each at least 3:1 on white), and the type's short
// name (from the API) written next to each bar, so the chart never relies on colour alone.
const CHART_FILLS = Object.freeze({
  AMA_PRA_1: '#0b7a75',
  ANCC: '#0f3550',
  ACPE: '#b35900',
  AAPA_1: '#6b3fa0',
  ABIM_MOC: '#1a5fb4',
  IPCE: '#7a4b00',
  PARTICIPATION: '#5c6b77',
});
const OTHER_FILL = '#4a5b68';

function chartLook(type) {
  return { fill: CHART_FILLS[type] || OTHER_FILL, short: creditShort(type) };
}

const FREQUENCY_SAVED = Object.freeze({
  never: 'Saved. We will not email you your transcript.',
  monthly: 'Saved. We will email you your transcript on the 1st of each month, for the month before.',
  quarterly: 'Saved. We will email you your transcript on January, April, July and October 1, for the quarter before.',
  annually: 'Saved. We will email you your transcript on January 1, for the year before.',
});

const loading = /** @type {HTMLElement} */ (document.getElementById('transcript-loading'));
const root = /** @type {HTMLElement} */ (document.getElementById('transcript'));
const rangeForm = /** @type {HTMLFormElement} */ (document.getElementById('range-form'));
const fromInput = /** @type {HTMLInputElement} */ (document.getElementById('range-from'));
const toInput = /** @type {HTMLInputElement} */ (document.getElementById('range-to'));
const allTime = /** @type {HTMLInputElement} */ (document.getElementById('range-all'));
const summary = /** @type {HTMLElement} */ (document.getElementById('range-summary'));
const claimsTable = /** @type {HTMLTableElement} */ (document.getElementById('claims-table'));
const claimsEmpty = /** @type {HTMLElement} */ (document.getElementById('claims-empty'));
const totalsList = /** @type {HTMLElement} */ (document.getElementById('totals'));
const totalsEmpty = /** @type {HTMLElement} */ (document.getElementById('totals-empty'));
const outsideTotalsHeading = /** @type {HTMLElement} */ (document.getElementById('outside-totals-heading'));
const outsideTotalsList = /** @type {HTMLElement} */ (document.getElementById('outside-totals'));
const downloadStatus = /** @type {HTMLElement} */ (document.getElementById('download-status'));
const downloadAlert = /** @type {HTMLElement} */ (document.getElementById('download-alert'));
const downloadButtons = [.../** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-format]'))];
const chartBox = /** @type {HTMLElement} */ (document.getElementById('chart'));
const chartLegend = /** @type {HTMLUListElement} */ (document.getElementById('chart-legend'));
const chartTable = /** @type {HTMLTableElement} */ (document.getElementById('chart-table'));
const chartNumbers = /** @type {HTMLElement} */ (document.getElementById('chart-numbers'));
const chartEmpty = /** @type {HTMLElement} */ (document.getElementById('chart-empty'));
const scheduleSection = /** @type {HTMLElement} */ (document.getElementById('schedule'));
const scheduleForm = /** @type {HTMLFormElement} */ (document.getElementById('schedule-form'));
const scheduleSelect = /** @type {HTMLSelectElement} */ (document.getElementById('schedule-frequency'));
const scheduleStatus = /** @type {HTMLElement} */ (document.getElementById('schedule-status'));
const scheduleAlert = /** @type {HTMLElement} */ (document.getElementById('schedule-alert'));
const scheduleButton = /** @type {HTMLButtonElement} */ (scheduleForm.querySelector('button[type="submit"]'));

const today = officeToday();
/** @type {Api.Profile | null} */
let profile = null;
let allRows = []; // every row of the all-time transcript (the chart's): {date, title, credit_type, credits, label, ...}
const labels = new Map(); // credit type -> its label, as the transcript JSON words it
let lastFrom = `${today.slice(0, 4)}-01-01`;
let asked = 0; // the latest range asked for: a slower, older answer is dropped

function goToSignIn() {
  setSignedIn(false);
  const next = window.location.hash === '#schedule' ? '/transcript.html%23schedule' : '/transcript.html';
  window.location.replace(`/sign-in.html?next=${next}`);
}

/** GET /api/me/transcript?format=json for a range ({from: '' for all time, to}). */
function transcriptOf({ from, to }) {
  const query = new URLSearchParams({ format: 'json' });
  if (from) query.set('from', from);
  if (to) query.set('to', to);
  return api('GET', `/api/me/transcript?${query}`);
}

function learnLabels(list) {
  for (const item of list) if (item.label) labels.set(item.credit_type, item.label);
}

function round(value) {
  return Math.round(value * 100) / 100;
}

function typeOrder(a, b) {
  const rank = (type) => (CREDIT_TYPES.includes(type) ? CREDIT_TYPES.indexOf(type) : CREDIT_TYPES.length);
  return rank(a) - rank(b) || String(a).localeCompare(String(b));
}

/** A credit type's label: as the transcript JSON words it (cme/credit.py), else the catalogue's. */
function totalLabel(type) {
  return labels.get(type) || creditLabel(type);
}

/** How many activities the rows are (an AMA + MOC claim is two rows, one activity). */
function activityCount(list) {
  return new Set(list.map((row) => `${row.source}|${row.certificate_code || `${row.date}|${row.title}`}`)).size;
}

// ------------------------------------------------------------------ the date range

function range() {
  return { from: allTime.checked ? '' : fromInput.value, to: toInput.value || today };
}

function rangeProblem() {
  const { from, to } = range();
  return from && to < from ? [{ field: 'to', message: RANGE_INVALID }] : [];
}

function describeRange({ from, to }) { // from: null or '' for all time
  return from ? `from ${formatDate(from)} to ${formatDate(to)}` : `up to ${formatDate(to)}`;
}

function cell(text, label, className) {
  const td = document.createElement('td');
  td.dataset.label = label;
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function clearRange() {
  claimsTable.hidden = true;
  claimsEmpty.hidden = true;
  totalsList.replaceChildren();
  totalsEmpty.hidden = true;
  outsideTotalsList.replaceChildren();
  outsideTotalsList.hidden = true;
  outsideTotalsHeading.hidden = true;
}

/** An activity's cell: its title, and for outside credit its provider, marked self-reported; an
 * imported claim's marked "Imported from <portal>" (the API's words, row.source_label). */
function titleCell(row) {
  const td = cell(row.title, 'Activity', 'table__title');
  if (row.source_label) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = row.source_label;
    td.append(' ', badge);
  }
  if (row.source === 'outside') {
    const provider = document.createElement('span');
    provider.className = 'muted';
    provider.textContent = row.provider ? ` (${row.provider})` : '';
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = 'Self-reported';
    td.append(provider, ' ', badge);
  }
  return td;
}

function tally(list, totals) {
  list.replaceChildren(...totals.map((total) => {
    const item = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = total.label || totalLabel(total.credit_type);
    const dd = document.createElement('dd');
    dd.textContent = formatAmount(total.credits);
    item.append(dt, dd);
    return item;
  }));
}

/** Ask the API for the range's transcript, then show its rows and totals as they come. */
async function renderRange() {
  clearErrors(rangeForm);
  const problem = rangeProblem();
  const ticket = ++asked;
  if (problem.length) {
    markFields(rangeForm, problem);
    summary.textContent = 'Please choose a To date on or after the From date.';
    clearRange();
    return;
  }
  const answer = await transcriptOf(range());
  if (ticket !== asked) return;
  if (answer.status === 401) {
    goToSignIn();
    return;
  }
  if (answer.status !== 200 || !answer.body) {
    if (answer.status === 422) markFields(rangeForm, answer.body?.details || []);
    summary.textContent = answer.body?.message || 'We could not load your transcript for these dates. Please try again.';
    clearRange();
    return;
  }
  showTranscript(answer.body);
}

/** One transcript JSON: {learner, from, to, rows, totals}. */
function showTranscript(data) {
  const shown = data.rows || [];
  const totals = data.totals || [];
  learnLabels(shown);
  learnLabels(totals);
  const activities = activityCount(shown);
  const count = activities === 1 ? '1 activity' : `${activities} activities`;
  summary.textContent = `${count} ${describeRange({ from: data.from, to: data.to })}.`;

  /** @type {HTMLTableSectionElement} */ (claimsTable.querySelector('tbody')).replaceChildren(...shown.map((row) => {
    const tr = document.createElement('tr');
    tr.append(
      cell(formatDate(row.date), 'Date completed', 'nowrap'),
      titleCell(row),
      cell(row.label || totalLabel(row.credit_type), 'Credit type'),
      cell(formatAmount(row.credits), 'Credits', 'num'),
    );
    return tr;
  }));
  claimsTable.hidden = shown.length === 0;
  claimsEmpty.hidden = shown.length > 0;

  // claimed credit and self-reported outside credit are totalled apart, never mixed
  const outsideTotals = data.outside_totals || [];
  tally(totalsList, totals);
  totalsList.hidden = totals.length === 0;
  totalsEmpty.hidden = totals.length > 0 || outsideTotals.length > 0;
  tally(outsideTotalsList, outsideTotals);
  outsideTotalsList.hidden = outsideTotals.length === 0;
  outsideTotalsHeading.hidden = outsideTotals.length === 0;
}

allTime.addEventListener('change', () => {
  if (allTime.checked) {
    if (fromInput.value) lastFrom = fromInput.value;
    fromInput.value = '';
  } else {
    fromInput.value = lastFrom;
  }
  fromInput.disabled = allTime.checked;
  renderRange();
});
fromInput.addEventListener('change', () => {
  if (fromInput.value) lastFrom = fromInput.value;
  renderRange();
});
toInput.addEventListener('change', renderRange);
rangeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  renderRange();
});

// ------------------------------------------------------------------ downloads

for (const button of downloadButtons) {
  button.addEventListener('click', async () => {
    if (downloadButtons.some((other) => other.disabled)) return;
    showAlert(downloadStatus);
    showAlert(downloadAlert);
    clearErrors(rangeForm);
    const problem = rangeProblem();
    if (problem.length) {
      markFields(rangeForm, problem);
      showAlert(downloadAlert, RANGE_INVALID);
      return;
    }
    const { from } = range();
    const query = new URLSearchParams({ format: /** @type {string} */ (button.dataset.format) });
    if (from) query.set('from', from);
    if (toInput.value) query.set('to', toInput.value);
    for (const other of downloadButtons) other.disabled = true;
    setBusy(button, true);
    const { status, body } = await api('GET', `/api/me/transcript?${query}`);
    setBusy(button, false);
    for (const other of downloadButtons) other.disabled = false;
    if (status === 200 && typeof body?.url === 'string') {
      showAlert(downloadStatus, `Your ${/** @type {string} */ (button.dataset.format).toUpperCase()} transcript is downloading.`);
      window.location.assign(body.url);
      return;
    }
    if (status === 401) {
      goToSignIn();
      return;
    }
    if (status === 422) markFields(rangeForm, body.details);
    showAlert(downloadAlert, body?.message || 'We could not prepare your transcript. Please try again.');
  });
}

// ------------------------------------------------------------------ the chart

function svg(name, attributes = {}) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

/** {year: {type: credits}} over the all-time rows (by completion date), and the credit types present, in order. */
function perYear() {
  const years = new Map();
  for (const row of allRows) {
    const year = row.date.slice(0, 4);
    if (!years.has(year)) years.set(year, new Map());
    const sums = years.get(year);
    sums.set(row.credit_type, (sums.get(row.credit_type) || 0) + Number(row.credits));
  }
  const types = [...new Set(allRows.map((row) => row.credit_type))].sort(typeOrder);
  const list = [...years.keys()].sort().reverse().map((year) => ({
    year,
    values: types.filter((type) => years.get(year).has(type)).map((type) => /** @type {[string, number]} */ ([type, round(years.get(year).get(type))])),
  }));
  return { years: list, types };
}

function chartLabel(years) {
  const parts = years.map(({ year, values }) => `${year}: ${values
    .map(([type, value]) => `${formatAmount(value)} ${totalLabel(type)}`).join(', ')}`);
  return `Bar chart of your credits per year. ${parts.join('. ')}.`;
}

function drawChart() {
  const { years, types } = perYear();
  chartEmpty.hidden = years.length > 0;
  chartLegend.hidden = years.length === 0;
  chartNumbers.hidden = years.length === 0;
  if (!years.length) {
    chartBox.replaceChildren();
    return;
  }
  const width = Math.max(240, Math.floor(chartBox.clientWidth || 600));
  const yearWidth = 52;
  const valueWidth = 78;
  const barHeight = 22;
  const barGap = 4;
  const groupGap = 18;
  const span = Math.max(60, width - yearWidth - valueWidth);
  const max = Math.max(...years.flatMap(({ values }) => values.map(([, value]) => value)), 0.25);

  const chart = svg('svg', { class: 'chart__svg', role: 'img', 'aria-label': chartLabel(years), focusable: 'false' });
  let y = 4;
  for (const { year, values } of years) {
    const groupHeight = values.length * barHeight + (values.length - 1) * barGap;
    const group = svg('g', { class: 'chart__year' });
    const yearText = svg('text', {
      x: yearWidth - 12, y: y + groupHeight / 2, 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'chart__label chart__label--year',
    });
    yearText.textContent = year;
    group.append(yearText);
    values.forEach(([type, value], index) => {
      const top = y + index * (barHeight + barGap);
      const length = Math.max(3, (value / max) * span);
      const look = chartLook(type);
      const bar = svg('rect', {
        x: yearWidth, y: top, width: length.toFixed(1), height: barHeight, rx: 3, fill: look.fill, class: 'chart__bar',
      });
      bar.dataset.type = type;
      const label = svg('text', {
        x: (yearWidth + length + 6).toFixed(1), y: top + barHeight / 2, 'dominant-baseline': 'central', class: 'chart__label',
      });
      label.textContent = look.short ? `${formatAmount(value)} ${look.short}` : formatAmount(value);
      group.append(bar, label);
    });
    chart.append(group);
    y += groupHeight + groupGap;
  }
  const height = y - groupGap + 4;
  chart.append(svg('line', {
    x1: yearWidth, x2: yearWidth, y1: 0, y2: height, stroke: '#7d8e9b', 'stroke-width': 1, class: 'chart__axis',
  }));
  chart.setAttribute('width', width);
  chart.setAttribute('height', height);
  chart.setAttribute('viewBox', `0 0 ${width} ${height}`);
  chartBox.replaceChildren(chart);

  chartLegend.replaceChildren(...types.map((type) => {
    const look = chartLook(type);
    const item = document.createElement('li');
    const swatch = svg('svg', { width: 14, height: 14, viewBox: '0 0 14 14', 'aria-hidden': 'true', class: 'chart-legend__swatch' });
    swatch.append(svg('rect', { width: 14, height: 14, rx: 3, fill: look.fill }));
    const text = document.createElement('span');
    text.textContent = look.short && look.short !== creditLabel(type) ? `${look.short}: ${totalLabel(type)}` : totalLabel(type);
    item.append(swatch, text);
    return item;
  }));

  const head = /** @type {HTMLTableRowElement} */ (chartTable.querySelector('thead tr'));
  head.replaceChildren(...['Year', ...types.map(totalLabel)].map((text) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = text;
    return th;
  }));
  /** @type {HTMLTableSectionElement} */ (chartTable.querySelector('tbody')).replaceChildren(...years.map(({ year, values }) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = year;
    tr.append(th);
    const byType = new Map(values);
    for (const type of types) {
      const td = document.createElement('td');
      td.textContent = formatAmount(byType.get(type) || 0);
      tr.append(td);
    }
    return tr;
  }));
}

let drawnWidth = 0;
let pending = false;
const resized = new ResizeObserver(() => {
  if (pending) return;
  pending = true;
  window.requestAnimationFrame(() => {
    pending = false;
    const width = Math.floor(chartBox.clientWidth);
    if (width && width !== drawnWidth) {
      drawnWidth = width;
      drawChart();
    }
  });
});

// ------------------------------------------------------------------ Email me my transcript

function frequencyWords(frequency) {
  return scheduleSelect.querySelector(`option[value="${frequency}"]`)?.textContent || frequency;
}

/** PUT /api/me takes the whole profile: send it back as it is now (it may have changed in
 * another tab since this page loaded), with the new frequency. */
async function saveFrequency() {
  const frequency = scheduleSelect.value;
  const fresh = await api('GET', '/api/me');
  if (fresh.status === 200 && fresh.body) profile = fresh.body;
  const current = /** @type {Api.Profile} */ (profile); // load() set it before the schedule form was shown
  const payload = {
    first_name: current.first_name,
    last_name: current.last_name,
    degree: current.degree,
    phone: current.phone,
    specialty: current.specialty || null,
    npi: current.npi || null,
    transcript_frequency: frequency,
  };
  return fresh.status === 401 ? fresh : api('PUT', '/api/me', payload);
}

function frequencySaved({ status, body }) {
  if (status === 200 && body) {
    profile = body;
    scheduleSelect.value = body.transcript_frequency;
    showAlert(scheduleStatus, FREQUENCY_SAVED[body.transcript_frequency] || `Saved: ${frequencyWords(body.transcript_frequency)}.`);
    return;
  }
  if (status === 401) {
    goToSignIn();
    return;
  }
  if (status === 422 && body?.code === 'VALIDATION_FAILED') {
    const portal = document.createElement('a');
    portal.href = '/portal.html';
    portal.textContent = 'check your profile on My Portal';
    showAlert(scheduleAlert, `${body.message} Please `, portal, ', then try again.');
    return;
  }
  showAlert(scheduleAlert, body?.message || 'We could not save your choice. Please try again.');
}

handleSubmit(scheduleForm, {
  button: scheduleButton,
  reset: () => {
    showAlert(scheduleStatus);
    showAlert(scheduleAlert);
  },
  send: saveFrequency,
  answered: frequencySaved,
});

// ------------------------------------------------------------------ loading

async function load() {
  // the profile (the schedule), and the all-time transcript (the chart; the range's comes after)
  const [me, everything] = await Promise.all([api('GET', '/api/me'), transcriptOf({ from: '', to: today })]);
  if ([me, everything].some((answer) => answer.status === 401)) {
    goToSignIn();
    return;
  }
  const failed = [me, everything].find((answer) => answer.status !== 200 || !answer.body);
  if (failed) {
    loading.textContent = failed.body?.message || 'We could not load your transcript. Please try again.';
    loading.classList.add('alert', 'alert--error');
    loading.setAttribute('role', 'alert');
    return;
  }
  profile = /** @type {Api.Profile} */ (me.body);
  setSignedIn(true);
  setRole(profile.role);

  const { learner } = everything.body;
  const who = nameWithDegree(learner.name, learner.degree);
  /** @type {HTMLElement} */ (document.getElementById('transcript-learner')).textContent = learner.npi ? `${who} · NPI ${learner.npi}` : who;
  /** @type {HTMLElement} */ (document.getElementById('schedule-email')).textContent = profile.email;
  scheduleSelect.value = profile.transcript_frequency || 'never';

  allRows = (everything.body.rows || []).filter((row) => row.source !== 'outside'); // the chart: claimed credit
  learnLabels(everything.body.totals || []);
  fromInput.value = lastFrom;
  toInput.value = today;
  fromInput.max = today;
  toInput.max = today;

  await renderRange();
  loading.hidden = true;
  root.hidden = false;
  drawnWidth = Math.floor(chartBox.clientWidth);
  drawChart();
  resized.observe(chartBox);

  if (window.location.hash === '#schedule') {
    scheduleSection.scrollIntoView();
    /** @type {HTMLElement} */ (document.getElementById('schedule-heading')).focus({ preventScroll: true });
  }
}

load();

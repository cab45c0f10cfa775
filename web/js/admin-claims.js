/**
 * Admin: who claimed credit for an activity (what the office reports to ACCME PARS and the
 * boards), and the same as a CSV download (the session cookie goes with the same-origin link).
 */
import { api } from './api.js';
import { claimedCredits } from './credits.js';
import { formatMoment } from './dates.js';
import {
  activityIdParam, activityPath, loading, showSummary, showTabs, stop, usable,
} from './admin-common.js';

const page = document.getElementById('admin-page');
const table = document.getElementById('claims-table');
const empty = document.getElementById('claims-empty');
const download = document.getElementById('claims-csv');
const activityId = activityIdParam();

function row(claim) {
  const tr = document.createElement('tr');
  for (const [label, text, className] of [
    ['Name', claim.learner_name],
    ['Degree', claim.degree],
    ['Email', claim.email, 'email'],
    ['NPI', claim.npi || '—'],
    ['Credit', claimedCredits(claim)],
    ['Claimed', formatMoment(claim.claimed_at)],
    ['Certificate code', claim.certificate_code, 'code'],
  ]) {
    const td = document.createElement('td');
    td.dataset.label = label;
    const content = document.createElement('span');
    content.textContent = text;
    if (className) content.className = className;
    td.append(content);
    tr.append(td);
  }
  return tr;
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
  const { claims } = report.body;
  table.querySelector('tbody').replaceChildren(...claims.map(row));
  table.hidden = claims.length === 0;
  empty.hidden = claims.length > 0;
  download.href = activityPath(activityId, '/claims?format=csv');
  loading.hidden = true;
  page.hidden = false;
}

start();

/**
 * Admin: who attended an activity (name, email, how it was recorded, when), and a roster
 * upload: a CSV file sent as it is (text/csv), with the result: added, already present, and
 * the rejected rows with their spreadsheet row number and the reason.
 */
import { api, upload } from './api.js';
import { clearErrors, markFields, setBusy, showAlert } from './forms.js';
import { formatMoment } from './dates.js';
import {
  activityIdParam, activityPath, loading, showSummary, showTabs, signInAgain, stop, usable,
} from './admin-common.js';

const page = document.getElementById('admin-page');
const form = document.getElementById('roster-form');
const fileInput = document.getElementById('roster-file');
const uploadButton = form.querySelector('button[type="submit"]');
const rosterAlert = document.getElementById('roster-alert');
const result = document.getElementById('roster-result');
const rejectedTable = document.getElementById('rejected-table');
const attendanceTable = document.getElementById('attendance-table');
const attendanceEmpty = document.getElementById('attendance-empty');
const heading = document.getElementById('attendance-heading');
const activityId = activityIdParam();

const SOURCES = { self: 'Signed in at the event', roster: 'Roster' };
const MAX_BYTES = 2 * 1024 * 1024; // the API's limit for a roster upload

function cells(values) {
  const tr = document.createElement('tr');
  for (const [label, text, className] of values) {
    const td = document.createElement('td');
    td.dataset.label = label;
    const content = document.createElement('span');
    content.textContent = text;
    td.append(content);
    if (className) td.className = className;
    tr.append(td);
  }
  return tr;
}

function showAttendance(entries) {
  const sorted = [...entries].sort((a, b) => b.recorded_at.localeCompare(a.recorded_at));
  attendanceTable.querySelector('tbody').replaceChildren(...sorted.map((entry) => cells([
    ['Name', `${entry.first_name} ${entry.last_name}`.trim() || '—'],
    ['Email', entry.email, 'email'],
    ['Source', SOURCES[entry.source] || entry.source],
    ['Recorded', formatMoment(entry.recorded_at)],
  ])));
  attendanceTable.hidden = sorted.length === 0;
  attendanceEmpty.hidden = sorted.length > 0;
  heading.textContent = `Attended (${sorted.length})`;
}

async function reloadAttendance() {
  const answer = await api('GET', activityPath(activityId, '/attendance'));
  if (answer.status === 200 && Array.isArray(answer.body?.attendance)) showAttendance(answer.body.attendance);
  return answer;
}

function showResult(report) {
  const slot = (name) => result.querySelector(`[data-slot="${name}"]`);
  slot('added').textContent = String(report.added);
  slot('already_present').textContent = String(report.already_present);
  slot('rejected').textContent = String(report.rejected.length);
  slot('summary').textContent = `Roster uploaded: ${report.added} added, ${report.already_present} already present, `
    + `${report.rejected.length} rejected.`;
  rejectedTable.querySelector('tbody').replaceChildren(...report.rejected.map((entry) => cells([
    ['Row', String(entry.row), 'num'],
    ['Reason', entry.reason],
  ])));
  rejectedTable.hidden = report.rejected.length === 0;
  result.hidden = false;
  result.focus();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (uploadButton.disabled) return;
  clearErrors(form);
  showAlert(rosterAlert);
  const file = fileInput.files?.[0];
  const problem = !file ? 'Please choose the CSV file to upload.'
    : file.size > MAX_BYTES ? 'The file is larger than 2 MB: split it into smaller rosters.'
      : null;
  if (problem) {
    markFields(form, [{ field: 'file', message: problem }]);
    return;
  }
  setBusy(uploadButton, true);
  let bytes;
  try {
    bytes = await file.arrayBuffer();
  } catch {
    setBusy(uploadButton, false);
    markFields(form, [{ field: 'file', message: 'We could not read that file. Please choose it again.' }]);
    return;
  }
  const { status, body } = await upload(activityPath(activityId, '/attendance'), bytes, 'text/csv');
  if (status === 200 && body) {
    showResult(body);
    form.reset();
    await reloadAttendance();
    setBusy(uploadButton, false);
    return;
  }
  setBusy(uploadButton, false);
  if (status === 401) {
    signInAgain();
    return;
  }
  if (status === 403 || status === 404) {
    usable({ status, body });
    return;
  }
  result.hidden = true;
  showAlert(rosterAlert, body.message);
  rosterAlert.focus();
});

async function start() {
  if (!activityId) {
    stop('No activity was chosen: open Attendance from the list of activities.');
    return;
  }
  const [activity, attendance] = await Promise.all([
    api('GET', activityPath(activityId)),
    api('GET', activityPath(activityId, '/attendance')),
  ]);
  if (!usable(activity) || !usable(attendance)) return;
  showSummary(activity.body.activity);
  showTabs(activityId, 'attendance');
  showAttendance(attendance.body.attendance);
  loading.hidden = true;
  page.hidden = false;
}

start();

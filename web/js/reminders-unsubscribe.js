// @ts-check
/**
 * Stop claim reminders: the link at the foot of every reminder (?token=...). Works signed out;
 * the API may be asked any number of times with the same link (a second click changes nothing).
 * Opening the page is the request: the email's link names this page, never the API route, so a
 * mail scanner that fetches links without running scripts unsubscribes no one.
 */
import { api } from './api.js';
import { showAlert } from './forms.js';
import './shell.js'; // the header, menu and footer

const progress = /** @type {HTMLElement} */ (document.getElementById('unsubscribe-progress'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('unsubscribe-status'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('unsubscribe-alert'));
const retryLine = /** @type {HTMLElement} */ (document.getElementById('unsubscribe-retry-line'));
const retry = /** @type {HTMLButtonElement} */ (document.getElementById('unsubscribe-retry'));
const next = /** @type {HTMLElement} */ (document.getElementById('unsubscribe-next'));
const token = new URLSearchParams(window.location.search).get('token') || '';

const MISSING_TOKEN = 'This link is incomplete. Open the link at the foot of the reminder email again.';

async function unsubscribe() {
  retryLine.hidden = true;
  showAlert(alertRegion, '');
  if (!token) {
    progress.hidden = true;
    showAlert(alertRegion, MISSING_TOKEN);
    return;
  }
  progress.hidden = false;
  const { status, body } = await api('GET', `/api/reminders/unsubscribe?${new URLSearchParams({ token })}`);
  progress.hidden = true;
  if (status === 200) {
    showAlert(statusRegion, 'Done: you will get no more reminders to claim credit.');
    next.hidden = false;
    return;
  }
  showAlert(alertRegion, body?.message || 'We could not stop your reminders just now.');
  retryLine.hidden = status !== 0 && status < 500; // a bad link stays bad; a failure may pass
}

retry.addEventListener('click', unsubscribe);
unsubscribe();

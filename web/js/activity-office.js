// @ts-check
/**
 * The activity page's office tools, apart from the form (admin-activity.js): "Copy" (new dates ->
 * POST /api/admin/activities/{id}/copy, then the copy opens) and the collapsible History (the
 * activity's audit trail, read when first opened: audit-view.js). Shown once the page has shown
 * an existing activity's form, so never to a learner or on a new activity.
 */
import { api } from './api.js';
import {
  errorMessage, handleSubmit, markFields, requireFields, showAlert,
} from './forms.js';
import { activityIdParam, activityPath, signInAgain } from './admin-common.js';
import { renderAudit } from './audit-view.js';

const activityId = activityIdParam();
const activityForm = /** @type {HTMLFormElement} */ (document.getElementById('activity-form'));
const tools = /** @type {HTMLElement} */ (document.getElementById('activity-office'));
const copyOpen = /** @type {HTMLButtonElement} */ (document.getElementById('copy-open'));
const copyForm = /** @type {HTMLFormElement} */ (document.getElementById('copy-form'));
const copyCancel = /** @type {HTMLButtonElement} */ (document.getElementById('copy-cancel'));
const copyAlert = /** @type {HTMLElement} */ (document.getElementById('copy-alert'));
const copyButton = /** @type {HTMLButtonElement} */ (copyForm.querySelector('button[type="submit"]'));
const history = /** @type {HTMLDetailsElement} */ (document.getElementById('activity-history'));
const historyList = /** @type {HTMLElement} */ (document.getElementById('history-list'));

/** @param {string} name */
const input = (name) => /** @type {HTMLInputElement} */ (copyForm.elements.namedItem(name));

function showCopyForm(open) {
  copyForm.hidden = !open;
  copyOpen.setAttribute('aria-expanded', String(open));
  if (open) input('start_date').focus();
  else copyOpen.focus();
}

copyOpen.addEventListener('click', () => showCopyForm(copyForm.hidden));
copyCancel.addEventListener('click', () => {
  showAlert(copyAlert);
  showCopyForm(false);
});
// a one-day activity: the end follows the start until it is set on its own
input('start_date').addEventListener('change', () => {
  const end = input('end_date');
  if (!end.value || end.dataset.followsStart !== 'false') end.value = input('start_date').value;
});
input('end_date').addEventListener('input', () => {
  input('end_date').dataset.followsStart = 'false';
});

const copied = ({ status, body }) => status === 201 && Boolean(body?.activity);

handleSubmit(copyForm, {
  button: copyButton,
  reset: () => showAlert(copyAlert),
  check: () => requireFields(copyForm, copyAlert),
  send: () => api('POST', activityPath(activityId, '/copy'), {
    start_date: input('start_date').value,
    end_date: input('end_date').value,
  }),
  leaving: copied,
  answered: ({ status, body }) => {
    if (copied({ status, body })) {
      window.location.assign(`/admin-activity.html?id=${encodeURIComponent(body.activity.activity_id)}`);
      return;
    }
    if (status === 401) {
      signInAgain();
      return;
    }
    const labels = status === 422 ? markFields(copyForm, body?.details) : [];
    showAlert(copyAlert, errorMessage(copyForm, body, labels));
    if (!labels.length) copyAlert.focus();
  },
});

let historyShown = false;
history.addEventListener('toggle', () => {
  if (!history.open || historyShown) return;
  historyShown = true;
  renderAudit(historyList, { activityId });
});

function showTools() {
  if (!activityId || activityForm.hidden) return false;
  tools.hidden = false;
  history.hidden = false;
  return true;
}

if (!showTools()) {
  const watch = new MutationObserver(() => {
    if (showTools()) watch.disconnect();
  });
  watch.observe(activityForm, { attributes: true, attributeFilter: ['hidden'] });
}

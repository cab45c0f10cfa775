// @ts-check
/**
 * Confirming the profile's phone (on My Portal): only a confirmed phone records attendance by
 * text message (docs/api.md "Confirming the phone"). While the office takes texts
 * (GET /api/settings sms_number) and the phone is not confirmed, the profile says so and offers
 * "Text me a code" (POST /api/me/phone/code), then the code's field (POST /api/me/phone/confirm).
 */
import { api } from './api.js';
import {
  handleSubmit, requireFields, setBusy, showAlert, showAnswerProblems,
} from './forms.js';
import { loadSettings } from './settings.js';

const box = /** @type {HTMLElement} */ (document.getElementById('phone-confirm'));
const badge = /** @type {HTMLElement} */ (document.getElementById('phone-unconfirmed'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('phone-alert'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('phone-status'));
const sendButton = /** @type {HTMLButtonElement} */ (document.getElementById('phone-send'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('phone-form'));
const confirmButton = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
const codeField = /** @type {HTMLInputElement} */ (form.elements.namedItem('code'));

/**
 * @param {{ onProfile: (profile: Api.Profile) => void, onSignedOut: () => void }} hooks
 */
export function setUpPhone({ onProfile, onSignedOut }) {
  let texting = false;

  /** Show or hide the confirmation for this profile. */
  function show(profile) {
    const open = texting && !profile.phone_confirmed;
    badge.hidden = !open;
    box.hidden = !open;
    if (!open) {
      form.hidden = true;
      showAlert(alertRegion);
    }
  }

  sendButton.addEventListener('click', async () => {
    if (sendButton.disabled) return;
    showAlert(alertRegion);
    showAlert(statusRegion);
    setBusy(sendButton, true);
    const { status, body } = await api('POST', '/api/me/phone/code');
    setBusy(sendButton, false);
    if (status === 401) {
      onSignedOut();
      return;
    }
    if (status !== 202) {
      showAlert(alertRegion, body?.message || 'We could not text a code just now. Please try again.');
      return;
    }
    const minutes = Math.round((body.expires_in || 600) / 60);
    showAlert(statusRegion, `We texted a code to your phone. Enter it below within ${minutes} minutes.`);
    sendButton.textContent = 'Text me a new code';
    form.hidden = false;
    codeField.value = '';
    codeField.focus();
  });

  handleSubmit(form, {
    button: confirmButton,
    reset: () => showAlert(alertRegion),
    check: () => requireFields(form, alertRegion),
    send: () => api('POST', '/api/me/phone/confirm', { code: codeField.value.trim() }),
    answered: (answer) => {
      if (answer.status === 200 && answer.body) {
        showAlert(statusRegion);
        onProfile(answer.body);
        return;
      }
      if (answer.status === 401) {
        onSignedOut();
        return;
      }
      showAnswerProblems(form, alertRegion, answer);
    },
  });

  return {
    /** @param {Api.Profile} profile */
    async start(profile) {
      const settings = await loadSettings();
      texting = Boolean(settings?.sms_number);
      show(profile);
    },
    show,
  };
}

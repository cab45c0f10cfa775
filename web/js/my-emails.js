// @ts-check
/**
 * My emails (on My Portal): the list of the learner's emails with their state, and what can be
 * done with each: send its confirmation link again (not verified), make it primary (verified),
 * remove it (not primary; a second click confirms). Add another email below the list.
 */
import { api } from './api.js';
import { formatMomentDay } from './dates.js';
import {
  complainIn, handleSubmit, markFields, missingFields, sayIn, setBusy, showAlert,
} from './forms.js';

const heading = /** @type {HTMLElement} */ (document.getElementById('my-emails-heading'));
const list = /** @type {HTMLUListElement} */ (document.getElementById('email-list'));
const statusRegion = /** @type {HTMLElement} */ (document.getElementById('emails-status'));
const alertRegion = /** @type {HTMLElement} */ (document.getElementById('emails-alert'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('add-email-form'));
const addButton = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
const template = /** @type {HTMLTemplateElement} */ (document.getElementById('tpl-email-row'));

const path = (email) => `/api/me/emails/${encodeURIComponent(email)}`;

// Why mail to an address stopped (GET /api/me/emails: undeliverable.reason)
const UNDELIVERABLE = {
  bounce: 'could not be delivered',
  complaint: 'was reported as spam',
};

/** Plain words for an email we no longer send to, or '' when mail goes to it. */
export function undeliverableNote(entry) {
  const mark = entry.undeliverable;
  if (!mark) return '';
  const what = UNDELIVERABLE[mark.reason] || 'could not be delivered';
  return `Our email to this address ${what} on ${formatMomentDay(mark.at)}, so we send nothing to it now. `
    + 'Fix the mailbox (or mark our emails as not spam), then choose Send it again.';
}

// Short words for the add field; the alert above the list carries the API's full message.
const FIELD_WORDS = {
  EMAIL_TAKEN: 'This email belongs to another account.',
  TOO_MANY_EMAILS: 'Remove an email you no longer use first.',
};

const say = (message) => sayIn(statusRegion, alertRegion, message);

const complain = (message) => complainIn(statusRegion, alertRegion, message);

export function setUpEmails({ onProfile, onSignedOut }) {
  /** Handle the answers every row action shares; true when the caller should stop. */
  function failed(status, body) {
    if (status === 401) {
      onSignedOut();
      return true;
    }
    if (status === 404 || status === 409) {
      // not (any more) on the account, or changed meanwhile: show the list as it is now
      complain(body.message);
      reload();
      return true;
    }
    if (status < 200 || status > 299) {
      complain(body.message);
      return true;
    }
    return false;
  }

  function row(entry, index) {
    const item = /** @type {HTMLElement} */ (/** @type {Element} */ (template.content.firstElementChild).cloneNode(true));
    const address = /** @type {HTMLElement} */ (item.querySelector('[data-slot="email"]'));
    address.textContent = entry.email;
    address.id = `my-email-${index}`;
    /** @type {HTMLElement} */ (item.querySelector('[data-slot="primary"]')).hidden = !entry.primary;
    /** @type {HTMLElement} */ (item.querySelector('[data-slot="verified"]')).hidden = !entry.verified;
    /** @type {HTMLElement} */ (item.querySelector('[data-slot="unverified"]')).hidden = entry.verified;
    const note = undeliverableNote(entry);
    /** @type {HTMLElement} */ (item.querySelector('[data-slot="undeliverable-badge"]')).hidden = !note;
    const noteSlot = /** @type {HTMLElement} */ (item.querySelector('[data-slot="undeliverable"]'));
    noteSlot.textContent = note;
    noteSlot.hidden = !note;

    const resend = /** @type {HTMLButtonElement} */ (item.querySelector('[data-action="resend"]'));
    const primary = /** @type {HTMLButtonElement} */ (item.querySelector('[data-action="primary"]'));
    const remove = /** @type {HTMLButtonElement} */ (item.querySelector('[data-action="remove"]'));
    const cancel = /** @type {HTMLButtonElement} */ (item.querySelector('[data-action="cancel"]'));
    resend.hidden = entry.verified && !entry.undeliverable;
    primary.hidden = !entry.verified || entry.primary;
    remove.hidden = entry.primary;
    // each button is described by its row's email, for screen readers moving by button
    for (const button of [resend, primary, remove, cancel]) button.setAttribute('aria-describedby', address.id);

    resend.addEventListener('click', async () => {
      if (resend.disabled) return;
      setBusy(resend, true);
      const { status, body } = await api('POST', `/api/me/emails/${encodeURIComponent(entry.email)}/resend`);
      setBusy(resend, false);
      if (failed(status, body)) return;
      if (entry.undeliverable && !body.undeliverable) {
        say(body.verified
          ? `We sent an email to ${body.email}: we send to it again.`
          : `We sent a new link to ${body.email}: we send to it again.`);
        reload();
        return;
      }
      if (body.verified) {
        say(`${body.email} is already confirmed.`);
        reload();
        return;
      }
      say(`We sent a new link to ${body.email}.`);
    });

    primary.addEventListener('click', async () => {
      if (primary.disabled) return;
      setBusy(primary, true);
      const { status, body } = await api('POST', `${path(entry.email)}/primary`);
      setBusy(primary, false);
      if (failed(status, body)) return;
      onProfile(body);
      say(`${entry.email} is now your primary email: sign in with it from now on.`);
      await reload();
      heading.focus();
    });

    let confirming = false;
    const setConfirming = (on) => {
      confirming = on;
      remove.textContent = on ? 'Confirm remove' : 'Remove';
      cancel.hidden = !on;
    };
    remove.addEventListener('click', async () => {
      if (remove.disabled) return;
      if (!confirming) {
        setConfirming(true);
        say(`Remove ${entry.email} from your account? Select Confirm remove, or Cancel to keep it.`);
        return;
      }
      setBusy(remove, true);
      cancel.disabled = true;
      const { status, body } = await api('DELETE', path(entry.email));
      setBusy(remove, false);
      cancel.disabled = false;
      if (failed(status, body)) return;
      say(`${entry.email} was removed from your account.`);
      await reload();
      heading.focus();
    });
    cancel.addEventListener('click', () => {
      setConfirming(false);
      showAlert(statusRegion);
      remove.focus();
    });
    item.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && confirming) {
        event.stopPropagation();
        cancel.click();
      }
    });
    return item;
  }

  /** Show an answer of GET /api/me/emails. */
  function show({ status, body }) {
    if (status === 401) {
      onSignedOut();
      return;
    }
    if (status !== 200 || !Array.isArray(body?.emails)) {
      complain(body?.message || 'We could not load your emails. Please reload the page.');
      return;
    }
    list.replaceChildren(...body.emails.map(row));
  }

  async function reload() {
    show(await api('GET', '/api/me/emails'));
  }

  const input = /** @type {HTMLInputElement} */ (form.elements.namedItem('email'));

  async function added({ status, body }) {
    if (status === 201 || status === 200) {
      input.value = '';
      const added = body.email.email;
      say(status === 201
        ? `We sent a link to ${added}. Open it to confirm this email; its activities then count.`
        : `${added} is already on your account.`);
      await reload();
      input.focus();
      return;
    }
    if (status === 401) {
      onSignedOut();
      return;
    }
    let words = FIELD_WORDS[body.code];
    if (!words && status === 422) {
      // EMAIL_INVALID's details say what is wrong with the address; other shapes get plain words
      const detail = Array.isArray(body.details) ? body.details.find((d) => d?.field === 'email') : null;
      words = body.code === 'EMAIL_INVALID' && detail?.message ? detail.message : 'Please enter a valid email address.';
    }
    if (words) markFields(form, [{ field: 'email', message: words }]);
    complain(body.message);
  }

  handleSubmit(form, {
    button: addButton,
    reset: () => {
      showAlert(statusRegion);
      showAlert(alertRegion);
    },
    check: () => {
      if (!missingFields(form).length) return true;
      markFields(form, [{ field: 'email', message: 'Please enter the email to add.' }]);
      return false;
    },
    send: () => api('POST', '/api/me/emails', { email: input.value.trim() }),
    answered: added,
  });

  return { show, reload };
}

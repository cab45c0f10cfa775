// @ts-check
/**
 * Form helpers shared by the pages: busy buttons, the alert region, field errors
 * (aria-invalid + a message next to the field, gone as soon as the field is edited), and
 * small formatting helpers.
 * User data only ever reaches the page through textContent.
 */

/** Disable a submit button while a request is in flight (double-click safe). */
export function setBusy(button, busy) {
  button.disabled = busy;
  button.classList.toggle('is-busy', busy);
  if (busy) button.setAttribute('aria-busy', 'true');
  else button.removeAttribute('aria-busy');
}

/** Put a message (text, or nodes) in an alert region; an empty message hides it. */
export function showAlert(region, ...parts) {
  region.replaceChildren(...parts.filter((part) => part !== '' && part !== null && part !== undefined));
}

/** A message in a page's status region, its alert region cleared. */
export function sayIn(statusRegion, alertRegion, message) {
  showAlert(alertRegion);
  showAlert(statusRegion, message);
}

/** A problem in a page's alert region, its status region cleared; the alert focused when asked. */
export function complainIn(statusRegion, alertRegion, message, focus = false) {
  showAlert(statusRegion);
  showAlert(alertRegion, message);
  if (focus) alertRegion.focus();
}

/** A link element with text, for messages that point somewhere. */
export function link(href, text) {
  const anchor = document.createElement('a');
  anchor.href = href;
  anchor.textContent = text;
  return anchor;
}

function labelOf(form, name) {
  const input = form.elements.namedItem(name);
  if (!(input instanceof HTMLElement)) return name;
  const label = input.id ? form.querySelector(`label[for="${input.id}"]`) : null;
  if (!label) return name;
  const copy = label.cloneNode(true);
  for (const extra of /** @type {NodeListOf<HTMLElement>} */ (copy.querySelectorAll('.optional'))) extra.remove();
  return copy.textContent.trim();
}

/** Take one field's error away: its message, aria-invalid, and the message's id in aria-describedby. */
function clearField(input) {
  if (input.getAttribute('aria-invalid') !== 'true') return;
  input.removeAttribute('aria-invalid');
  document.getElementById(`${input.id}-error`)?.remove();
  const ids = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter((id) => id && id !== `${input.id}-error`);
  if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
  else input.removeAttribute('aria-describedby');
  const field = input.closest('.field');
  if (field && !field.querySelector('[aria-invalid="true"]')) field.classList.remove('has-error');
}

export function clearErrors(form) {
  for (const input of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('[aria-invalid="true"]'))) clearField(input);
  for (const error of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('.field-error'))) error.remove();
  for (const field of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('.field.has-error'))) field.classList.remove('has-error');
}

// Validation messages worded for developers are replaced by a plain request for the field.
const GENERIC = /^(field required|string should have at least \d+ characters?|value error|input should be)/i;

function askFor(form, name) {
  const input = form.elements.namedItem(name);
  const verb = input instanceof HTMLSelectElement ? 'choose' : 'enter';
  return `Please ${verb} your ${labelOf(form, name).toLowerCase()}.`;
}

/** Mark the fields named in an API error's details; returns the labels of the fields marked. */
export function markFields(form, details) {
  const labels = [];
  /** @type {HTMLElement | null} */
  let first = null;
  for (const detail of Array.isArray(details) ? details : []) {
    const input = form.elements.namedItem(detail?.field);
    if (!(input instanceof HTMLElement) || input.getAttribute('aria-invalid') === 'true') continue;
    const label = labelOf(form, detail.field);
    const text = typeof detail.message === 'string' && detail.message && !GENERIC.test(detail.message)
      ? detail.message
      : askFor(form, detail.field);
    const error = document.createElement('p');
    error.className = 'field-error';
    error.id = `${input.id}-error`;
    error.textContent = text;
    input.setAttribute('aria-invalid', 'true');
    const ids = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    input.setAttribute('aria-describedby', [error.id, ...ids].join(' '));
    input.insertAdjacentElement('beforebegin', error);
    input.closest('.field')?.classList.add('has-error');
    // the error goes as soon as the learner changes the field (the next submit checks it again)
    const fixed = () => clearField(input);
    input.addEventListener('input', fixed, { once: true });
    input.addEventListener('change', fixed, { once: true });
    labels.push(label);
    first ??= input;
  }
  first?.focus();
  return labels;
}

/** Client-side check of the required fields before a request; returns details like the API's. */
export function missingFields(form) {
  const details = [];
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('[required]'))) {
    if (!input.value.trim()) {
      details.push({ field: input.name, message: askFor(form, input.name) });
    }
  }
  return details;
}

// validation messages worded for developers (pydantic's), which plainDetails rewords
const TECHNICAL = /^(input should|string should|list should|value error|field required|this field is required)/i;

/**
 * The API's field details with developer wording (pydantic's) replaced: each field's message from
 * `rules` ([pattern of the field name, message] pairs, the first match), else a general one. Messages
 * the portal wrote itself are kept.
 */
export function plainDetails(details, rules) {
  return (Array.isArray(details) ? details : []).map((detail) => {
    const name = String(detail?.field || '');
    const message = typeof detail?.message === 'string' ? detail.message : '';
    if (message && !TECHNICAL.test(message)) return { field: name, message };
    const rule = rules.find(([pattern]) => pattern.test(name));
    return { field: name, message: rule ? rule[1] : 'Please check this field.' };
  });
}

/** The message to show for an error answer; VALIDATION_FAILED is phrased with the field labels. */
export function errorMessage(form, body, labels) {
  if (body?.code === 'VALIDATION_FAILED' && labels.length) {
    return `Please check these fields: ${labels.join(', ')}.`;
  }
  return body?.message || 'Something went wrong. Please try again.';
}

/**
 * @typedef {{ status: number, body: any }} Answer  what api() resolves to
 */

/**
 * Check the required fields before a request: marks each empty one beside it, and with a region,
 * says there which ("Please fill in: Email, Password."). Returns true when every one is filled.
 * @param {HTMLFormElement} form
 * @param {HTMLElement} [region] the alert region for the summary; without one, the fields alone
 * @param {string} [lead] the summary's words before the labels
 * @returns {boolean}
 */
export function requireFields(form, region, lead = 'Please fill in:') {
  const missing = missingFields(form);
  if (!missing.length) return true;
  const labels = markFields(form, missing);
  if (region) showAlert(region, `${lead} ${labels.join(', ')}.`);
  return false;
}

/**
 * An error answer shown the usual way: a 422's details beside their fields, and the message
 * (phrased with those fields' labels for VALIDATION_FAILED) in the alert region.
 * @param {HTMLFormElement} form
 * @param {HTMLElement} region
 * @param {Answer} answer
 */
export function showAnswerProblems(form, region, { status, body }) {
  const labels = status === 422 ? markFields(form, body?.details) : [];
  showAlert(region, errorMessage(form, body, labels));
}

/**
 * The submit preamble every form shares, in one place: the page does not reload, a second click
 * while a request is in flight does nothing (the button is busy), the last submit's problems
 * beside the fields go, then the page's own steps run in order.
 * @param {HTMLFormElement} form
 * @param {object} steps
 * @param {HTMLButtonElement} steps.button the submit button, busy while the request is in flight
 * @param {() => void} [steps.reset] empties the regions the last submit filled (alert, status)
 * @param {() => boolean} [steps.check] client-side checks: shows what it finds, false to send nothing
 * @param {() => Promise<Answer | null>} steps.send makes the request (null: none was made, and the
 *   page has said why)
 * @param {(answer: Answer) => unknown} steps.answered shows the answer: the next step, or the problems
 * @param {(answer: Answer) => boolean} [steps.leaving] true when the answer takes the visitor to
 *   another page: the button stays busy
 * @param {boolean} [steps.busyWhileAnswering] keep the button busy until answered has finished
 *   (it waits for more requests), not only while send's request is in flight
 * @param {HTMLButtonElement[]} [steps.alsoDisabled] other buttons disabled while the request is in flight
 */
export function handleSubmit(form, steps) {
  const { button, reset, check, send, answered, leaving, busyWhileAnswering = false, alsoDisabled = [] } = steps;
  const busy = (on) => {
    setBusy(button, on);
    for (const other of alsoDisabled) other.disabled = on;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    clearErrors(form);
    reset?.();
    if (check && !check()) return;
    busy(true);
    /** @type {Answer | null} */
    let answer = null;
    try {
      answer = await send();
    } finally {
      if (!answer || !(leaving?.(answer) || busyWhileAnswering)) busy(false);
    }
    if (!answer) return;
    if (leaving?.(answer)) {
      await answered(answer);
      return;
    }
    try {
      await answered(answer);
    } finally {
      if (busyWhileAnswering) busy(false);
    }
  });
}

/** Read a form's named fields as trimmed strings (passwords untouched). */
export function formValues(form) {
  const values = {};
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('input[name], select[name], textarea[name]'))) {
    if (input.type === 'checkbox') continue;
    values[input.name] = input.type === 'password' ? input.value : input.value.trim();
  }
  return values;
}

/** +14805550100 -> (480) 555-0100; other numbers as stored. */
export function formatPhone(phone) {
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phone || '');
  return match ? `(${match[1]}) ${match[2]}-${match[3]}` : phone || '';
}

/**
 * A ?next= target (as URLSearchParams hands it over, decoded once), accepted only as a path of
 * this origin written plainly: one leading `/`, segments of letters, digits, `_`, `-`, `.`, `~`
 * that are not empty (no `//`) and do not start with a dot (no `.`/`..` segments, which the
 * browser would fold into `//host`), no `\`, `%`, whitespace or control characters in the path
 * (encoded `/`, `\`, `.` and the tabs/newlines browsers strip); a query and hash of URL-safe
 * characters may follow. Anything else is null (the caller goes to My Portal). The value is
 * returned as written, after checking that the browser resolves it to this origin and to that
 * very path.
 * @param {string | null} raw
 * @returns {string | null}
 */
export function safeNext(raw) {
  if (!raw || raw.length > 300) return null;
  const match = /^(\/(?:[A-Za-z0-9_~-][A-Za-z0-9_.~-]*(?:\/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*\/?)?)([?#][A-Za-z0-9/_.~%=&?#+-]*)?$/.exec(raw);
  if (!match) return null;
  try {
    const url = new URL(raw, window.location.origin);
    if (url.origin !== window.location.origin || url.pathname !== match[1]) return null;
  } catch {
    return null;
  }
  return raw;
}

/**
 * Show/hide password checkboxes: <input type=checkbox data-reveals="password-id [other-id…]">.
 * @param {ParentNode} [root]
 */
export function setUpReveal(root = document) {
  const boxes = /** @type {NodeListOf<HTMLInputElement>} */ (root.querySelectorAll('input[type="checkbox"][data-reveals]'));
  for (const box of boxes) {
    const ids = /** @type {string} */ (box.dataset.reveals).split(/\s+/);
    const targets = /** @type {HTMLInputElement[]} */ (ids.map((id) => document.getElementById(id)).filter(Boolean));
    if (!targets.length) continue;
    box.addEventListener('change', () => {
      for (const target of targets) target.type = box.checked ? 'text' : 'password';
    });
  }
}

/**
 * Ask before an action that is hard to take back, in a <dialog> the page holds (its heading,
 * a [data-slot="text"] paragraph for `text`, and buttons with data-answer="yes" / "no"): shown
 * modal (the browser keeps the focus inside, Escape answers no, and gives the focus back when
 * it closes). Resolves true when the person chose yes.
 * @param {HTMLDialogElement} dialog
 * @param {string} text
 * @returns {Promise<boolean>}
 */
export function confirmAction(dialog, text) {
  /** @type {HTMLElement} */ (dialog.querySelector('[data-slot="text"]')).textContent = text;
  return new Promise((resolve) => {
    const answered = (event) => {
      const button = /** @type {Element} */ (event.target).closest('[data-answer]');
      if (button) dialog.close(/** @type {HTMLElement} */ (button).dataset.answer);
    };
    dialog.addEventListener('click', answered);
    dialog.addEventListener('close', () => {
      dialog.removeEventListener('click', answered);
      resolve(dialog.returnValue === 'yes');
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

// @ts-check
/**
 * The office's settings (name, help email, time zone, SMS number, whether it is jointly
 * accredited) as the API serves them (GET /api/settings, from the backend's one settings model): never copied into the web.
 *
 * Read once per browser session: the answer is kept in sessionStorage, so a page of the same
 * session has them at once, with no request. Until the first answer arrives, cachedSettings()
 * is null and pages show neutral words (the shell updates itself when loadSettings() resolves).
 */
const KEY = 'cme.settings';

function validZone(zone) {
  if (typeof zone !== 'string' || !zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone }).format(0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The API's reply, kept only when it has the expected shape.
 * @returns {Settings | null}
 */
function clean(body) {
  if (!body || typeof body.office_name !== 'string' || typeof body.help_email !== 'string') return null;
  return Object.freeze({
    office_name: body.office_name,
    help_email: body.help_email,
    timezone: validZone(body.timezone) ? body.timezone : '',
    sms_number: typeof body.sms_number === 'string' && body.sms_number ? body.sms_number : null,
    // null: not known (an API from before it was served)
    jointly_accredited: typeof body.jointly_accredited === 'boolean' ? body.jointly_accredited : null,
  });
}

function readStored() {
  try {
    const stored = clean(JSON.parse(window.sessionStorage.getItem(KEY) || 'null'));
    // a copy kept before jointly_accredited was served: ask the API again
    return stored && stored.jointly_accredited !== null ? stored : null;
  } catch {
    return null;
  }
}

/** @typedef {Readonly<Omit<Api.SettingsReply, 'jointly_accredited'> & { jointly_accredited: boolean | null }>} Settings */

let current = readStored();
/** @type {Promise<Settings | null> | null} */
let pending = null;

/** The settings known now (this session's copy), or null before the first answer. */
export function cachedSettings() {
  return current;
}

/** The settings: this session's copy, or one request to the API (shared by every caller). Never rejects. */
export function loadSettings() {
  if (current) return Promise.resolve(current);
  if (!pending) {
    pending = fetch('/api/settings', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : null))
      .catch(() => null)
      .then((body) => {
        const settings = clean(body);
        pending = null;
        if (!settings) return null;
        current = settings;
        try {
          window.sessionStorage.setItem(KEY, JSON.stringify(settings));
        } catch {
          // storage disabled: the next page asks again
        }
        return settings;
      });
  }
  return pending;
}

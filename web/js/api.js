// @ts-check
/**
 * The one way pages talk to the API: same-origin fetch with the session cookie.
 * Never throws; resolves to {status, body}. status 0 means the network failed.
 * Error bodies always carry {code, message, details?}.
 */
const NETWORK_ERROR = Object.freeze({
  code: 'NETWORK_ERROR',
  message: 'We could not reach the CME Portal. Please check your connection and try again.',
});

/**
 * What api() and upload() resolve to.
 * @typedef {object} Reply
 * @property {number} status the HTTP status; 0 when the network failed
 * @property {any} body the route's JSON: the schema openapi.json gives that route and status
 *   (Api.Profile, Api.ErrorReply...), null for none. any, because which schema depends on the path
 *   and the status: the page that reads a field names the schema (@type {Api.Profile}).
 * @property {Headers} headers
 */

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body] sent as JSON
 * @returns {Promise<Reply>}
 */
export async function api(method, path, body) {
  if (body === undefined) return send(method, path);
  return send(method, path, JSON.stringify(body), 'application/json');
}

/** POST a file's bytes as they are (a CSV roster: the API decodes UTF-8 or Excel's cp1252). */
/**
 * @param {string} path
 * @param {Blob} file
 * @param {string} contentType
 * @returns {Promise<Reply>}
 */
export async function upload(path, file, contentType) {
  return send('POST', path, file, contentType);
}

/**
 * @param {string} method
 * @param {string} path
 * @param {BodyInit} [payload]
 * @param {string} [contentType]
 * @returns {Promise<Reply>}
 */
async function send(method, path, payload, contentType) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers, cache: 'no-store' };
  if (payload !== undefined) {
    headers['Content-Type'] = contentType ?? 'application/octet-stream';
    init.body = payload;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { status: 0, body: NETWORK_ERROR, headers: new Headers() };
  }
  /** @type {any} */ // the route's JSON, as Reply.body says
  let data = null;
  if (response.status !== 204) {
    try {
      const text = await response.text();
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
  }
  if (!response.ok && !(data && typeof data.message === 'string')) {
    data = {
      code: `HTTP_${response.status}`,
      message: 'Something went wrong on our side. Please try again in a moment.',
    };
  }
  return { status: response.status, body: data, headers: response.headers };
}

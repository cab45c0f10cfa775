/**
 * The one way pages talk to the API: same-origin fetch with the session cookie.
 * Never throws; resolves to {status, body}. status 0 means the network failed.
 * Error bodies always carry {code, message, details?}.
 */
const NETWORK_ERROR = Object.freeze({
  code: 'NETWORK_ERROR',
  message: 'We could not reach the CME Portal. Please check your connection and try again.',
});

export async function api(method, path, body) {
  if (body === undefined) return send(method, path);
  return send(method, path, JSON.stringify(body), 'application/json');
}

/** POST a file's bytes as they are (a CSV roster: the API decodes UTF-8 or Excel's cp1252). */
export async function upload(path, file, contentType) {
  return send('POST', path, file, contentType);
}

async function send(method, path, payload, contentType) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
    cache: 'no-store',
  };
  if (payload !== undefined) {
    init.headers['Content-Type'] = contentType;
    init.body = payload;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { status: 0, body: NETWORK_ERROR, headers: new Headers() };
  }
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

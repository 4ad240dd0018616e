// Calls to the JSON API, with the two kinds of failure the pages treat differently: the
// server could not be reached (retry, say so) and the server refused (show its message).

export class NetworkError extends Error {}

export class HttpError extends Error {
  constructor(status, detail, body = null) {
    super(detail);
    this.status = status;
    this.body = body; // the whole JSON answer (a 409 names its conflicts)
  }
}

/** True when trying again may succeed: no answer, or a proxy/server that is restarting. */
export function isTransient(error) {
  return error instanceof NetworkError
    || (error instanceof HttpError && [500, 502, 503, 504].includes(error.status));
}

// The tablet's clock may be wrong: times waited are computed on the server's clock, learnt
// from the Date header of each answer.
let clockSkewMs = 0;
export function serverNow() {
  return Date.now() + clockSkewMs;
}

/** To the login page, which brings the visitor back here once signed in. */
export function goToLogin() {
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/login?next=${encodeURIComponent(next)}`);
}

/**
 * A JSON call. A 401 (no session, or it expired) goes to the login page unless the caller
 * handles it itself (`{ loginOn401: false }`: the login form, where 401 means a wrong password).
 */
export async function api(method, path, body, { loginOn401 = true } = {}) {
  const init = { method, cache: "no-store", credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new NetworkError(String(error));
  }
  const date = Date.parse(response.headers.get("Date") ?? "");
  if (!Number.isNaN(date)) clockSkewMs = date + 500 - Date.now(); // Date has 1 s resolution
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && loginOn401) {
    goToLogin();
    throw new HttpError(401, data?.detail ?? "sign in first", data);
  }
  if (!response.ok) throw new HttpError(response.status, data?.detail ?? response.statusText, data);
  return { status: response.status, data };
}

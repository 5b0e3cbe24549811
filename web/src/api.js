// The API client (docs/dashboard.md): relative URLs, so the app works under any prefix;
// errors become ApiError carrying the server's own message.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** "api/events?type=gap&type=encounter&start=..." from a path and params (arrays repeat;
 * null, undefined and '' are left out). */
export function url(path, params = {}) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== null && v !== undefined && v !== '') q.append(key, String(v));
    }
  }
  const s = q.toString();
  return `api/${path}${s ? `?${s}` : ''}`;
}

async function check(response) {
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && body.error) message = body.error;
    else if (body && body.detail) message = typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail);
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiError(response.status, message);
}

export async function getJson(path, params) {
  const response = await fetch(url(path, params), {headers: {Accept: 'application/json'}});
  return (await check(response)).json();
}

export async function postJson(path, body) {
  const response = await fetch(url(path), {
    method: 'POST',
    headers: {'Content-Type': 'application/json', Accept: 'application/json'},
    body: JSON.stringify(body),
  });
  return (await check(response)).json();
}

/** The positions stream as an ArrayBuffer. */
export async function getArrow(params) {
  const response = await fetch(url('positions.arrow', params));
  return (await check(response)).arrayBuffer();
}

export const api = {
  info: () => getJson('info'),
  timeline: (params) => getJson('timeline', params),
  events: (params) => getJson('events', params),
  event: (id) => getJson(`events/${encodeURIComponent(id)}`),
  vessels: (params) => getJson('vessels', params),
  vessel: (key) => getJson(`vessels/${encodeURIComponent(key)}`),
  hits: (params) => getJson('hits', params),
  markFalsePositive: (hitId, note, undo = false) =>
    postJson(`hits/${encodeURIComponent(hitId)}/false-positive`, {note, undo}),
  cases: (params) => getJson('cases', params),
  case: (id) => getJson(`cases/${encodeURIComponent(id)}`),
  observations: () => getJson('observations'),
  addObservation: (fields) => postJson('observations', fields),
  ports: () => getJson('ports'),
  zones: () => getJson('zones'),
  positions: (params) => getArrow(params),
};

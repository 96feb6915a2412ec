// The node's JSON API, called with the session cookie.

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field || '';
  }
}

// api calls path and returns the decoded JSON (or text). body is sent as
// JSON unless raw is set (then it is sent as it is, e.g. a File).
export async function api(path, { method = 'GET', body, raw = false } = {}) {
  const opts = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    if (raw) {
      opts.body = body;
      opts.headers['Content-Type'] = 'application/octet-stream';
    } else {
      opts.body = JSON.stringify(body);
      opts.headers['Content-Type'] = 'application/json';
    }
  }
  let r;
  try {
    r = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, e.message || String(e));
  }
  const ct = r.headers.get('Content-Type') || '';
  const data = ct.includes('json') ? await r.json().catch(() => null) : await r.text();
  if (!r.ok) {
    const msg = (data && data.error) || (typeof data === 'string' && data.trim()) || r.statusText;
    throw new ApiError(r.status, msg, data && data.field);
  }
  return data;
}

export const post = (path, body) => api(path, { method: 'POST', body: body ?? {} });

// step records a workflow step on a member's ledger.
export const step = (id, kind, body) => post(`/api/members/${id}/steps/${kind}`, body);

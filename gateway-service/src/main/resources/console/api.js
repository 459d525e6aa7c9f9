// The API client: every call goes to /api/v1 on this origin, answers are the {code, message, data}
// envelope. The token lives in sessionStorage: it survives a reload of this tab, is not shared with
// other tabs and is gone when the tab closes (localStorage would keep it on disk indefinitely).
const KEY = 'astro.session';
const TIMEOUT_MS = 15000;

let onExpired = () => {};
let expiryTimer = null;

export class ApiError extends Error {
  constructor(status, code, message, data) {
    super(message);
    this.status = status;
    this.code = code;
    this.data = data;
  }
  // [{field, reason}] of a 400 naming bad fields
  get fields() {
    return (this.data && Array.isArray(this.data.fields)) ? this.data.fields : [];
  }
}

export function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY));
    if (s && s.token && Date.parse(s.expires_at) > Date.now()) return s;
  } catch (e) { /* a damaged entry is no session */ }
  return null;
}

export function setSession(s) {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
  schedule();
}

// called once with what to do when the token is refused or runs out
export function whenExpired(handler) {
  onExpired = handler;
  schedule();
}

function schedule() {
  clearTimeout(expiryTimer);
  const s = session();
  if (!s) return;
  const left = Date.parse(s.expires_at) - Date.now();
  // setTimeout cannot wait longer than ~24.8 days; tokens live hours
  expiryTimer = setTimeout(expire, Math.min(Math.max(left, 0), 2 ** 31 - 1));
}

function expire() {
  if (!sessionStorage.getItem(KEY)) return;
  setSession(null);
  onExpired('Your session has expired. Please sign in again.');
}

// Explains an answer that is not the caller's fault in words a user can act on.
function explain(status, body) {
  if (status === 503) {
    return (body && body.message ? body.message + ': ' : '') +
      'the service is unavailable for a moment (starting, overloaded or one of its parts is down). Try again shortly.';
  }
  if (status === 429) return 'Too many requests right now. Wait a few seconds and try again.';
  if (status >= 500) return (body && body.message) || 'The server failed to answer this request.';
  return (body && body.message) || `The server answered ${status}.`;
}

export async function api(method, path, { body, headers = {}, signal, raw } = {}) {
  const s = session();
  const h = { Accept: 'application/json', ...headers };
  if (s) h.Authorization = 'Bearer ' + s.token;
  if (body !== undefined) h['Content-Type'] = h['Content-Type'] || 'application/json';
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), TIMEOUT_MS);
  const abort = () => timeout.abort();
  if (signal) signal.addEventListener('abort', abort);
  let res;
  try {
    res = await fetch('/api/v1' + path, {
      method, headers: h, signal: timeout.signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (signal && signal.aborted) throw e;
    throw new ApiError(0, 0, timeout.signal.aborted
      ? 'The server did not answer in time. Check your connection and try again.'
      : 'Cannot reach the server. Check your connection and try again.', null);
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener('abort', abort);
  }
  if (raw && res.ok) return res;
  let env = null;
  try { env = await res.json(); } catch (e) { /* not JSON */ }
  if (res.status === 401 && s && !path.startsWith('/login')) {
    setSession(null);
    onExpired('Your session has ended (expired or signed out elsewhere). Please sign in again.');
  }
  if (!res.ok) {
    throw new ApiError(res.status, env ? env.code : 0, explain(res.status, env), env ? env.data : null);
  }
  return env ? env.data : null;
}

// Reads a server-sent event stream with fetch (EventSource cannot send the Authorization header).
// Calls onOpen() once the server accepted, onEvent({event, data}) per event; resolves when the
// stream ends, rejects on a failure.
export async function stream(path, onEvent, signal, onOpen = () => {}) {
  const s = session();
  const res = await fetch('/api/v1' + path, {
    headers: { Accept: 'text/event-stream', ...(s ? { Authorization: 'Bearer ' + s.token } : {}) },
    signal,
  });
  if (!res.ok) {
    let env = null;
    try { env = await res.json(); } catch (e) { /* not JSON */ }
    if (res.status === 401 && s) { setSession(null); onExpired('Your session has ended. Please sign in again.'); }
    throw new ApiError(res.status, env ? env.code : 0, explain(res.status, env), env ? env.data : null);
  }
  onOpen();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let data = [];
  let event = 'message';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (line === '') {
        if (data.length) onEvent({ event, data: data.join('\n') });
        data = [];
        event = 'message';
      } else if (line.startsWith('data:')) {
        data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      } else if (line.startsWith('event:')) {
        event = line.slice(6).trim();
      }
    }
  }
}

// One key per distinct request body: a retry of the same create reuses it (the API answers the
// first result again), a changed form gets a new one (a reused key with another body is refused).
export function idempotencyKeyFor(body) {
  const text = JSON.stringify(body);
  if (idem.body !== text) {
    idem.body = text;
    // getRandomValues works on plain http too (randomUUID only in secure contexts)
    idem.key = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return idem.key;
}
const idem = { body: null, key: null };

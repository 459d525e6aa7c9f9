// Live status of the signed-in user's apps. The server-sent stream GET /api/v1/apps/stream tells
// each status change; while it is not connected (not yet, dropped, or a server without it) the
// caller's poll() runs every few seconds instead, and the stream is tried again with back-off.
import { stream } from './api.js';

const POLL_MS = 3000;

// onEvent(data): one change, data as the server sent it (parsed JSON, or null when it was not JSON)
// poll(): refetch what is on screen. Returns a function that stops watching.
export function watchApps({ onEvent, poll }) {
  let stopped = false;
  let controller = null;
  let pollTimer = null;
  let retryTimer = null;
  let failures = 0;
  const startPolling = () => { if (!pollTimer && !stopped) pollTimer = setInterval(poll, POLL_MS); };
  const stopPolling = () => { clearInterval(pollTimer); pollTimer = null; };

  const connect = async () => {
    if (stopped) return;
    controller = new AbortController();
    let status = 0;
    try {
      await stream('/apps/stream', (ev) => {
        let data = null;
        try { data = JSON.parse(ev.data); } catch (e) { /* a comment or plain text: refetch */ }
        onEvent(data);
      }, controller.signal, () => {
        failures = 0;
        stopPolling();
        // whatever changed before the stream opened
        poll();
      });
    } catch (e) {
      status = e.status || 0;
    }
    if (stopped || status === 401) return;
    startPolling();
    failures++;
    // a server without the stream (404) is asked again rarely; a dropped stream soon
    const wait = status === 404 ? 60000 : Math.min(30000, 2000 * 2 ** Math.min(failures, 4));
    retryTimer = setTimeout(connect, wait);
  };

  startPolling();
  connect();
  return () => {
    stopped = true;
    stopPolling();
    clearTimeout(retryTimer);
    if (controller) controller.abort();
  };
}

// true when an event's data carries enough of an app to update it without asking the server
export function isAppChange(data) {
  return !!(data && typeof data === 'object' && data.id && data.status);
}

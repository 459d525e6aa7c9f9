// An app's logs: the last lines of each pod, or a live follow (server-sent events), per pod and
// container, the previous container's lines, pause/resume and download.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, stream } from './api.js';
import { html, ErrorBox } from './ui.js';

const KEEP = 5000;

function parse(text) {
  const m = /^\[([^\]]+)\] ?([\s\S]*)$/.exec(text);
  return m ? { pod: m[1], line: m[2] } : { pod: null, line: text };
}

export function Logs({ app }) {
  const [opts, setOpts] = useState({ lines: '100', container: '', previous: false, pod: '' });
  const [follow, setFollow] = useState(false);
  const [paused, setPaused] = useState(false);
  const [entries, setEntries] = useState([]);
  const [held, setHeld] = useState([]);
  const [state, setState] = useState('idle');
  const [error, setError] = useState(null);
  const [round, setRound] = useState(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const box = useRef(null);

  // a new set of pods (started, scaled, restarted) is read again: a follow stream covers only the
  // pods that existed when it opened
  const podKey = app.pods.map((p) => p.name).sort().join(' ');

  const query = () => {
    const q = new URLSearchParams({ lines: opts.lines });
    if (opts.container.trim()) q.set('container', opts.container.trim());
    return q;
  };

  useEffect(() => {
    const controller = new AbortController();
    let retry = null;
    setError(null);
    setEntries([]);
    setHeld([]);
    if (!follow) {
      setState('loading');
      const q = query();
      if (opts.previous) q.set('previous', 'true');
      api('GET', `/apps/${app.id}/logs?${q}`, { signal: controller.signal }).then(
        (data) => { setEntries((data.lines || []).map((l) => ({ pod: l.pod, line: l.line }))); setState('idle'); },
        (e) => { if (!controller.signal.aborted) { setError(e); setState('idle'); } });
    } else {
      const q = query();
      q.set('follow', 'true');
      const add = (ev) => {
        const entry = parse(ev.data);
        const push = (list) => { const next = list.concat(entry); return next.length > KEEP ? next.slice(-KEEP) : next; };
        if (pausedRef.current) setHeld(push);
        else setEntries(push);
      };
      const connect = () => {
        setState('connecting');
        stream(`/apps/${app.id}/logs?${q}`, add, controller.signal, () => setState('following')).then(
          () => {
            // every pod's stream ended (pods replaced or gone): follow the new ones
            if (!controller.signal.aborted) { setState('reconnecting'); retry = setTimeout(connect, 2000); }
          },
          (e) => {
            if (controller.signal.aborted) return;
            setError(e);
            setState('reconnecting');
            retry = setTimeout(connect, 5000);
          });
      };
      connect();
    }
    return () => { controller.abort(); clearTimeout(retry); };
  }, [app.id, follow, opts.lines, opts.container, opts.previous, round, podKey]);

  // keep the newest line in view while following
  useEffect(() => {
    if (follow && !paused && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [entries]);

  const resume = () => {
    setEntries((list) => list.concat(held).slice(-KEEP));
    setHeld([]);
    setPaused(false);
  };
  const shown = opts.pod ? entries.filter((e) => e.pod === opts.pod) : entries;
  const pods = Array.from(new Set(app.pods.map((p) => p.name).concat(entries.map((e) => e.pod).filter(Boolean)))).sort();
  const download = () => {
    const text = shown.map((e) => (e.pod ? `[${e.pod}] ${e.line}` : e.line)).join('\n') + '\n';
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    a.download = `${app.name}-logs.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  const set = (k) => (e) => setOpts({ ...opts, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });

  return html`<section aria-labelledby="logs-title" class="logs">
    <h2 id="logs-title">Logs</h2>
    <div class="log-controls">
      <div class="field inline"><label for="log-pod">Pod</label>
        <select id="log-pod" value=${opts.pod} onChange=${set('pod')}>
          <option value="">all pods</option>${pods.map((p) => html`<option value=${p}>${p}</option>`)}
        </select></div>
      <div class="field inline"><label for="log-container">Container</label>
        <input id="log-container" placeholder="default" value=${opts.container} onChange=${set('container')} size="10" spellcheck="false" /></div>
      <div class="field inline"><label for="log-lines">Lines per pod</label>
        <select id="log-lines" value=${opts.lines} onChange=${set('lines')}>
          ${['50', '100', '500', '1000', '5000'].map((n) => html`<option value=${n}>${n}</option>`)}
        </select></div>
      <div class="field inline check"><input type="checkbox" id="log-previous" checked=${opts.previous} disabled=${follow} onChange=${set('previous')} />
        <label for="log-previous">Previous container</label></div>
    </div>
    <div class="buttons">
      <button type="button" id="log-follow" aria-pressed=${follow ? 'true' : 'false'} disabled=${opts.previous}
        onClick=${() => { setFollow(!follow); setPaused(false); }}>${follow ? 'Stop following' : 'Follow live'}</button>
      ${follow ? html`<button type="button" class="secondary" id="log-pause" onClick=${() => (paused ? resume() : setPaused(true))}>
        ${paused ? `Resume (${held.length} new)` : 'Pause'}</button>` : ''}
      ${!follow ? html`<button type="button" class="secondary" onClick=${() => setRound(round + 1)}>Refresh</button>` : ''}
      <button type="button" class="secondary" onClick=${download} disabled=${!shown.length}>Download</button>
      <span class="log-state" role="status">${{
        loading: 'Loading…', connecting: 'Connecting…', following: paused ? 'Paused' : 'Following live',
        reconnecting: 'Stream ended, reconnecting…', idle: `${shown.length} lines`,
      }[state]}</span>
    </div>
    <${ErrorBox} error=${error} />
    <pre class="log" id="log-lines-view" ref=${box} tabindex="0" role="log" aria-live="off" aria-label="Log lines">${shown.length === 0
      ? html`<span class="muted">${app.pods.length ? 'No lines yet.' : 'No pods, so no logs: start or scale the app to see its output.'}</span>`
      : shown.map((e) => html`<span class="ln">${e.pod && !opts.pod ? html`<span class="pod">[${e.pod}]</span> ` : ''}${e.line}</span>`)}</pre>
  </section>`;
}

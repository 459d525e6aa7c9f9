// One app: its status and why, pods, actions, logs, history and releases, live on one screen.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { watchApps, isAppChange } from './live.js';
import { address } from './apps.js';
import { Logs } from './logs.js';
import { html, ErrorBox, Spinner, Status, STATUS_HINT, TypeToConfirm, go, when, useHeadingFocus } from './ui.js';

export function AppDetail({ id }) {
  const [app, setApp] = useState(null);
  const [error, setError] = useState(null);
  const [gone, setGone] = useState(false);
  const [history, setHistory] = useState(null);
  const [releases, setReleases] = useState(null);
  const heading = useHeadingFocus(app ? id : null);

  const load = async () => {
    try {
      setApp(await api('GET', '/apps/' + id));
      setError(null);
    } catch (e) {
      if (e.status === 404) setGone(true);
      else setError(e);
      return;
    }
    api('GET', `/apps/${id}/events?limit=50`).then((p) => setHistory(p.items), () => {});
    api('GET', `/apps/${id}/releases?limit=20`).then((p) => setReleases(p.items), () => {});
  };
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    load();
    return watchApps({
      poll: () => loadRef.current(),
      onEvent: (data) => {
        if (!isAppChange(data) || data.id === id) loadRef.current();
      },
    });
  }, [id]);

  if (gone) {
    return html`<section><h1 tabindex="-1" ref=${heading}>App not found</h1>
      <p>This app does not exist (any more). Deleted apps disappear once their resources are removed.</p>
      <p><a href="#/apps">Back to your apps</a></p></section>`;
  }
  if (!app) {
    return html`<section><h1 tabindex="-1" ref=${heading}>App</h1>
      ${error ? html`<${ErrorBox} error=${error} retry=${load} />` : html`<${Spinner} label="Loading the app…" />`}</section>`;
  }
  return html`<section class="detail">
    <p class="crumbs"><a href="#/apps">Your apps</a> / ${app.name}</p>
    <div class="title-row">
      <h1 tabindex="-1" ref=${heading}>${app.name}</h1>
      <span class="big-status" aria-live="polite" id="app-status"><${Status} status=${app.status} reason=${app.reason} /></span>
    </div>
    ${error ? html`<${ErrorBox} error=${error} retry=${load} />` : ''}
    <${Why} app=${app} history=${history} />
    <${Overview} app=${app} />
    <${Actions} app=${app} reload=${load} />
    <${Pods} app=${app} />
    <${Logs} app=${app} />
    <${History} items=${history} />
    <${Releases} app=${app} items=${releases} reload=${load} />
  </section>`;
}

// The answer to "why isn't my app running", when it is not
function Why({ app, history }) {
  if (app.status === 'running' || app.status === 'stopped') return null;
  const waiting = app.pods.filter((p) => p.waiting_reason);
  const warnings = app.warnings || [];
  return html`<div class=${'why ' + (app.status === 'failed' || app.status === 'unknown' ? 'bad' : 'busy')}>
    <h2>${app.status === 'failed' ? 'Why it is not running' : 'What is happening'}</h2>
    <p><strong>${app.status}</strong>: ${STATUS_HINT[app.status] || ''}${app.reason ? html` — <strong>${app.reason}</strong>` : ''}</p>
    ${app.message ? html`<p class="mono wrap">${app.message}</p>` : ''}
    ${app.stale ? html`<p>The cluster <strong>${app.cluster}</strong> has not reported recently; what you see may be out of date.</p>` : ''}
    ${waiting.length ? html`<ul>${waiting.map((p) => html`<li>Pod ${p.name} waits: <strong>${p.waiting_reason}</strong></li>`)}</ul>` : ''}
    ${warnings.length ? html`<ul>${warnings.map((w) => html`<li><strong>${w.reason}</strong>${w.count > 1 ? ` (×${w.count})` : ''}: ${w.message}</li>`)}</ul>` : ''}
    ${app.status === 'failed' && history && !warnings.length && !app.message ? html`<p>See the history below for what happened.</p>` : ''}
  </div>`;
}

function Overview({ app }) {
  const url = address(app);
  return html`<dl class="facts">
    <div><dt>Image</dt><dd class="mono">${app.image}</dd></div>
    <div><dt>Replicas ready</dt><dd id="ready">${app.ready_replicas ?? 0} of ${app.stopped ? 0 : app.replicas}${app.stopped ? ' (stopped)' : ''}</dd></div>
    <div><dt>Release</dt><dd>${app.release}${app.observed_release && app.observed_release !== app.release ? ` (pods run ${app.observed_release})` : ''}</dd></div>
    <div><dt>Size</dt><dd>${app.size}</dd></div>
    <div><dt>Address in the cluster</dt><dd class="mono">${url || 'none (no port)'}</dd></div>
    <div><dt>Public URL</dt><dd class="mono">${app.url ? html`<a href=${app.url}>${app.url}</a>${certificate(app, hostOf(app.url))}` : app.public && app.port ? 'none yet' : 'none'}</dd></div>
    ${app.domains && app.domains.length ? html`<div><dt>Custom domains</dt><dd class="mono">${app.domains.map((d, i) => html`${i ? ', ' : ''}${d}${certificate(app, d)}`)}</dd></div>` : ''}
    <div><dt>Cluster</dt><dd>${app.cluster}${app.stale ? ' (not reporting)' : ''}</dd></div>
    <div><dt>Created</dt><dd>${when(app.created_at)}</dd></div>
    <div><dt>Updated</dt><dd>${when(app.updated_at)}</dd></div>
  </dl>`;
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch (e) {
    return null;
  }
}

// the host's TLS certificate as the cluster reports it (nothing when it does not say)
function certificate(app, host) {
  const c = (app.certificates || []).find((x) => x.host === host);
  return c && c.certificate
    ? html` <span class="muted" title=${c.certificate_message || ''}>(certificate ${c.certificate})</span>`
    : '';
}

function Actions({ app, reload }) {
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const [replicas, setReplicas] = useState(String(app.replicas));
  const [confirming, setConfirming] = useState(false);
  useEffect(() => setReplicas(String(app.replicas)), [app.replicas]);

  const act = async (name, path, body, method = 'POST') => {
    setBusy(name);
    setError(null);
    setDone(null);
    try {
      await api(method, path, { body });
      if (name === 'delete') { go('#/apps'); return; }
      setDone(`${name[0].toUpperCase() + name.slice(1)} requested; the status follows.`);
      reload();
    } catch (e) {
      setError(e);
    }
    setBusy(null);
  };
  const base = '/apps/' + app.id;
  const deleting = app.status === 'deleting';
  return html`<section class="actions" aria-labelledby="actions-title">
    <h2 id="actions-title">Actions</h2>
    <div class="buttons">
      ${app.stopped
        ? html`<button type="button" disabled=${!!busy || deleting} onClick=${() => act('start', base + '/start')}>Start</button>`
        : html`<button type="button" class="secondary" disabled=${!!busy || deleting} onClick=${() => act('stop', base + '/stop')}>Stop</button>`}
      <button type="button" class="secondary" disabled=${!!busy || deleting || app.stopped} onClick=${() => act('restart', base + '/restart')}>Restart</button>
      <a class="button secondary" href=${`#/apps/${app.id}/edit`}>Change settings</a>
      <button type="button" class="danger" disabled=${!!busy || deleting} onClick=${() => setConfirming(true)}>Delete…</button>
    </div>
    <form class="scale" onSubmit=${(e) => { e.preventDefault(); act('scale', base + '/scale', { replicas: /^\d+$/.test(replicas) ? +replicas : replicas }); }}>
      <label for="scale-replicas">Replicas</label>
      <input id="scale-replicas" inputmode="numeric" value=${replicas} onInput=${(e) => setReplicas(e.target.value)} />
      <button type="submit" class="secondary" disabled=${!!busy || deleting}>Scale</button>
    </form>
    ${confirming ? html`<${TypeToConfirm} id="confirm-delete" name=${app.name} action="Delete" busy=${busy === 'delete'}
      onConfirm=${() => act('delete', base, undefined, 'DELETE')} onCancel=${() => setConfirming(false)} />` : ''}
    ${busy ? html`<p role="status">Sending ${busy}…</p>` : ''}
    ${done ? html`<p class="notice" role="status">${done}</p>` : ''}
    <${ErrorBox} error=${error} />
  </section>`;
}

function Pods({ app }) {
  return html`<section aria-labelledby="pods-title">
    <h2 id="pods-title">Pods</h2>
    ${app.pods.length === 0 ? html`<p class="empty">${app.stopped ? 'No pods: the app is stopped.' : 'No pods yet.'}</p>` : html`
    <div class="table-wrap"><table id="pods">
      <thead><tr><th scope="col">Name</th><th scope="col">Phase</th><th scope="col">Ready</th><th scope="col">Restarts</th><th scope="col">Node</th></tr></thead>
      <tbody>${app.pods.map((p) => html`<tr key=${p.name}>
        <th scope="row" class="mono">${p.name}</th>
        <td>${p.phase}${p.waiting_reason ? html` <span class="reason">(${p.waiting_reason})</span>` : ''}</td>
        <td>${p.ready ? 'yes' : 'no'}</td><td>${p.restarts}</td><td class="mono">${p.node || '—'}</td>
      </tr>`)}</tbody>
    </table></div>`}
  </section>`;
}

function describe(e) {
  if (e.kind === 'command') return html`<strong>${e.command}</strong> requested`;
  if (e.kind === 'status') return html`status <strong>${e.status}</strong>${e.reason ? ` (${e.reason})` : ''}`;
  return html`<strong>warning ${e.warning}</strong>`;
}

function History({ items }) {
  return html`<section aria-labelledby="history-title">
    <h2 id="history-title">History</h2>
    ${!items ? html`<${Spinner} label="Loading the history…" />` : items.length === 0 ? html`<p class="empty">Nothing yet.</p>` : html`
    <ol class="timeline" id="timeline">${items.map((e) => html`<li key=${e.id} class=${'ev-' + e.kind}>
      <span class="when">${when(e.at)}</span>
      <span>${describe(e)}${e.message ? html`<span class="msg">${e.message}</span>` : ''}</span>
    </li>`)}</ol>`}
  </section>`;
}

function Releases({ app, items, reload }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(null);
  const rollback = async (n) => {
    setBusy(n);
    setError(null);
    try {
      await api('POST', `/apps/${app.id}/rollback`, { body: { release: n } });
      reload();
    } catch (e) {
      setError(e);
    }
    setBusy(null);
  };
  return html`<section aria-labelledby="releases-title">
    <h2 id="releases-title">Releases</h2>
    <${ErrorBox} error=${error} />
    ${!items ? html`<${Spinner} label="Loading the releases…" />` : html`<div class="table-wrap"><table id="releases">
      <thead><tr><th scope="col">Release</th><th scope="col">Created</th><th scope="col">What changed</th><th scope="col">Image</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
      <tbody>${items.map((r) => html`<tr key=${r.number}>
        <th scope="row">${r.number}</th><td>${when(r.created_at)}</td><td>${r.description}</td>
        <td class="mono">${r.image}</td><td>${r.status}</td>
        <td>${r.status !== 'active' ? html`<button type="button" class="secondary small" disabled=${busy != null}
          onClick=${() => rollback(r.number)}>${busy === r.number ? 'Rolling back…' : `Roll back to ${r.number}`}</button>` : ''}</td>
      </tr>`)}</tbody>
    </table></div>`}
  </section>`;
}

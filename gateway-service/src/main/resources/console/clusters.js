// Operators: the clusters apps run on. Import by pasting or uploading a kubeconfig, health at a
// glance, labels, a check on demand, delete.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { html, ErrorBox, Field, fieldErrors, Spinner, TypeToConfirm, bytes, when, useHeadingFocus } from './ui.js';

const REFRESH_MS = 5000;

function parseLabels(text) {
  const labels = {};
  for (const line of text.split(/[\n,]/)) {
    const t = line.trim();
    if (!t) continue;
    const at = t.indexOf('=');
    if (at < 0) labels[t] = '';
    else labels[t.slice(0, at).trim()] = t.slice(at + 1).trim();
  }
  return labels;
}

function labelText(labels) {
  return Object.entries(labels || {}).map(([k, v]) => `${k}=${v}`).join('\n');
}

// base64 of the UTF-8 bytes, in chunks (a kubeconfig may be 256 KiB)
function base64(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function Clusters() {
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const heading = useHeadingFocus('clusters');
  const load = () => api('GET', '/clusters?limit=100').then((p) => { setPage(p); setError(null); }, setError);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    load();
    // health arrives from the sync-worker's checks; the list follows without a reload
    const timer = setInterval(() => loadRef.current(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  return html`<section>
    <h1 tabindex="-1" ref=${heading}>Clusters</h1>
    <p class="lead">The Kubernetes clusters apps run on. A new user's first app goes to the healthy cluster with the most free CPU.</p>
    ${error ? html`<${ErrorBox} error=${error} retry=${load} />` : ''}
    ${!page && !error ? html`<${Spinner} label="Loading clusters…" />` : ''}
    ${page && page.items.length === 0 ? html`<p class="empty">No imported cluster yet: apps run on the built-in one. Import one below.</p>` : ''}
    ${page && page.items.length ? html`<div class="table-wrap"><table id="clusters">
      <thead><tr><th scope="col">Name</th><th scope="col">Health</th><th scope="col">Version</th><th scope="col">Nodes ready</th>
        <th scope="col">Capacity</th><th scope="col">Apps</th><th scope="col">Last heartbeat</th><th scope="col">Labels</th><th scope="col">Actions</th></tr></thead>
      <tbody>${page.items.map((c) => html`<${ClusterRow} key=${c.id} cluster=${c} reload=${load} />`)}</tbody>
    </table></div>` : ''}
    <${Import} onImported=${load} />
  </section>`;
}

function ClusterRow({ cluster: c, reload }) {
  const [mode, setMode] = useState(null);
  const [labels, setLabels] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [note, setNote] = useState(null);
  const run = async (fn, after) => {
    setBusy(true);
    setError(null);
    try { await fn(); if (after) after(); reload(); } catch (e) { setError(e); }
    setBusy(false);
  };
  return html`<tr data-cluster=${c.name}>
      <th scope="row">${c.name}${c.description ? html`<span class="sub">${c.description}</span>` : ''}
        <span class="sub mono">${c.api_server || ''}</span></th>
      <td><span class=${'status status-' + (c.status === 'healthy' ? 'running' : c.status === 'unhealthy' ? 'failed' : 'unknown')}>
        <span class="dot" aria-hidden="true"></span>${c.status}</span>
        ${c.last_error ? html`<span class="sub err">${c.last_error}</span>` : ''}</td>
      <td>${c.version || '—'}</td>
      <td>${c.nodes == null ? '—' : `${c.ready_nodes ?? '?'} of ${c.nodes}`}</td>
      <td>${c.cpu_cores == null ? '—' : `${c.cpu_cores} CPU, ${bytes(c.memory_bytes)}`}</td>
      <td>${c.app_count}</td>
      <td>${when(c.last_heartbeat)}</td>
      <td class="mono small">${Object.keys(c.labels || {}).length ? labelText(c.labels).split('\n').map((l) => html`<span class="tag">${l}</span>`) : '—'}</td>
      <td class="row-actions">
        <button type="button" class="secondary small" disabled=${busy} onClick=${() => run(() => api('POST', `/clusters/${c.id}/sync`), () => setNote('Check requested.'))}>Check now</button>
        <button type="button" class="secondary small" disabled=${busy} onClick=${() => { setLabels(labelText(c.labels)); setMode('labels'); }}>Edit labels</button>
        <button type="button" class="danger small" disabled=${busy} onClick=${() => setMode('delete')}>Delete…</button>
        ${note ? html`<span role="status" class="sub">${note}</span>` : ''}
        ${mode === 'labels' ? html`<form class="inline-form" onSubmit=${(e) => { e.preventDefault(); run(() => api('PATCH', `/clusters/${c.id}`, { body: { labels: parseLabels(labels) } }), () => setMode(null)); }}>
          <label for=${'labels-' + c.id}>Labels, one key=value per line</label>
          <textarea id=${'labels-' + c.id} rows="3" value=${labels} onInput=${(e) => setLabels(e.target.value)}></textarea>
          <div class="buttons"><button type="submit" class="small" disabled=${busy}>Save labels</button>
          <button type="button" class="secondary small" onClick=${() => setMode(null)}>Cancel</button></div>
        </form>` : ''}
        ${mode === 'delete' ? html`<${TypeToConfirm} id=${'delete-' + c.id} name=${c.name} action="Delete" busy=${busy}
          onConfirm=${() => run(() => api('DELETE', `/clusters/${c.id}`), () => setMode(null))} onCancel=${() => setMode(null)} />` : ''}
        <${ErrorBox} error=${error} />
      </td>
    </tr>`;
}

function Import({ onImported }) {
  const [form, setForm] = useState({ name: '', description: '', labels: '', kubeconfig: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const fields = error ? error.fields : [];
  const upload = (e) => {
    const file = e.target.files[0];
    if (file) file.text().then((kubeconfig) => setForm((f) => ({ ...f, kubeconfig })));
  };
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const body = { name: form.name.trim(), kubeconfig: base64(form.kubeconfig) };
      if (form.description.trim()) body.description = form.description.trim();
      if (form.labels.trim()) body.labels = parseLabels(form.labels);
      const c = await api('POST', '/clusters', { body });
      setDone(`Cluster ${c.name} imported; its first health check follows.`);
      setForm({ name: '', description: '', labels: '', kubeconfig: '' });
      onImported();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return html`<section aria-labelledby="import-title" class="import">
    <h2 id="import-title">Import a cluster</h2>
    <p class="hint">Astro checks the kubeconfig against the cluster, seals it and never shows it again. Its credentials must be embedded (no file paths, no exec plugins).</p>
    <form onSubmit=${submit} novalidate>
      <${Field} id="cluster-name" label="Name" hint="Lowercase letters, digits and -" errors=${fieldErrors(fields, 'name')}>
        ${(a) => html`<input ...${a} value=${form.name} onInput=${set('name')} autocomplete="off" spellcheck="false" />`}
      </${Field}>
      <${Field} id="cluster-description" label="Description (optional)" errors=${fieldErrors(fields, 'description')}>
        ${(a) => html`<input ...${a} value=${form.description} onInput=${set('description')} />`}
      </${Field}>
      <${Field} id="cluster-labels" label="Labels (optional)" hint="One key=value per line, e.g. region=eu" errors=${fieldErrors(fields, 'labels')}>
        ${(a) => html`<textarea ...${a} rows="2" value=${form.labels} onInput=${set('labels')} spellcheck="false"></textarea>`}
      </${Field}>
      <${Field} id="cluster-kubeconfig" label="Kubeconfig" hint="Paste it here, or choose the file below" errors=${fieldErrors(fields, 'kubeconfig')}>
        ${(a) => html`<textarea ...${a} rows="8" class="mono" value=${form.kubeconfig} onInput=${set('kubeconfig')} spellcheck="false"></textarea>`}
      </${Field}>
      <div class="field"><label for="cluster-file">Kubeconfig file</label>
        <input id="cluster-file" type="file" onChange=${upload} /></div>
      ${error && !fields.length ? html`<${ErrorBox} error=${error} />` : ''}
      ${done ? html`<p class="notice" role="status">${done}</p>` : ''}
      <button type="submit" disabled=${busy}>${busy ? 'Checking the cluster…' : 'Import cluster'}</button>
    </form>
  </section>`;
}

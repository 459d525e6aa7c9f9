// Create an app, or change one (id given): every field the apps API accepts, the API's reasons
// beside their fields. A create carries an Idempotency-Key, so retrying after a timeout never makes
// a second app.
import { useEffect, useState } from 'preact/hooks';
import { api, idempotencyKeyFor } from './api.js';
import { html, ErrorBox, Field, fieldErrors, Spinner, go, useHeadingFocus } from './ui.js';

const EMPTY_CHECK = { type: '', path: '/', port: '', initial_delay_seconds: '', period_seconds: '', timeout_seconds: '', failure_threshold: '' };

function blank(suggested) {
  return {
    name: '', image: suggested.get('image') || '', port: suggested.get('port') || '', replicas: '1', size: '', env: [], secrets: [],
    command: '', args: '', check: { ...EMPTY_CHECK }, image_pull_secret: '',
  };
}

// form fields from an app as the API answers it
function fromApp(app) {
  const hc = app.health_check;
  return {
    name: app.name, image: app.image, port: app.port == null ? '' : String(app.port),
    replicas: String(app.replicas), size: app.size,
    env: Object.entries(app.env || {}).map(([name, value]) => ({ name, value })),
    secrets: Object.keys(app.secrets || {}).map((name) => ({ name, value: '', existing: true })),
    command: (app.command || []).join('\n'), args: (app.args || []).join('\n'),
    check: hc ? Object.fromEntries(Object.keys(EMPTY_CHECK).map((k) => [k, hc[k] == null ? '' : String(hc[k])])) : { ...EMPTY_CHECK },
    image_pull_secret: app.image_pull_secret || '',
  };
}

// a number when it is one; otherwise the text as typed, so the API names what is wrong with it
function num(text) {
  const t = String(text).trim();
  if (t === '') return undefined;
  return /^-?\d+$/.test(t) ? parseInt(t, 10) : t;
}

function lines(text) {
  const l = text.split('\n').map((s) => s.trim()).filter(Boolean);
  return l.length ? l : null;
}

function check(c) {
  if (!c.type) return null;
  const out = { type: c.type, port: num(c.port) };
  if (c.type === 'http') out.path = c.path || '/';
  for (const k of ['initial_delay_seconds', 'period_seconds', 'timeout_seconds', 'failure_threshold']) {
    const v = num(c[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function vars(rows) {
  const out = {};
  for (const r of rows) if (r.name.trim()) out[r.name.trim()] = r.value;
  return out;
}

function createBody(f) {
  const body = { name: f.name.trim(), image: f.image.trim() };
  const port = num(f.port);
  if (port !== undefined) body.port = port;
  const replicas = num(f.replicas);
  if (replicas !== undefined) body.replicas = replicas;
  if (f.size) body.size = f.size;
  const env = vars(f.env);
  if (Object.keys(env).length) body.env = env;
  const secrets = vars(f.secrets);
  if (Object.keys(secrets).length) body.secrets = secrets;
  if (lines(f.command)) body.command = lines(f.command);
  if (lines(f.args)) body.args = lines(f.args);
  if (check(f.check)) body.health_check = check(f.check);
  if (f.image_pull_secret) body.image_pull_secret = f.image_pull_secret;
  return body;
}

// the JSON Merge Patch from the app as loaded to the form as it is now (null removes)
function patchBody(before, f) {
  const patch = {};
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (f.image.trim() !== before.image) patch.image = f.image.trim();
  const port = num(f.port) ?? null;
  if (!same(port, before.port)) patch.port = port;
  if (!same(num(f.replicas), before.replicas)) patch.replicas = num(f.replicas);
  if (f.size && f.size !== before.size) patch.size = f.size;
  const env = vars(f.env);
  const envPatch = {};
  for (const k of Object.keys(before.env || {})) if (!(k in env)) envPatch[k] = null;
  for (const [k, v] of Object.entries(env)) if ((before.env || {})[k] !== v) envPatch[k] = v;
  if (Object.keys(envPatch).length) patch.env = envPatch;
  const secretPatch = {};
  const kept = new Set(f.secrets.filter((r) => r.name.trim()).map((r) => r.name.trim()));
  for (const k of Object.keys(before.secrets || {})) if (!kept.has(k)) secretPatch[k] = null;
  for (const r of f.secrets) if (r.name.trim() && (!r.existing || r.value !== '')) secretPatch[r.name.trim()] = r.value;
  if (Object.keys(secretPatch).length) patch.secrets = secretPatch;
  if (!same(lines(f.command), before.command)) patch.command = lines(f.command);
  if (!same(lines(f.args), before.args)) patch.args = lines(f.args);
  const hc = check(f.check);
  const old = before.health_check;
  if (!same(hc, old && hc ? Object.fromEntries(Object.keys(hc).map((k) => [k, old[k]])) : old)) patch.health_check = hc;
  if ((f.image_pull_secret || null) !== (before.image_pull_secret || null)) patch.image_pull_secret = f.image_pull_secret || null;
  return patch;
}

export function AppForm({ id }) {
  const editing = !!id;
  // the empty apps list suggests a first image (#/new?image=...&port=...)
  const suggested = new URLSearchParams(location.hash.split('?')[1] || '');
  const [form, setForm] = useState(editing ? null : blank(suggested));
  const [before, setBefore] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [sizes, setSizes] = useState([]);
  const [registries, setRegistries] = useState([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [info, setInfo] = useState(null);
  const heading = useHeadingFocus(id || 'new');

  const load = () => {
    setLoadError(null);
    api('GET', '/apps/' + id).then((app) => { setBefore(app); setForm(fromApp(app)); }, setLoadError);
  };
  useEffect(() => {
    if (editing) load();
    api('GET', '/quota').then((q) => setSizes(q.sizes || []), () => {});
    api('GET', '/registries').then((r) => setRegistries(r.items || []), () => {});
  }, [id]);

  if (loadError) return html`<${ErrorBox} error=${loadError} retry=${load} />`;
  if (!form) return html`<${Spinner} label="Loading the app…" />`;

  const fields = error ? error.fields : [];
  const errs = (name) => fieldErrors(fields, name);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const setCheck = (k) => (e) => setForm({ ...form, check: { ...form.check, [k]: e.target.value } });

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setInfo(null);
    try {
      if (editing) {
        const patch = patchBody(before, form);
        if (!Object.keys(patch).length) { setInfo('Nothing changed.'); setBusy(false); return; }
        await api('PATCH', '/apps/' + id, { body: patch, headers: { 'Content-Type': 'application/merge-patch+json' } });
        go('#/apps/' + id);
      } else {
        const body = createBody(form);
        const app = await api('POST', '/apps', { body, headers: { 'Idempotency-Key': idempotencyKeyFor(body) } });
        go('#/apps/' + app.id);
      }
    } catch (err) {
      setError(err);
      setBusy(false);
      // the first field the API named gets the focus
      const first = err.fields && err.fields[0];
      if (first) setTimeout(() => {
        const el = document.getElementById(first.field.split(/[.[]/)[0].replace(/_/g, '-'));
        if (el) el.focus();
      }, 0);
    }
  };

  return html`<section class="form-page">
    <h1 tabindex="-1" ref=${heading}>${editing ? `Change ${form.name}` : 'New app'}</h1>
    <p class="lead">${editing
      ? 'A change of the image or settings is a new release, rolled out while the current one keeps serving.'
      : 'Only a name and an image are required; everything else has a sensible default.'}</p>
    <form onSubmit=${submit} novalidate>
      ${error && fields.length ? html`<div class="error" role="alert"><p>The app was not ${editing ? 'changed' : 'created'}:</p>
        <ul>${fields.map((f) => html`<li>${f.field}: ${f.reason}</li>`)}</ul></div>` : ''}
      ${error && !fields.length ? html`<${ErrorBox} error=${error} />` : ''}
      ${info ? html`<p class="notice" role="status">${info}</p>` : ''}
      <fieldset><legend>Basics</legend>
        ${editing ? '' : html`<${Field} id="name" label="Name" hint="Lowercase letters, digits and -, up to 40 characters; unique among your apps." errors=${errs('name')}>
          ${(a) => html`<input ...${a} value=${form.name} onInput=${set('name')} autocomplete="off" spellcheck="false" required maxlength="40" />`}
        </${Field}>`}
        <${Field} id="image" label="Image" hint="A container image, e.g. nginx:1.27 or ghcr.io/acme/api:1.0" errors=${errs('image')}>
          ${(a) => html`<input ...${a} value=${form.image} onInput=${set('image')} autocomplete="off" spellcheck="false" required />`}
        </${Field}>
        <div class="row">
          <${Field} id="port" label="Port (optional)" hint="The port the container listens on, 1–65535" errors=${errs('port')}>
            ${(a) => html`<input ...${a} inputmode="numeric" value=${form.port} onInput=${set('port')} />`}
          </${Field}>
          <${Field} id="replicas" label="Replicas" hint="0–10 copies" errors=${errs('replicas')}>
            ${(a) => html`<input ...${a} inputmode="numeric" value=${form.replicas} onInput=${set('replicas')} />`}
          </${Field}>
          <${Field} id="size" label="Size" hint="CPU and memory each replica may use" errors=${errs('size')}>
            ${(a) => html`<select ...${a} value=${form.size} onChange=${set('size')}>
              <option value="">${editing ? form.size : 'standard (default)'}</option>
              ${sizes.filter((s) => s.name !== form.size).map((s) => html`<option value=${s.name}>${s.name} — ${s.cpu_limit} CPU, ${s.memory_limit}</option>`)}
            </select>`}
          </${Field}>
        </div>
      </fieldset>
      <${Vars} kind="env" title="Environment variables" rows=${form.env} errors=${errs('env')}
        onChange=${(env) => setForm({ ...form, env })} />
      <${Vars} kind="secrets" title="Secrets" secret rows=${form.secrets} errors=${errs('secrets')}
        onChange=${(secrets) => setForm({ ...form, secrets })} />
      <fieldset><legend>Health check (optional)</legend>
        <div class="row">
          <${Field} id="health-check" label="Type" errors=${errs('health_check')}>
            ${(a) => html`<select ...${a} value=${form.check.type} onChange=${setCheck('type')}>
              <option value="">none</option><option value="http">HTTP GET</option><option value="tcp">TCP connect</option>
            </select>`}
          </${Field}>
          ${form.check.type === 'http' ? html`<${Field} id="hc-path" label="Path">
            ${(a) => html`<input ...${a} value=${form.check.path} onInput=${setCheck('path')} />`}</${Field}>` : ''}
          ${form.check.type ? html`<${Field} id="hc-port" label="Port">
            ${(a) => html`<input ...${a} inputmode="numeric" value=${form.check.port} onInput=${setCheck('port')} />`}</${Field}>` : ''}
        </div>
        ${form.check.type ? html`<div class="row">
          <${Field} id="hc-delay" label="Initial delay (s)">${(a) => html`<input ...${a} inputmode="numeric" placeholder="0" value=${form.check.initial_delay_seconds} onInput=${setCheck('initial_delay_seconds')} />`}</${Field}>
          <${Field} id="hc-period" label="Period (s)">${(a) => html`<input ...${a} inputmode="numeric" placeholder="10" value=${form.check.period_seconds} onInput=${setCheck('period_seconds')} />`}</${Field}>
          <${Field} id="hc-timeout" label="Timeout (s)">${(a) => html`<input ...${a} inputmode="numeric" placeholder="1" value=${form.check.timeout_seconds} onInput=${setCheck('timeout_seconds')} />`}</${Field}>
          <${Field} id="hc-failures" label="Failures before restart">${(a) => html`<input ...${a} inputmode="numeric" placeholder="3" value=${form.check.failure_threshold} onInput=${setCheck('failure_threshold')} />`}</${Field}>
        </div>` : ''}
      </fieldset>
      <details open=${!!(form.command || form.args || form.image_pull_secret)}>
        <summary>Advanced: command, arguments, private registry</summary>
        <${Field} id="command" label="Command (replaces the image's entrypoint)" hint="One item per line" errors=${errs('command')}>
          ${(a) => html`<textarea ...${a} rows="2" value=${form.command} onInput=${set('command')} spellcheck="false"></textarea>`}
        </${Field}>
        <${Field} id="args" label="Arguments" hint="One item per line" errors=${errs('args')}>
          ${(a) => html`<textarea ...${a} rows="2" value=${form.args} onInput=${set('args')} spellcheck="false"></textarea>`}
        </${Field}>
        <${Field} id="image-pull-secret" label="Registry credentials" hint="For an image from a private registry" errors=${errs('image_pull_secret')}>
          ${(a) => html`<select ...${a} value=${form.image_pull_secret} onChange=${set('image_pull_secret')}>
            <option value="">none (public image)</option>
            ${registries.map((r) => html`<option value=${r.name}>${r.name} (${r.server})</option>`)}
          </select>`}
        </${Field}>
      </details>
      <div class="buttons">
        <button type="submit" disabled=${busy}>${busy ? (editing ? 'Saving…' : 'Creating…') : editing ? 'Save and roll out' : 'Create app'}</button>
        <a class="button secondary" href=${editing ? '#/apps/' + id : '#/apps'}>Cancel</a>
      </div>
    </form>
  </section>`;
}

// NAME = value rows for env or secrets
function Vars({ kind, title, secret, rows, errors, onChange }) {
  const update = (i, k) => (e) => onChange(rows.map((r, j) => (j === i ? { ...r, [k]: e.target.value } : r)));
  return html`<fieldset class=${errors.length ? 'invalid' : ''} aria-describedby=${errors.length ? kind + '-error' : undefined}>
    <legend>${title}</legend>
    ${secret ? html`<p class="hint">Values are sealed before they are stored and never shown again.${rows.some((r) => r.existing) ? ' Leave a value empty to keep it.' : ''}</p>` : ''}
    ${rows.map((r, i) => html`<div class="row var" key=${i}>
      <div class="field"><label for=${`${kind}-name-${i}`}>Name</label>
        <input id=${`${kind}-name-${i}`} value=${r.name} onInput=${update(i, 'name')} spellcheck="false" autocomplete="off" /></div>
      <div class="field"><label for=${`${kind}-value-${i}`}>Value</label>
        <input id=${`${kind}-value-${i}`} type=${secret ? 'password' : 'text'} value=${r.value}
          placeholder=${r.existing ? 'unchanged' : ''} onInput=${update(i, 'value')} autocomplete="off" spellcheck="false" /></div>
      <button type="button" class="secondary remove" aria-label=${`Remove ${r.name || 'this variable'}`}
        onClick=${() => onChange(rows.filter((_, j) => j !== i))}>Remove</button>
    </div>`)}
    <button type="button" class="secondary" id=${kind} onClick=${() => onChange([...rows, { name: '', value: '' }])}>Add ${secret ? 'a secret' : 'a variable'}</button>
    ${errors.length ? html`<p class="field-error" id=${kind + '-error'}>${errors.join('; ')}</p>` : ''}
  </fieldset>`;
}

// Small shared pieces: status badges, errors, spinners, form fields, times.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

// What each status means, in words (shown beside its colour, never colour alone)
export const STATUS_HINT = {
  pending: 'accepted, waiting to be deployed',
  starting: 'pods are starting',
  running: 'all replicas ready',
  stopped: 'stopped on request, no pods',
  restarting: 'rolling restart in progress',
  updating: 'a new release is rolling out',
  failed: 'not running, see the reason',
  deleting: 'being removed',
  unknown: 'the cluster does not answer',
  suspended: 'the account is suspended',
};

export function Status({ status, reason }) {
  return html`<span class="status status-${status}" title=${STATUS_HINT[status] || ''}>
    <span class="dot" aria-hidden="true"></span>${status}${reason ? html`<span class="reason"> · ${reason}</span>` : ''}
  </span>`;
}

export function Spinner({ label = 'Loading…' }) {
  return html`<p class="spinner" role="status"><span class="spin" aria-hidden="true"></span>${label}</p>`;
}

// An error in words, with a retry when the caller can try again
export function ErrorBox({ error, retry }) {
  if (!error) return null;
  return html`<div class="error" role="alert">
    <p>${error.message || String(error)}</p>
    ${retry ? html`<button type="button" class="secondary" onClick=${retry}>Try again</button>` : ''}
  </div>`;
}

// The reasons the API gave for one field (exact name or below it: env.FOO belongs to env)
export function fieldErrors(fields, name) {
  return fields
    .filter((f) => f.field === name || f.field.startsWith(name + '.') || f.field.startsWith(name + '['))
    .map((f) => (f.field === name ? f.reason : `${f.field}: ${f.reason}`));
}

// A labelled input with its hint and its errors tied to it for assistive technology
export function Field({ id, label, hint, errors = [], children }) {
  const described = [hint ? id + '-hint' : '', errors.length ? id + '-error' : ''].filter(Boolean).join(' ');
  return html`<div class=${'field' + (errors.length ? ' invalid' : '')}>
    <label for=${id}>${label}</label>
    ${children({ id, 'aria-describedby': described || undefined, 'aria-invalid': errors.length ? 'true' : undefined })}
    ${hint ? html`<p class="hint" id=${id + '-hint'}>${hint}</p>` : ''}
    ${errors.length ? html`<p class="field-error" id=${id + '-error'}>${errors.join('; ')}</p>` : ''}
  </div>`;
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  let rel;
  if (s < 5) rel = 'just now';
  else if (s < 60) rel = `${s} s ago`;
  else if (s < 3600) rel = `${Math.floor(s / 60)} min ago`;
  else if (s < 86400) rel = `${Math.floor(s / 3600)} h ago`;
  else rel = `${Math.floor(s / 86400)} d ago`;
  return html`<time datetime=${iso} title=${d.toLocaleString()}>${rel}</time>`;
}

// Moves focus to the page's heading when a screen opens, so keyboard and screen reader users
// land on the new content
export function useHeadingFocus(dep) {
  const ref = useRef(null);
  useEffect(() => { if (ref.current) ref.current.focus(); }, [dep]);
  return ref;
}

export function go(hash) {
  location.hash = hash;
}

export function bytes(n) {
  if (n == null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(n < 10 && i ? 1 : 0)} ${units[i]}`;
}

// Confirmation by typing a name: the button works only once the name is typed exactly
export function TypeToConfirm({ id, name, action, busy, onConfirm, onCancel }) {
  const [typed, setTyped] = useState('');
  const submit = (e) => {
    e.preventDefault();
    if (typed === name) onConfirm();
  };
  return html`<form class="confirm" onSubmit=${submit} aria-labelledby=${id + '-title'}>
    <p id=${id + '-title'}><strong>${action} ${name}?</strong> This cannot be undone.</p>
    <label for=${id}>Type <code>${name}</code> to confirm</label>
    <input id=${id} value=${typed} onInput=${(e) => setTyped(e.target.value)}
      ref=${(el) => { if (el && !el.dataset.focused) { el.dataset.focused = '1'; el.focus(); } }}
      autocomplete="off" spellcheck="false" />
    <div class="buttons">
      <button type="submit" class="danger" disabled=${busy || typed !== name}>${busy ? 'Working…' : action}</button>
      <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

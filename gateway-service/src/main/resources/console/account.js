// The signed-in user's profile and what their apps use of their quota.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { html, ErrorBox, Spinner, bytes, when, useHeadingFocus } from './ui.js';

function Usage({ id, label, used, limit, text }) {
  return html`<div class="usage">
    <label for=${id}>${label}</label>
    <meter id=${id} min="0" max=${limit || 1} value=${used} high=${(limit || 1) * 0.8}>${text}</meter>
    <span>${text}</span>
  </div>`;
}

export function Account({ me }) {
  const [quota, setQuota] = useState(null);
  const [error, setError] = useState(null);
  const heading = useHeadingFocus('account');
  const load = () => { setError(null); api('GET', '/quota').then(setQuota, setError); };
  useEffect(load, []);

  return html`<section>
    <h1 tabindex="-1" ref=${heading}>Account</h1>
    <h2>Profile</h2>
    <dl class="facts">
      <div><dt>Username</dt><dd>${me.username}</dd></div>
      <div><dt>Email</dt><dd>${me.email}</dd></div>
      <div><dt>Role</dt><dd>${me.role === 'admin' ? 'operator (admin)' : 'user'}</dd></div>
      <div><dt>Member since</dt><dd>${when(me.created_at)}</dd></div>
    </dl>
    <h2>Quota and usage</h2>
    <p class="hint">CPU, memory and pods count what your running apps request (replicas × their size).</p>
    ${error ? html`<${ErrorBox} error=${error} retry=${load} />` : ''}
    ${!quota && !error ? html`<${Spinner} label="Loading your quota…" />` : ''}
    ${quota ? html`<div class="usages">
      <${Usage} id="q-apps" label="Apps" used=${quota.apps.used} limit=${quota.apps.limit} text=${`${quota.apps.used} of ${quota.apps.limit}`} />
      <${Usage} id="q-cpu" label="CPU" used=${quota.cpu.requested_millicores} limit=${quota.cpu.limit_millicores}
        text=${`${quota.cpu.requested} of ${quota.cpu.limit}`} />
      <${Usage} id="q-memory" label="Memory" used=${quota.memory.requested_bytes} limit=${quota.memory.limit_bytes}
        text=${`${bytes(quota.memory.requested_bytes)} of ${bytes(quota.memory.limit_bytes)}`} />
      <${Usage} id="q-pods" label="Pods" used=${quota.pods.used} limit=${quota.pods.limit} text=${`${quota.pods.used} of ${quota.pods.limit}`} />
    </div>
    <h2>Sizes you can pick</h2>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Size</th><th scope="col">CPU (request / limit)</th><th scope="col">Memory (request / limit)</th></tr></thead>
      <tbody>${quota.sizes.map((s) => html`<tr key=${s.name}><th scope="row">${s.name}</th>
        <td>${s.cpu_request} / ${s.cpu_limit}</td><td>${s.memory_request} / ${s.memory_limit}</td></tr>`)}</tbody>
    </table></div>` : ''}
  </section>`;
}

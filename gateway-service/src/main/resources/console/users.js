// Operators: the accounts, with their number of apps; search, filter by status, disable and enable
// (a disabled account's apps are suspended, and restored when it is enabled).
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { html, ErrorBox, Spinner, when, useHeadingFocus } from './ui.js';

const LIMIT = 20;

export function Users({ me }) {
  const [query, setQuery] = useState({ search: '', status: '', page: 1 });
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const heading = useHeadingFocus('users');
  const load = () => {
    const params = new URLSearchParams({ page: query.page, limit: LIMIT });
    if (query.search) params.set('search', query.search);
    if (query.status) params.set('status', query.status);
    return api('GET', '/admin/users?' + params).then((p) => { setPage(p); setError(null); }, setError);
  };
  useEffect(() => { load(); }, [query]);
  const pages = page ? Math.max(1, Math.ceil(page.total / LIMIT)) : 1;

  return html`<section>
    <h1 tabindex="-1" ref=${heading}>Users</h1>
    <p class="lead">Every account. Disabling one refuses its tokens and suspends its apps; enabling restores them.</p>
    <form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
      <label>Search <input id="user-search" type="search" value=${query.search}
        onInput=${(e) => setQuery({ ...query, search: e.target.value, page: 1 })} /></label>
      <label>Status <select id="user-status" value=${query.status}
        onChange=${(e) => setQuery({ ...query, status: e.target.value, page: 1 })}>
        <option value="">all</option><option value="active">active</option><option value="disabled">disabled</option>
      </select></label>
    </form>
    ${error ? html`<${ErrorBox} error=${error} retry=${load} />` : ''}
    ${!page && !error ? html`<${Spinner} label="Loading users…" />` : ''}
    ${page && page.items.length === 0 ? html`<p class="empty">No account matches.</p>` : ''}
    ${page && page.items.length ? html`<div class="table-wrap"><table id="users">
      <thead><tr><th scope="col">Username</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th>
        <th scope="col">Apps</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
      <tbody>${page.items.map((u) => html`<${UserRow} key=${u.uuid} user=${u} self=${u.username === me.username} reload=${load} />`)}</tbody>
    </table></div>
    <nav class="pager" aria-label="Pages">
      <button type="button" class="secondary" disabled=${query.page <= 1} onClick=${() => setQuery({ ...query, page: query.page - 1 })}>Previous</button>
      <span>Page ${query.page} of ${pages} · ${page.total} account${page.total === 1 ? '' : 's'}</span>
      <button type="button" class="secondary" disabled=${query.page >= pages} onClick=${() => setQuery({ ...query, page: query.page + 1 })}>Next</button>
    </nav>` : ''}
  </section>`;
}

function UserRow({ user: u, self, reload }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const disable = u.status === 'active';
  const label = disable ? 'Disable' : 'Enable';
  const act = async () => {
    setBusy(true);
    setError(null);
    try { await api('POST', `/admin/users/${u.uuid}/${disable ? 'disable' : 'enable'}`, {}); reload(); } catch (e) { setError(e); }
    setBusy(false);
  };
  return html`<tr data-user=${u.username}>
    <th scope="row">${u.username}</th>
    <td>${u.email}</td>
    <td>${u.role}</td>
    <td><span class=${'status status-' + (disable ? 'running' : 'stopped')}><span class="dot" aria-hidden="true"></span>${u.status}</span></td>
    <td>${u.app_count == null ? '—' : u.app_count}</td>
    <td>${when(u.created_at)}</td>
    <td>${self ? html`<span class="sub">you</span>` : html`<button type="button" class="secondary" disabled=${busy}
        aria-label=${`${label} ${u.username}`} onClick=${act}>${label}</button>`}
      ${error ? html`<${ErrorBox} error=${error} />` : ''}</td>
  </tr>`;
}

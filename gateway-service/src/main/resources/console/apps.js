// The apps list: status live on screen, filter, search, pages; the first app is one click away.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { watchApps, isAppChange } from './live.js';
import { html, ErrorBox, Spinner, Status, when, useHeadingFocus } from './ui.js';

const LIMIT = 10;
// the statuses the list can be filtered by
const STATUSES = ['pending', 'starting', 'running', 'stopped', 'restarting', 'updating', 'failed', 'deleting', 'suspended', 'unknown'];

// Where an app answers inside its cluster, when it serves a port (its public URL, when it has one,
// is shown instead in the list)
export function address(app) {
  return app.port ? `http://${app.k8s_name}.${app.namespace}.svc:${app.port}` : null;
}

export function AppList() {
  const [query, setQuery] = useState({ status: '', search: '', page: 1 });
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const heading = useHeadingFocus('apps');
  const latest = useRef(query);
  latest.current = query;

  const load = async (q = latest.current) => {
    const params = new URLSearchParams({ page: q.page, limit: LIMIT });
    if (q.status) params.set('status', q.status);
    if (q.search) params.set('search', q.search);
    try {
      const data = await api('GET', '/apps?' + params);
      if (q === latest.current) { setPage(data); setError(null); }
    } catch (e) {
      if (q === latest.current) setError(e);
    }
  };

  useEffect(() => { load(query); }, [query]);
  useEffect(() => watchApps({
    poll: () => load(),
    onEvent: (data) => {
      if (!isAppChange(data)) { load(); return; }
      setPage((p) => {
        const at = p ? p.items.findIndex((a) => a.id === data.id) : -1;
        const filtered = latest.current.status && latest.current.status !== data.status;
        // a deleted app leaves the list (and the pages and total shift): ask for the page again
        if (at < 0 || filtered || data.status === 'deleted') { load(); return p; }
        const items = p.items.slice();
        items[at] = { ...items[at], ...data };
        return { ...p, items };
      });
    },
  }), []);

  const pages = page ? Math.max(1, Math.ceil(page.total / page.limit)) : 1;
  const filtering = query.status || query.search;
  return html`<section>
    <div class="title-row">
      <h1 tabindex="-1" ref=${heading}>Your apps</h1>
      <a class="button" href="#/new">New app</a>
    </div>
    <form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
      <div class="field inline">
        <label for="search">Search by name</label>
        <input id="search" type="search" value=${query.search} maxlength="40"
          onInput=${(e) => setQuery({ ...query, search: e.target.value.trim(), page: 1 })} />
      </div>
      <div class="field inline">
        <label for="status-filter">Status</label>
        <select id="status-filter" value=${query.status} onChange=${(e) => setQuery({ ...query, status: e.target.value, page: 1 })}>
          <option value="">any</option>
          ${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}
        </select>
      </div>
    </form>
    ${error ? html`<${ErrorBox} error=${error} retry=${() => load()} />` : ''}
    ${!page && !error ? html`<${Spinner} label="Loading your apps…" />` : ''}
    ${page && page.total === 0 && !filtering ? html`<${FirstApp} />` : ''}
    ${page && page.total === 0 && filtering ? html`<p class="empty">No app matches this filter.</p>` : ''}
    ${page && page.items.length ? html`<div class="table-wrap"><table class="apps">
      <caption class="sr-only">Your apps, newest first; statuses update live</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Image</th><th scope="col">Status</th>
        <th scope="col">Ready</th><th scope="col">Address</th><th scope="col">Updated</th></tr></thead>
      <tbody>${page.items.map((app) => html`<tr key=${app.id} data-app=${app.name}>
        <th scope="row"><a href=${'#/apps/' + app.id}>${app.name}</a></th>
        <td class="mono">${app.image}</td>
        <td><${Status} status=${app.status} reason=${app.reason} /></td>
        <td>${app.ready_replicas ?? 0}/${app.stopped ? 0 : app.replicas}</td>
        <td class="mono small">${app.url ? html`<a href=${app.url}>${app.url}</a>` : address(app) || '—'}</td>
        <td>${when(app.updated_at)}</td>
      </tr>`)}</tbody>
    </table></div>` : ''}
    ${page && pages > 1 ? html`<nav class="pager" aria-label="Pages">
      <button type="button" class="secondary" disabled=${query.page <= 1} onClick=${() => setQuery({ ...query, page: query.page - 1 })}>Previous</button>
      <span>Page ${query.page} of ${pages} (${page.total} apps)</span>
      <button type="button" class="secondary" disabled=${query.page >= pages} onClick=${() => setQuery({ ...query, page: query.page + 1 })}>Next</button>
    </nav>` : ''}
  </section>`;
}

function FirstApp() {
  return html`<div class="empty-state">
    <h2>Deploy your first app</h2>
    <p>An app is a container image Astro runs for you: give it a name and an image, and it is running in
      seconds. Not sure what to try? <code>nginx:1.27</code> is a small web server that serves a welcome page on port 80.</p>
    <a class="button" href="#/new?image=nginx:1.27&port=80">Create an app with nginx:1.27</a>
  </div>`;
}

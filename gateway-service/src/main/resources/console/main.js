// The console's shell: session, navigation and the screen for the address (#/...).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, session, setSession, whenExpired } from './api.js';
import { html, ErrorBox, Spinner } from './ui.js';
import { SignIn } from './signin.js';
import { AppList } from './apps.js';
import { AppForm } from './appform.js';
import { AppDetail } from './detail.js';
import { Account } from './account.js';
import { Clusters } from './clusters.js';
import { Users } from './users.js';

function route() {
  const path = location.hash.replace(/^#/, '').split('?')[0] || '/apps';
  const parts = path.split('/').filter(Boolean);
  return { path, parts };
}

function Shell() {
  const [where, setWhere] = useState(route());
  const [signedIn, setSignedIn] = useState(!!session());
  const [me, setMe] = useState(null);
  const [meError, setMeError] = useState(null);
  const [notice, setNotice] = useState(null);

  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener('hashchange', onHash);
    whenExpired((message) => {
      setSignedIn(false);
      setMe(null);
      setNotice(message);
      location.hash = '#/signin';
    });
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const loadMe = () => {
    setMeError(null);
    api('GET', '/users/me').then(setMe, (e) => { if (e.status !== 401) setMeError(e); });
  };
  useEffect(() => { if (signedIn) loadMe(); }, [signedIn]);

  const signedInAs = (s) => {
    setSession(s);
    setNotice(null);
    setSignedIn(true);
    location.hash = '#/apps';
  };
  const signOut = () => {
    setSession(null);
    setSignedIn(false);
    setMe(null);
    setNotice('You are signed out.');
    location.hash = '#/signin';
  };

  const [first, second, third] = where.parts;
  if (!signedIn) {
    return html`<${Frame}>
      <${SignIn} mode=${first === 'signup' ? 'signup' : 'signin'} notice=${notice} onSignedIn=${signedInAs} />
    </${Frame}>`;
  }
  if (!me) {
    return html`<${Frame}>${meError ? html`<${ErrorBox} error=${meError} retry=${loadMe} />` : html`<${Spinner} />`}</${Frame}>`;
  }
  let screen;
  if (first === 'new') screen = html`<${AppForm} />`;
  else if (first === 'apps' && second && third === 'edit') screen = html`<${AppForm} id=${second} />`;
  else if (first === 'apps' && second) screen = html`<${AppDetail} id=${second} key=${second} />`;
  else if (first === 'account') screen = html`<${Account} me=${me} />`;
  else if (first === 'clusters' && me.role === 'admin') screen = html`<${Clusters} />`;
  else if (first === 'users' && me.role === 'admin') screen = html`<${Users} me=${me} />`;
  else screen = html`<${AppList} />`;
  const current = first === 'apps' && !second ? 'apps' : first;
  return html`<${Frame} me=${me} current=${current} onSignOut=${signOut}>${screen}</${Frame}>`;
}

function Frame({ me, current, onSignOut, children }) {
  const link = (hash, name, label) => html`<li><a href=${hash} aria-current=${current === name ? 'page' : undefined}>${label}</a></li>`;
  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>Skip to content</a>
    <header class="top">
      <a class="brand" href="#/apps"><img src=${new URL('icon.svg', import.meta.url).href} alt="" width="24" height="24" />Astro</a>
      ${me ? html`<nav aria-label="Main">
        <ul>
          ${link('#/apps', 'apps', 'Apps')}
          ${link('#/new', 'new', 'New app')}
          ${link('#/account', 'account', 'Account')}
          ${me.role === 'admin' ? link('#/clusters', 'clusters', 'Clusters') : ''}
          ${me.role === 'admin' ? link('#/users', 'users', 'Users') : ''}
        </ul>
        <span class="who">${me.username}</span>
        <button type="button" class="secondary" onClick=${onSignOut}>Sign out</button>
      </nav>` : ''}
    </header>
    <main id="main" tabindex="-1">${children}</main>`;
}

const root = document.getElementById('root');
// the "Loading" text the page shows until this module runs
root.textContent = '';
render(html`<${Shell} />`, root);

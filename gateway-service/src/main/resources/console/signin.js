// Sign in and sign up.
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { html, ErrorBox, Field, fieldErrors, useHeadingFocus } from './ui.js';

export function SignIn({ mode, notice, onSignedIn }) {
  const signup = mode === 'signup';
  const [form, setForm] = useState({ username: '', email: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const heading = useHeadingFocus(mode);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const fields = error ? error.fields : [];

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (signup) await api('POST', '/register', { body: form });
      const token = await api('POST', '/login', { body: { username: form.username, password: form.password } });
      onSignedIn(token);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return html`<section class="narrow">
    <h1 tabindex="-1" ref=${heading}>${signup ? 'Create your Astro account' : 'Sign in to Astro'}</h1>
    <p class="lead">${signup
      ? 'Run a container image in a minute: pick a name, an image, and Astro does the rest.'
      : 'Run container images without writing YAML, and read their logs here.'}</p>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
    <form onSubmit=${submit} novalidate>
      <${Field} id="username" label=${signup ? 'Username' : 'Username or email'}
        hint=${signup ? '3–20 letters, digits, - or _' : ''} errors=${fieldErrors(fields, 'username')}>
        ${(a) => html`<input ...${a} value=${form.username} onInput=${set('username')} autocomplete="username" required />`}
      </${Field}>
      ${signup ? html`<${Field} id="email" label="Email" errors=${fieldErrors(fields, 'email')}>
        ${(a) => html`<input ...${a} type="email" value=${form.email} onInput=${set('email')} autocomplete="email" required />`}
      </${Field}>` : ''}
      <${Field} id="password" label="Password" hint=${signup ? 'At least 8 characters' : ''} errors=${fieldErrors(fields, 'password')}>
        ${(a) => html`<input ...${a} type="password" value=${form.password} onInput=${set('password')}
          autocomplete=${signup ? 'new-password' : 'current-password'} required />`}
      </${Field}>
      ${error && !fields.length ? html`<${ErrorBox} error=${error} />` : ''}
      ${error && fields.length ? html`<p class="field-error" role="alert">Please correct the fields marked above.</p>` : ''}
      <button type="submit" disabled=${busy}>${busy ? 'Please wait…' : signup ? 'Create account' : 'Sign in'}</button>
    </form>
    <p class="switch">${signup
      ? html`Already have an account? <a href="#/signin">Sign in</a>`
      : html`New to Astro? <a href="#/signup">Create an account</a>`}</p>
  </section>`;
}

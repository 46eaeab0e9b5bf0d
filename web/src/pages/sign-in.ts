import { signIn } from '../api.js';
import { h } from '../dom.js';

export function renderSignIn(root: HTMLElement, onDone: () => void): void {
  const user = h('input', {
    id: 'username',
    name: 'username',
    autocomplete: 'username',
    required: true,
  });
  const pass = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to Sonoteca'),
    h('label', { for: 'username' }, 'Username'),
    user,
    h('label', { for: 'password' }, 'Password'),
    pass,
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = '';
    signIn(user.value, pass.value).then(onDone, (err: Error) => {
      error.textContent = `Sign-in failed: ${err.message}`;
    });
  });
  root.replaceChildren(form);
  user.focus();
}

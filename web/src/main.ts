/** The archivists' page: a hash router over the pages; every call goes to the public /api/v1. */
import { currentSession, signOut } from './api.js';
import { renderAccuracy } from './pages/accuracy.js';
import { renderCollection } from './pages/collection.js';
import { renderQueue } from './pages/queue.js';
import { renderRecording } from './pages/recording.js';
import { renderSignIn } from './pages/sign-in.js';

const app = document.getElementById('app')!;
const nav = document.getElementById('nav')!;
let cleanup: (() => void) | undefined;

function route(): void {
  cleanup?.();
  cleanup = undefined;
  const session = currentSession();
  const hash = location.hash || '#/collection';
  nav.hidden = session === null;
  document.getElementById('who')!.textContent = session
    ? `${session.username} (${session.role})`
    : '';
  if (session === null) {
    renderSignIn(app, () => {
      location.hash = '#/collection';
      route();
    });
    return;
  }
  for (const a of nav.querySelectorAll('a'))
    a.toggleAttribute('aria-current', hash.startsWith(a.getAttribute('href')!));
  const rec = /^#\/recording\/([A-Za-z0-9_-]+)$/.exec(hash);
  if (rec) cleanup = renderRecording(app, rec[1]!);
  else if (hash === '#/queue') renderQueue(app);
  else if (hash === '#/accuracy') renderAccuracy(app);
  else cleanup = renderCollection(app);
  app.focus();
}

document.getElementById('sign-out')!.addEventListener('click', () => {
  signOut();
  location.hash = '#/sign-in';
  route();
});
window.addEventListener('hashchange', route);
route();

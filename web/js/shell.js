// @ts-check
/**
 * The shell shared by every page: the header, the navigation and the footer are built here,
 * in one place. Each page holds only placeholders (<header class="site-header" data-chrome>,
 * <nav id="site-nav" class="site-nav" data-chrome>, <footer class="site-footer" data-chrome>),
 * sized in styles.css so nothing moves when they are filled.
 *
 * The office's name and help email come from the API (GET /api/settings, see settings.js):
 * at once from this session's copy, or neutral words first and the real ones when they arrive.
 *
 * Whether the visitor is signed in is only a hint kept in localStorage (set on sign-in,
 * cleared on sign-out or when the API answers 401), so pages that do not need the session
 * do not call the API. Pages that do (My Portal) correct it with the real answer.
 *
 * The coordinators' links (Admin, Board reports, Requirement sets, Learners, Late requests, Import) work the same way: shown when the last profile seen had role "admin"
 * (a hint for the navigation only; the API answers 403 to anyone else).
 */
import { api } from './api.js';
import { cachedSettings, loadSettings } from './settings.js';

export const PORTAL_NAME = 'CME Portal';

const HINT_KEY = 'cme.signedIn';
const ROLE_KEY = 'cme.role';

const ADMIN_PAGES = ['/admin.html', '/admin-activity.html', '/admin-attendance.html', '/admin-claims.html', '/admin-qr.html'];

/** The navigation: [href, text, shown when ('signed-out' | 'signed-in' | 'admin' | undefined: always), pages it is current on]. */
const NAV = [
  ['/index.html', 'About', undefined, ['/', '/index.html']],
  ['/sign-in.html', 'Sign In', 'signed-out'],
  ['/portal.html', 'My Portal'],
  ['/transcript.html', 'My Transcript'],
  ['/outside-credit.html', 'Outside credit', 'signed-in'],
  ['/admin.html', 'Admin', 'admin', ADMIN_PAGES],
  ['/admin-reports.html', 'Board reports', 'admin'],
  ['/admin-requirements.html', 'Requirement sets', 'admin'],
  ['/admin-learners.html', 'Learners', 'admin'],
  ['/admin-late-claims.html', 'Late requests', 'admin'],
  ['/admin-imports.html', 'Import', 'admin'],
];

/** A small element builder: h('a', {href: '/'}, 'text', child); the one every page builds with. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined || value === null) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children);
  return element;
}

function currentPath() {
  const path = window.location.pathname.replace(/\/+$/, '');
  return path === '' ? '/' : path;
}

function buildHeader(header) {
  header.replaceChildren(
    h(
      'div',
      { class: 'site-header__inner' },
      h(
        'a',
        { class: 'brand', href: '/index.html' },
        h('img', {
          class: 'brand__mark', src: '/favicon.svg', alt: '', width: 40, height: 40,
        }),
        h(
          'span',
          { class: 'brand__text' },
          h('span', { class: 'brand__office', 'data-setting': 'office_name' }, '\u00a0'),
          h('span', { class: 'brand__portal' }, PORTAL_NAME),
        ),
      ),
      h(
        'button',
        {
          type: 'button', class: 'menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'site-nav',
        },
        h('span', { class: 'menu-toggle__icon', 'aria-hidden': 'true' }),
        'Menu',
      ),
    ),
  );
}

function buildNav(nav) {
  const here = currentPath();
  const items = NAV.map(([href, text, when, pages = [href]]) => {
    const current = pages.includes(here) ? 'page' : undefined;
    return h(
      'li',
      { 'data-when': when, hidden: when === 'admin' || when === 'signed-in' },
      h('a', { href, 'aria-current': current }, text),
    );
  });
  items.push(
    h(
      'li',
      { 'data-when': 'signed-in', hidden: true },
      h('button', { type: 'button', class: 'nav-button', 'data-action': 'sign-out' }, 'Sign Out'),
    ),
  );
  nav.replaceChildren(h('ul', {}, ...items));
}

function buildFooter(footer) {
  const verify = '/verify.html';
  footer.replaceChildren(
    h(
      'p',
      {},
      'Need Help? Contact the CME office',
      // its line is kept (unseen) until the address arrives, so the footer does not move then
      h('span', { class: 'site-footer__help', 'data-setting': 'help_email' }, ' at ', h('a', { class: 'site-footer__email' })),
    ),
    h('p', {}, h('a', { href: verify, 'aria-current': currentPath() === verify ? 'page' : undefined }, 'Verify a certificate')),
  );
}

/** Show the office's settings in the chrome (null: keep the neutral words). */
function applySettings(settings) {
  if (!settings) return;
  for (const element of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-setting="office_name"]'))) {
    element.textContent = settings.office_name || '\u00a0';
  }
  for (const element of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-setting="help_email"]'))) {
    const link = element.querySelector('a');
    if (!settings.help_email || !link) continue;
    link.textContent = settings.help_email;
    link.href = `mailto:${settings.help_email}`;
    element.classList.add('is-known');
  }
}

function buildChrome() {
  const header = document.querySelector('header[data-chrome]');
  const nav = document.querySelector('nav[data-chrome]');
  const footer = document.querySelector('footer[data-chrome]');
  if (header) buildHeader(header);
  if (nav) buildNav(nav);
  if (footer) buildFooter(footer);
  const known = cachedSettings();
  if (known) applySettings(known);
  else loadSettings().then(applySettings);
}

function readHint() {
  try {
    return window.localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return false;
  }
}

function writeHint(signedIn) {
  try {
    if (signedIn) window.localStorage.setItem(HINT_KEY, '1');
    else window.localStorage.removeItem(HINT_KEY);
  } catch {
    // storage disabled: the nav simply shows Sign In
  }
}

/** Whether this browser was signed in when last seen (a hint: only the API knows). */
export function signedInHint() {
  return readHint();
}

/**
 * The service worker (sw.js) keeps the static shell, never anything personal, so My Portal opens
 * from the home screen. Registered for signed-in visitors only: sign-out removes it with its caches.
 */
function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
    // no offline copy (a private window, an insecure origin): the portal works as before
  });
}

/** At sign-out: empty every cache this site keeps and unregister the service worker. */
async function forgetOfflineCopies() {
  try {
    const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration() : undefined;
    registration?.active?.postMessage({ type: 'sign-out' }); // it stops keeping copies, and empties its caches too
    if ('caches' in window) {
      const names = await window.caches.keys();
      await Promise.all(names.map((name) => window.caches.delete(name)));
    }
    await registration?.unregister();
  } catch {
    // storage unavailable: nothing was kept
  }
}

/** Show Sign Out (signed in) or Sign In (signed out) in the navigation, and remember it. */
export function setSignedIn(signedIn) {
  writeHint(signedIn);
  if (signedIn) registerServiceWorker();
  for (const element of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-when="signed-in"]'))) element.hidden = !signedIn;
  for (const element of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-when="signed-out"]'))) element.hidden = signedIn;
  if (!signedIn) setRole(null);
}

function readRole() {
  try {
    return window.localStorage.getItem(ROLE_KEY);
  } catch {
    return null;
  }
}

/** Remember the signed-in person's role (from a Profile) and show the coordinators' links to coordinators. */
export function setRole(role) {
  try {
    if (role) window.localStorage.setItem(ROLE_KEY, role);
    else window.localStorage.removeItem(ROLE_KEY);
  } catch {
    // storage disabled: the coordinators' links show when a page learns the role
  }
  for (const item of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-when="admin"]'))) item.hidden = role !== 'admin';
}

function setUpMenu() {
  const toggle = /** @type {HTMLButtonElement | null} */ (document.querySelector('.menu-toggle'));
  const nav = document.getElementById('site-nav');
  if (!toggle || !nav) return;
  const setOpen = (open) => {
    toggle.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('is-open', open);
  };
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && nav.classList.contains('is-open')) {
      setOpen(false);
      toggle.focus();
    }
  });
}

function setUpSignOut() {
  for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-action="sign-out"]'))) {
    button.addEventListener('click', async () => {
      if (button.disabled) return;
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      const { status } = await api('POST', '/api/auth/sign-out');
      if (status === 0) {
        button.disabled = false;
        button.removeAttribute('aria-busy');
        return;
      }
      setSignedIn(false);
      await forgetOfflineCopies();
      try {
        window.sessionStorage.removeItem('cme.signInEmail');
      } catch {
        // storage disabled: nothing was kept
      }
      window.location.assign('/index.html');
    });
  }
}

buildChrome();
setUpMenu();
setUpSignOut();
setSignedIn(readHint());
if (readHint()) setRole(readRole());

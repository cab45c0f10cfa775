/**
 * The Publisher shell shared by every page: the office name and help email from config.js,
 * the phone-sized menu, and the navigation's signed-in state (Sign In vs Sign Out).
 *
 * Whether the visitor is signed in is only a hint kept in localStorage (set on sign-in,
 * cleared on sign-out or when the API answers 401), so pages that do not need the session
 * do not call the API. Pages that do (My Portal) correct it with the real answer.
 *
 * The coordinators' links (Admin, Board reports) work the same way: shown when the last profile seen had role "admin"
 * (a hint for the navigation only; the API answers 403 to anyone else).
 */
import { api } from './api.js';
import { config } from './config.js';

const HINT_KEY = 'cme.signedIn';
const ROLE_KEY = 'cme.role';

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

/** Show Sign Out (signed in) or Sign In (signed out) in the navigation, and remember it. */
export function setSignedIn(signedIn) {
  writeHint(signedIn);
  for (const element of document.querySelectorAll('[data-when="signed-in"]')) element.hidden = !signedIn;
  for (const element of document.querySelectorAll('[data-when="signed-out"]')) element.hidden = signedIn;
  if (!signedIn) setRole(null);
}

function readRole() {
  try {
    return window.localStorage.getItem(ROLE_KEY);
  } catch {
    return null;
  }
}

/** The coordinators' navigation: the activities (Admin) and the board reports. */
const ADMIN_LINKS = [
  ['/admin.html', 'Admin'],
  ['/admin-reports.html', 'Board reports'],
];

/** The coordinators' navigation items: in the page's HTML (the admin pages) or added here. */
function adminItems() {
  const list = document.querySelector('#site-nav ul');
  if (!list) return [];
  return ADMIN_LINKS.map(([href, text]) => {
    const existing = list.querySelector(`[data-when="admin"] a[href="${href}"]`);
    if (existing) return existing.closest('li');
    const item = document.createElement('li');
    item.dataset.when = 'admin';
    item.hidden = true;
    const anchor = document.createElement('a');
    anchor.href = href;
    anchor.textContent = text;
    item.append(anchor);
    list.insertBefore(item, list.querySelector('[data-when="signed-in"]'));
    return item;
  });
}

/** Remember the signed-in person's role (from a Profile) and show the coordinators' links to coordinators. */
export function setRole(role) {
  try {
    if (role) window.localStorage.setItem(ROLE_KEY, role);
    else window.localStorage.removeItem(ROLE_KEY);
  } catch {
    // storage disabled: the coordinators' links show on the admin pages only
  }
  for (const item of adminItems()) item.hidden = role !== 'admin';
}

function applyConfig() {
  for (const element of document.querySelectorAll('[data-config]')) {
    const value = config[element.dataset.config];
    if (typeof value !== 'string' || !value) continue;
    element.textContent = value;
    if (element.dataset.config === 'helpEmail' && element instanceof HTMLAnchorElement) {
      element.href = `mailto:${value}`;
    }
  }
}

function setUpMenu() {
  const toggle = document.querySelector('.menu-toggle');
  const nav = document.getElementById('site-nav');
  if (!toggle || !nav) return;
  toggle.hidden = false;
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
  for (const button of document.querySelectorAll('[data-action="sign-out"]')) {
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
      window.location.assign('/index.html');
    });
  }
}

applyConfig();
setUpMenu();
setUpSignOut();
setSignedIn(readHint());
if (readHint()) setRole(readRole());

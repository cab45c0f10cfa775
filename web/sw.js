// @ts-check  (make lint: infra/lint/tsconfig.sw.json, the service worker's globals)
/**
 * The service worker: keeps the static shell (pages, styles, scripts, icons) so My Portal opens
 * from the home screen, even with no network. shell.js registers it for signed-in visitors, and
 * unregisters it and empties its caches at sign-out.
 *
 * What it keeps: only the site's own static files, by path (a page's query string, which may hold
 * a reset or verification token, is never part of the key). What it never touches: /api/ (every
 * personal answer), /_local/, other origins (certificates and transcripts are pre-signed S3 links),
 * anything but GET. Those go to the network as if there were no service worker.
 *
 * Every shell request is network first: the fresh file is shown and kept, and the kept copy is
 * used only when the network fails. A page (a navigation) the network cannot bring is answered
 * with offline.html, at the page's own address: it says the device is offline, keeps nothing
 * of the learner's, and its "Try again" reloads that page. (A kept copy of My Portal would open
 * with no data at all: every personal answer comes from /api/, which is never kept, since
 * hospitals share computers.) (Cache first would need a new VERSION for every change of a
 * page or module; a page from the network with modules from the cache could disagree.)
 * VERSION names the cache: change it when the PRECACHE list changes, and the old cache is removed.
 */
/** This script's global scope: the webworker lib types self as any worker's, and it runs only as a service worker. */
const worker = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const VERSION = 'v5';
const CACHE = `cme-shell-${VERSION}`;

/** What installing fetches: the pages a learner opens first and everything they load. */
const PRECACHE = [
  '/offline.html',
  '/index.html',
  '/sign-in.html',
  '/portal.html',
  '/transcript.html',
  '/attend.html',
  '/outside-credit.html',
  '/styles.css',
  '/favicon.svg',
  '/manifest.webmanifest',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-512.png',
  '/js/admin-learners.js',
  '/js/activity-office.js',
  '/js/admin-late-claims.js',
  '/js/admin-imports.js',
  '/js/api.js',
  '/js/attend.js',
  '/js/audit-view.js',
  '/js/boot.js',
  '/js/catalogue.js',
  '/js/claim-form.js',
  '/js/credits.js',
  '/js/dates.js',
  '/js/forms.js',
  '/js/home-hero.js',
  '/js/my-activities.js',
  '/js/my-emails.js',
  '/js/change-password.js',
  '/js/my-phone.js',
  '/js/offline.js',
  '/js/outside-credit.js',
  '/js/portal.js',
  '/js/reminders-unsubscribe.js',
  '/js/requirements.js',
  '/js/settings.js',
  '/js/shell.js',
  '/js/sign-in.js',
  '/js/transcript.js',
  '/js/admin-learner-claims.js',
];

/** The shell's other static files, kept when first fetched (never /sw.js itself, /api/ or /_local/). */
const SHELL_PATH = /^\/(?:[a-z0-9-]+\.html|styles\.css|favicon\.svg|manifest\.webmanifest|js\/[a-z0-9-]+\.js|icons\/[a-z0-9-]+\.png)$/;

/** Set by a sign-out message: nothing more is kept by this (now unregistered) worker. */
let signedOut = false;

/** What a page the network cannot bring is answered with (in PRECACHE). */
const OFFLINE_PAGE = '/offline.html';

/** The cache key of a same-origin GET, or null when it is not part of the shell. */
/** @param {Request} request */
function shellKey(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  const path = url.pathname === '/' ? '/index.html' : url.pathname;
  return SHELL_PATH.test(path) ? path : null;
}

async function precache() {
  const cache = await caches.open(CACHE);
  // 'reload': straight from the network, not a copy the HTTP cache may hold
  await cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'reload' })));
}

async function removeOldCaches() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith('cme-shell-') && name !== CACHE).map((name) => caches.delete(name)));
}

async function removeAllCaches() {
  const names = await caches.keys();
  await Promise.all(names.map((name) => caches.delete(name)));
}

/**
 * @param {FetchEvent} event
 * @param {string} key
 */
async function networkFirst(event, key) {
  try {
    const response = await fetch(event.request);
    // only a plain 200 of this origin: not an error page, not a redirect (navigations get those as opaque)
    if (response.status === 200 && response.type === 'basic' && !response.redirected && !signedOut) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
    }
    return response;
  } catch (error) {
    const kept = await caches.match(key, { cacheName: CACHE });
    if (kept) return kept;
    throw error;
  }
}

/**
 * A page the learner opens: from the network, else the offline page (never a kept copy of a
 * page, which would open empty of the learner's data).
 * @param {FetchEvent} event
 * @param {string | null} key the page's cache key, when it is part of the shell (kept when fetched)
 */
async function pageOrOffline(event, key) {
  try {
    const response = await fetch(event.request);
    if (key && response.status === 200 && response.type === 'basic' && !response.redirected && !signedOut) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
    }
    return response;
  } catch (error) {
    const offline = await caches.match(OFFLINE_PAGE, { cacheName: CACHE });
    if (offline) return offline;
    throw error;
  }
}

/** A same-origin page navigation this worker answers (never /api/ or /_local/, which go to the network). */
/** @param {Request} request */
function isPage(request) {
  if (request.mode !== 'navigate' || request.method !== 'GET') return false;
  const url = new URL(request.url);
  return url.origin === self.location.origin && !/^\/(?:api|_local)\//.test(url.pathname);
}

worker.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => worker.skipWaiting()));
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(removeOldCaches());
});

worker.addEventListener('fetch', (event) => {
  const key = shellKey(event.request);
  if (isPage(event.request)) {
    event.respondWith(pageOrOffline(event, key));
    return;
  }
  if (key === null) return; // the network, untouched
  event.respondWith(networkFirst(event, key));
});

worker.addEventListener('message', (event) => {
  if (event.origin && event.origin !== self.location.origin) return;
  if (event.data?.type !== 'sign-out') return;
  signedOut = true;
  event.waitUntil(removeAllCaches());
});

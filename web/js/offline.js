// @ts-check
/**
 * The offline page (offline.html): the service worker (sw.js) answers a page it could not fetch
 * with this one, at the page's own address, so "Try again" reloads the page the learner asked for.
 * Opened at /offline.html itself, it goes to My Portal.
 */
const retry = /** @type {HTMLButtonElement} */ (document.getElementById('offline-retry'));

retry.addEventListener('click', () => {
  if (window.location.pathname === '/offline.html') window.location.assign('/portal.html');
  else window.location.reload();
});

// @ts-check
// Loaded synchronously in <head> (a classic script: the CSP allows no inline script) so the
// phone-sized menu starts collapsed without a flash; without JavaScript the menu stays open.
document.documentElement.classList.add('js');

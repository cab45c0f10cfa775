// @ts-check
/**
 * The home page's hero, once the learner is signed in: "Welcome back" with their name, what they
 * have to claim, and a way to My Portal instead of Sign In / Create Account. Only the shell's
 * signed-in hint makes it ask the API (GET /api/me, then GET /api/me/activities); a 401 puts
 * the guest's hero back without a word. The two heroes take the same room, so nothing moves.
 */
import { api } from './api.js';
import { setSignedIn, signedInHint } from './shell.js';
import { formatDate } from './dates.js';

const guest = /** @type {HTMLElement} */ (document.getElementById('hero-guest'));
const learner = /** @type {HTMLElement} */ (document.getElementById('hero-learner'));

function show(signedIn) {
  guest.hidden = signedIn;
  learner.hidden = !signedIn;
}

/** "You have 2 activities to claim credit for; the nearest deadline is December 2, 2026." */
function toClaimText(activities) {
  const open = activities.filter((a) => a.status === 'claimable').map((a) => a.claim_deadline).filter(Boolean).sort();
  if (!open.length) return null;
  const what = open.length === 1 ? '1 activity' : `${open.length} activities`;
  return `You have ${what} to claim credit for in My Portal; the nearest deadline is ${formatDate(open[0])}.`;
}

async function welcome() {
  if (!signedInHint()) return;
  show(true);
  const [me, mine] = await Promise.all([api('GET', '/api/me'), api('GET', '/api/me/activities')]);
  if (me.status !== 200 || !me.body) {
    if (me.status === 401) setSignedIn(false);
    show(false);
    return;
  }
  const first = typeof me.body.first_name === 'string' ? me.body.first_name.trim() : '';
  /** @type {HTMLElement} */ (learner.querySelector('[data-slot="name"]')).textContent = first ? `, ${first}` : '';
  const text = mine.status === 200 && Array.isArray(mine.body?.activities) ? toClaimText(mine.body.activities) : null;
  if (text) /** @type {HTMLElement} */ (learner.querySelector('[data-slot="lede"]')).textContent = text;
}

welcome();

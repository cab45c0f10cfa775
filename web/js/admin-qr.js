// @ts-check
/**
 * Admin: the page to project at the event: the activity's title, a big QR code that opens
 * the sign-in page with the code filled in, the attendance code in large letters and the URL,
 * and, when the office has a number for attendance by text (GET /api/settings sms_number),
 * "or text CODE to NUMBER from the mobile number you confirmed in your CME Portal profile"
 * (only a confirmed phone records attendance: docs/api.md "Confirming the phone").
 */
import { api } from './api.js';
import {
  activityIdParam, activityPath, loading, showTabs, stop, usable,
} from './admin-common.js';
import { loadSettings } from './settings.js';

const body = /** @type {HTMLElement} */ (document.getElementById('projector-body'));
const title = /** @type {HTMLElement} */ (document.getElementById('projector-title'));
const image = /** @type {HTMLImageElement} */ (document.getElementById('qr-image'));
const fullscreen = /** @type {HTMLButtonElement} */ (document.getElementById('fullscreen'));
const projector = /** @type {HTMLElement} */ (document.getElementById('projector'));
const activityId = activityIdParam();
const smsHint = /** @type {HTMLElement} */ (document.getElementById('sms-hint'));

/** "+12025550123" as people read a US number, "(202) 555-0123"; other numbers as given. */
export function readableNumber(number) {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return us ? `(${us[1]}) ${us[2]}-${us[3]}` : number;
}

/**
 * The room left for the QR code below its top, in the window (or full screen), as the CSS
 * variable --qr-room: on a landscape screen the code, the attendance code and the texting line
 * then fit without scrolling (styles.css, "A projector or a laptop").
 */
export function fitQr() {
  const full = document.fullscreenElement === projector;
  const scrolled = full ? projector.scrollTop : window.scrollY;
  const top = image.getBoundingClientRect().top + scrolled;
  const room = Math.floor(window.innerHeight - top - 16);
  projector.style.setProperty('--qr-room', `${Math.max(room, 0)}px`);
}

async function showSmsHint(code) {
  const settings = await loadSettings();
  if (!settings || !settings.sms_number) return;
  /** @type {HTMLElement} */ (smsHint.querySelector('[data-slot="sms-code"]')).textContent = code;
  /** @type {HTMLElement} */ (smsHint.querySelector('[data-slot="sms-number"]')).textContent = readableNumber(settings.sms_number);
  smsHint.hidden = false;
}

async function start() {
  if (!activityId) {
    stop('No activity was chosen: open QR from the list of activities.');
    return;
  }
  const answer = await api('GET', activityPath(activityId));
  if (!usable(answer)) return;
  const { activity } = answer.body;
  title.textContent = activity.title;
  document.title = `${activity.title} · Sign in · CME Portal`;
  // the API lets browsers keep the image 5 minutes: name the code, so a changed code loads anew
  image.src = activityPath(activityId, `/qr.svg?v=${encodeURIComponent(activity.attendance_code)}`);
  /** @type {HTMLElement} */ (body.querySelector('[data-slot="code"]')).textContent = activity.attendance_code;
  showSmsHint(activity.attendance_code);
  // typed by hand: the address without the scheme; the QR code and the link carry the code too
  const url = new URL(activity.attend_url, window.location.href);
  /** @type {HTMLElement} */ (body.querySelector('[data-slot="url"]')).textContent = `${url.host}${url.pathname}`;
  const direct = /** @type {HTMLAnchorElement} */ (body.querySelector('[data-slot="link"]'));
  direct.href = url.href;
  direct.textContent = url.href;
  showTabs(activityId, 'qr');
  loading.hidden = true;
  body.hidden = false;
  fullscreen.hidden = !document.fullscreenEnabled;
  fitQr();
}

image.addEventListener('error', () => {
  if (image.getAttribute('src')) stop('The QR code could not be loaded. Please reload the page.');
});

fullscreen.addEventListener('click', () => {
  if (document.fullscreenElement) document.exitFullscreen();
  else projector.requestFullscreen?.().catch(() => {});
});
document.addEventListener('fullscreenchange', () => {
  fullscreen.textContent = document.fullscreenElement ? 'Exit full screen' : 'Full screen';
  fitQr();
});
window.addEventListener('resize', () => { if (!body.hidden) fitQr(); });

start();

// @ts-check
/**
 * Dates as people read them. Activity dates are calendar dates (YYYY-MM-DD, no time zone);
 * moments (recorded_at, claimed_at) are shown in the reader's own time zone.
 */
import { cachedSettings, loadSettings } from './settings.js';

loadSettings(); // the office's time zone (GET /api/settings): usually known before anyone asks for "today"

const LONG = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });
const SHORT = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });
const MOMENT = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });
const MOMENT_DAY = new Intl.DateTimeFormat('en-US', { dateStyle: 'long' });

function calendarDay(iso) {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(iso || '') ? new Date(`${iso}T00:00:00Z`) : null;
  return day && !Number.isNaN(day.getTime()) ? day : null;
}

/** 2026-12-23 -> "December 23, 2026" (short: "Dec 23, 2026"). */
export function formatDate(iso, { short = false } = {}) {
  const day = calendarDay(iso);
  if (!day) return iso || '';
  return (short ? SHORT : LONG).format(day);
}

/** One day, or a range: "September 27 – 28, 2026". */
export function formatDateRange(start, end, { short = false } = {}) {
  const first = calendarDay(start);
  const last = calendarDay(end);
  if (!first) return start || '';
  if (!last || start === end) return formatDate(start, { short });
  return (short ? SHORT : LONG).formatRange(first, last);
}

/** An ISO timestamp -> "Nov 26, 2026, 8:12 AM" in the reader's time zone. */
export function formatMoment(iso) {
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? iso || '' : MOMENT.format(moment);
}

/** An ISO timestamp -> "November 26, 2026" in the reader's time zone. */
export function formatMomentDay(iso) {
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? iso || '' : MOMENT_DAY.format(moment);
}

/**
 * The office's time zone (OFFICE_TIMEZONE, served by GET /api/settings); undefined (the reader's
 * own zone) only until the settings first arrive in a browser session.
 */
export function officeTimeZone() {
  return cachedSettings()?.timezone || undefined;
}

/** Today in the office's time zone, as YYYY-MM-DD (the API's "today"). */
export function officeToday() {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: officeTimeZone(), year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** An ISO timestamp -> "November 26, 2026": its calendar day in the office's time zone. */
export function formatOfficeDay(iso) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso || '';
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: officeTimeZone() }).format(moment);
}

/**
 * Site-wide settings for the CME Portal: change the office's name and help email here,
 * and every page's header and footer follow (the HTML holds the same words as a fallback).
 * Keep them equal to the backend's OFFICE_NAME / HELP_EMAIL settings (cme/settings.py), which the emails use.
 */
export const config = Object.freeze({
  officeName: 'Continuing Medical Education Office',
  portalName: 'CME Portal',
  helpEmail: 'cme-help@example.org',
  // The office's time zone (OFFICE_TIMEZONE): "today" for the catalogue, as the API counts it.
  officeTimezone: 'America/New_York',
});

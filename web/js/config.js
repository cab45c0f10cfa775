/**
 * Site-wide settings for the CME Portal: change the office's name and help email here,
 * and every page's header and footer follow (the HTML holds the same words as a fallback).
 */
export const config = Object.freeze({
  officeName: 'Office of Continuing Medical Education',
  portalName: 'CME Portal',
  helpEmail: 'cme-help@example.org',
});

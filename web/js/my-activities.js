// @ts-check
/**
 * My activities (on My Portal): every activity attended under the learner's confirmed emails,
 * grouped by status so that 30 activities stay short on a phone:
 *   - To claim: the claimable ones, nearest deadline first, each with a Claim credit form;
 *   - Claimed (collapsed): by year of completion, newest first, each with its certificate right
 *     there (Download certificate: a fresh pre-signed link on every click; Verify by its code);
 *   - Closed (collapsed): each with the reason it cannot be claimed, its late-claim request
 *     ("Requested") or "Request a late claim" (a reason, sent to the CME office); an approved
 *     request shows the activity claimable again, "Reopened until ...".
 * Claims are listed in this one place: a claim whose activity is no longer attended under a
 * confirmed email (GET /api/me/claims has it, GET /api/me/activities not) is shown as a claimed
 * activity too. A claim made on the page leaves To claim at once (its count goes down) and shows
 * under Claimed, which opens, with its certificate; the title there takes the focus and the
 * status line says so, so the learner sees where it went.
 */
import { api } from './api.js';
import { setBusy, showAlert } from './forms.js';
import { claimedCredits, formatLabel } from './credits.js';
import { formatDate, formatDateRange, formatMomentDay } from './dates.js';
import { claimForm } from './claim-form.js';

const STATUS_WORDS = { claimable: 'Claimable', claimed: 'Claimed', closed: 'Closed' };

/** The year a claimed activity is filed under: its completion date's (what transcripts count). */
function claimYear(activity) {
  const day = activity.claim?.completed_on || activity.claim?.activity_date || activity.start_date || '';
  return /^\d{4}/.test(day) ? Number(day.slice(0, 4)) : 0;
}

function completedOn(activity) {
  return activity.claim?.completed_on || activity.start_date || '';
}

const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** An activity row made from a claim alone (its activity is not among the attended ones). */
function fromClaim(claim) {
  const day = claim.completed_on || claim.activity_date;
  return {
    activity_id: claim.activity_id,
    title: claim.activity_title,
    start_date: claim.activity_date || day,
    end_date: claim.activity_date || day,
    status: 'claimed',
    claim,
  };
}

/**
 * @param {object} hooks
 * @param {() => void} hooks.onSignedOut
 * @param {() => Api.Profile | null} [hooks.profile] the profile My Portal shows (for the claim form)
 * @param {() => unknown} [hooks.onProfileChanged]
 */
export function setUpActivities({ onSignedOut, profile = () => null, onProfileChanged = () => {} }) {
  const heading = /** @type {HTMLElement} */ (document.getElementById('my-activities-heading'));
  const toClaimList = /** @type {HTMLUListElement} */ (document.getElementById('activity-list'));
  const toClaimHeading = /** @type {HTMLElement} */ (document.getElementById('to-claim-heading'));
  const toClaimEmpty = /** @type {HTMLElement} */ (document.getElementById('to-claim-empty'));
  const toClaimGroup = /** @type {HTMLElement} */ (toClaimList.closest('.activity-group'));
  const claimedGroup = /** @type {HTMLDetailsElement} */ (document.getElementById('claimed-group'));
  const claimedYears = /** @type {HTMLElement} */ (claimedGroup.querySelector('[data-slot="years"]'));
  const closedGroup = /** @type {HTMLDetailsElement} */ (document.getElementById('closed-group'));
  const closedList = /** @type {HTMLUListElement} */ (document.getElementById('closed-list'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('activities-empty'));
  const note = /** @type {HTMLElement} */ (document.getElementById('activities-note'));
  const statusRegion = /** @type {HTMLElement} */ (document.getElementById('activities-status'));
  const alertRegion = /** @type {HTMLElement} */ (document.getElementById('activities-alert'));
  const template = /** @type {HTMLTemplateElement} */ (document.getElementById('tpl-my-activity'));

  let activities = [];
  let attestation = ''; // what this learner attests to claim, in their own credit's words (the API's)

  function say(message) {
    showAlert(alertRegion);
    showAlert(statusRegion, message);
  }

  function complain(message) {
    showAlert(statusRegion);
    showAlert(alertRegion, message);
  }

  function statusBadge(status) {
    const badge = document.createElement('span');
    badge.className = `status status--${status}`;
    const hidden = document.createElement('span');
    hidden.className = 'visually-hidden';
    hidden.textContent = 'Status: ';
    badge.append(hidden, STATUS_WORDS[status] || status);
    return badge;
  }

  /** Download certificate (a fresh pre-signed link on every click, never kept) and Verify. */
  function setUpCertificate(box, claim, titleId) {
    const button = /** @type {HTMLButtonElement} */ (box.querySelector('[data-action="download-certificate"]'));
    const verify = /** @type {HTMLAnchorElement} */ (box.querySelector('[data-slot="verify"]'));
    const problem = box.querySelector('[role="alert"]');
    button.setAttribute('aria-describedby', titleId);
    verify.href = `/verify.html?${new URLSearchParams({ code: claim.certificate_code })}`;
    verify.setAttribute('aria-describedby', titleId);
    button.addEventListener('click', async () => {
      if (button.disabled) return;
      showAlert(problem);
      setBusy(button, true);
      const { status, body } = await api('GET', `/api/me/claims/${encodeURIComponent(claim.claim_id)}/certificate`);
      setBusy(button, false);
      if (status === 401) {
        onSignedOut();
        return;
      }
      if (status === 200 && typeof body?.url === 'string' && body.url) {
        window.location.assign(body.url); // an attachment: the browser saves it, the page stays
        return;
      }
      showAlert(problem, body?.message || 'We could not get your certificate. Please try again.');
    });
    box.hidden = false;
  }

  /** One activity; its title is a heading of `level` (below its group's heading). */
  function row(activity, level = 4) {
    const item = /** @type {HTMLElement} */ (/** @type {Element} */ (template.content.firstElementChild).cloneNode(true));
    /** @param {string} name */
    const slot = (name) => /** @type {HTMLElement} */ (item.querySelector(`[data-slot="${name}"]`));
    const titleId = `activity-${activity.activity_id}-title`;
    item.dataset.activityId = activity.activity_id;
    let title = slot('title');
    if (level !== 4) {
      const other = document.createElement(`h${level}`);
      other.className = title.className;
      title.replaceWith(other);
      title = other;
    }
    title.textContent = activity.title;
    title.id = titleId;
    slot('status').replaceWith(statusBadge(activity.status));
    const where = [formatDateRange(activity.start_date, activity.end_date)];
    if (activity.format) where.push(formatLabel(activity.format));
    if (activity.location) where.push(activity.location);
    slot('meta').textContent = where.join(' · ');

    const when = slot('when');
    const claimLine = slot('claim');
    if (activity.status === 'claimed' && activity.claim) {
      when.hidden = true;
      const { claim } = activity;
      /** @type {HTMLElement} */ (claimLine.querySelector('[data-slot="credit"]')).textContent = claim.source_label
        ? `${claim.source_label}: ${claimedCredits(claim)}, completed ${formatDate(claim.completed_on)}.` // the old portal's record
        : `Claimed ${claimedCredits(claim)} on ${formatMomentDay(claim.claimed_at)}.`;
      /** @type {HTMLElement} */ (claimLine.querySelector('[data-slot="code"]')).textContent = claim.certificate_code;
      setUpCertificate(slot('certificate'), claim, titleId);
    } else {
      claimLine.hidden = true;
      when.textContent = activity.status === 'claimable'
        ? `Claim by ${formatDate(activity.claim_deadline)}`
        : activity.reason || '';
      when.hidden = !when.textContent;
    }
    const late = activity.late_request;
    if (activity.status === 'claimable' && late?.status === 'approved' && late.reopened_until === activity.claim_deadline) {
      when.textContent = `Reopened until ${formatDate(late.reopened_until)}`;
    }
    if (activity.status === 'closed') {
      /** @type {HTMLElement} */ (item.querySelector('[data-action="claim"]')).before(lateClaim(activity, item, level, titleId));
    }
    const attended = slot('attended');
    attended.textContent = activity.attended_as ? `Attended as ${activity.attended_as}` : '';
    attended.hidden = !activity.attended_as;

    const button = /** @type {HTMLButtonElement} */ (item.querySelector('[data-action="claim"]'));
    const panel = slot('panel');
    const panelId = `activity-${activity.activity_id}-claim`;
    panel.id = panelId;
    const claimable = activity.status === 'claimable' && (activity.credit_options || []).length > 0;
    if (activity.status === 'claimable' && !claimable) {
      when.textContent += '. This activity designates no credit for your degree; contact the CME office.';
    }
    button.hidden = !claimable;
    if (!claimable) return item;
    button.setAttribute('aria-describedby', titleId);
    button.setAttribute('aria-controls', panelId);

    const close = () => {
      panel.replaceChildren();
      panel.hidden = true;
      button.hidden = false;
      button.setAttribute('aria-expanded', 'false');
    };
    button.addEventListener('click', () => {
      showAlert(statusRegion);
      showAlert(alertRegion);
      const { form, focus } = claimForm(activity, {
        profile: profile(),
        attestation,
        onClaimed: (claim) => {
          claimed(activity, claim);
          onProfileChanged(); // what the form asked for (board id, birth month/day) is in the profile now
        },
        onCancel: () => {
          close();
          button.focus();
        },
        onSignedOut,
        onStale: async (message) => {
          await reload();
          complain(message);
          claimedGroup.open = true; // claimed meanwhile (another tab): it is under Claimed now
          heading.focus();
        },
      });
      panel.replaceChildren(form);
      panel.hidden = false;
      button.hidden = true;
      button.setAttribute('aria-expanded', 'true');
      focus();
    });
    return item;
  }

  /**
   * A closed activity: its late-claim request ("Requested", or declined), and "Request a late
   * claim" when the API says one would be taken (can_request_late): a reason, then
   * POST /api/me/late-claims.
   */
  function lateClaim(activity, item, level, titleId) {
    const box = document.createElement('div');
    box.className = 'late-claim';
    const late = activity.late_request;
    if (late?.status === 'open' || late?.status === 'declined') {
      const state = document.createElement('p');
      state.className = 'late-claim__state';
      if (late.status === 'open') {
        const badge = document.createElement('span');
        badge.className = 'late-claim__badge'; // not .status: a row has one status (Closed)
        badge.textContent = 'Requested';
        state.append(badge, ' You asked the CME office for a late claim; they will email you their answer.');
      } else {
        state.textContent = 'The CME office declined your request for a late claim and emailed you why.';
      }
      box.append(state);
    }
    if (!activity.can_request_late) return box;
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'button button--secondary button--small';
    open.textContent = late?.status === 'declined' ? 'Ask again for a late claim' : 'Request a late claim';
    open.setAttribute('aria-describedby', titleId);
    open.setAttribute('aria-expanded', 'false');
    const formId = `activity-${activity.activity_id}-late`;
    open.setAttribute('aria-controls', formId);
    const form = document.createElement('form');
    form.className = 'form late-claim__form';
    form.id = formId;
    form.noValidate = true;
    form.hidden = true;
    const field = document.createElement('div');
    field.className = 'field';
    const label = document.createElement('label');
    label.htmlFor = `${formId}-reason`;
    label.textContent = 'Why are you claiming late?';
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.id = `${formId}-hint`;
    hint.textContent = 'The CME office reads it and emails you whether your claim window reopens.';
    const reason = document.createElement('textarea');
    reason.id = `${formId}-reason`;
    reason.name = 'reason';
    reason.rows = 3;
    reason.maxLength = 500;
    reason.required = true;
    reason.setAttribute('aria-describedby', hint.id);
    field.append(label, hint, reason);
    const problem = document.createElement('p');
    problem.className = 'alert alert--error';
    problem.setAttribute('role', 'alert');
    const send = document.createElement('button');
    send.type = 'submit';
    send.className = 'button button--primary button--small';
    send.textContent = 'Send request';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'button button--secondary button--small';
    cancel.textContent = 'Cancel';
    const actions = document.createElement('div');
    actions.className = 'actions';
    actions.append(send, cancel);
    form.append(field, problem, actions);
    const toggle = (shown) => {
      form.hidden = !shown;
      open.hidden = shown;
      open.setAttribute('aria-expanded', String(shown));
    };
    open.addEventListener('click', () => {
      toggle(true);
      reason.focus();
    });
    cancel.addEventListener('click', () => {
      toggle(false);
      open.focus();
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (send.disabled) return;
      showAlert(problem);
      if (!reason.value.trim()) {
        showAlert(problem, 'Please say why you are claiming late.');
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      reason.removeAttribute('aria-invalid');
      setBusy(send, true);
      const { status, body } = await api('POST', '/api/me/late-claims', {
        activity_id: activity.activity_id, reason: reason.value.trim(),
      });
      setBusy(send, false);
      if (status === 401) {
        onSignedOut();
        return;
      }
      if (status !== 201 || !body?.request) {
        showAlert(problem, body?.message || 'We could not send your request. Please try again.');
        return;
      }
      const updated = {
        ...activity,
        can_request_late: false,
        late_request: { request_id: body.request.request_id, status: 'open', reopened_until: null },
      };
      const index = activities.findIndex((a) => a.activity_id === activity.activity_id);
      if (index >= 0) activities[index] = updated;
      const fresh = row(updated, level);
      item.replaceWith(fresh);
      say(`Your request for a late claim is sent to the CME office: ${activity.title}.`);
      const title = /** @type {HTMLElement} */ (fresh.querySelector('.my-activity__title'));
      title.tabIndex = -1;
      title.focus();
    });
    box.append(open, form);
    return box;
  }

  function setCount(element, count) {
    /** @type {HTMLElement} */ (element.querySelector('[data-slot="count"]')).textContent = `(${count})`;
  }

  function renderCounts() {
    setCount(toClaimHeading, activities.filter((a) => a.status === 'claimable').length);
    setCount(claimedGroup, activities.filter((a) => a.status === 'claimed').length);
    setCount(closedGroup, activities.filter((a) => a.status === 'closed').length);
  }

  function renderActivities() {
    const toClaim = activities.filter((a) => a.status === 'claimable')
      .sort((a, b) => byText(a.claim_deadline || '', b.claim_deadline || '') || byText(a.title, b.title));
    const claimedOnes = activities.filter((a) => a.status === 'claimed');
    const closed = activities.filter((a) => a.status === 'closed')
      .sort((a, b) => byText(b.claim_deadline || '', a.claim_deadline || '') || byText(a.title, b.title));

    toClaimList.replaceChildren(...toClaim.map((a) => row(a, 4)));
    toClaimEmpty.hidden = toClaim.length > 0;
    toClaimGroup.hidden = activities.length === 0;

    const years = [...new Set(claimedOnes.map(claimYear))].sort((a, b) => b - a);
    claimedYears.replaceChildren(...years.map((year) => {
      const ones = claimedOnes.filter((a) => claimYear(a) === year)
        .sort((a, b) => byText(completedOn(b), completedOn(a)) || byText(a.title, b.title));
      const box = document.createElement('div');
      box.className = 'activity-year';
      const title = document.createElement('h4');
      title.className = 'activity-year__title';
      title.textContent = `${year || 'Undated'} (${ones.length})`;
      const list = document.createElement('ul');
      list.className = 'my-activities';
      list.setAttribute('aria-label', `My activities: claimed in ${year || 'an unknown year'}`);
      list.append(...ones.map((a) => row(a, 5)));
      box.append(title, list);
      return box;
    }));
    claimedGroup.hidden = claimedOnes.length === 0;

    closedList.replaceChildren(...closed.map((a) => row(a, 4)));
    closedGroup.hidden = closed.length === 0;

    renderCounts();
    empty.hidden = activities.length > 0;
  }

  function renderNote(body) {
    const unverified = Array.isArray(body.unverified_emails) ? body.unverified_emails : [];
    if (!body.note) {
      note.hidden = true;
      return;
    }
    /** @type {HTMLElement} */ (note.querySelector('[data-slot="text"]')).textContent = body.note;
    const emails = unverified.map((email) => {
      const item = document.createElement('li');
      item.textContent = email;
      return item;
    });
    /** @type {HTMLUListElement} */ (note.querySelector('[data-slot="emails"]')).replaceChildren(...emails);
    /** @type {HTMLUListElement} */ (note.querySelector('[data-slot="emails"]')).hidden = emails.length === 0;
    note.hidden = false;
  }

  /**
   * A claim was recorded: the activity leaves To claim (its count goes down) for Claimed, opened,
   * where its title takes the focus; the status line says where it went.
   */
  function claimed(activity, claim) {
    const index = activities.findIndex((a) => a.activity_id === activity.activity_id);
    const updated = { ...activity, status: 'claimed', reason: null, claim };
    if (index >= 0) activities[index] = updated;
    else activities.push(updated);
    renderActivities();
    claimedGroup.open = true;
    say(`Your claim is recorded: ${claimedCredits(claim)} for ${claim.activity_title}. Certificate code: ${claim.certificate_code}. It is under Claimed, with its certificate.`);
    const fresh = claimedYears.querySelector(`[data-activity-id="${CSS.escape(activity.activity_id)}"]`);
    const title = /** @type {HTMLElement | null} */ (fresh?.querySelector('.my-activity__title') || null);
    if (!title) return;
    title.tabIndex = -1;
    title.scrollIntoView({ block: 'center' });
    title.focus();
  }

  /** Load (or load again) the activities and the claims; resolves once they are shown (or not). */
  async function reload() {
    const [mine, recorded] = await Promise.all([api('GET', '/api/me/activities'), api('GET', '/api/me/claims')]);
    if (mine.status === 401 || recorded.status === 401) {
      onSignedOut();
      return;
    }
    if (mine.status !== 200 || !Array.isArray(mine.body?.activities)) {
      complain(mine.body?.message || 'We could not load your activities. Please reload the page.');
      return;
    }
    activities = mine.body.activities.slice();
    attestation = typeof mine.body.attestation === 'string' ? mine.body.attestation : '';
    if (recorded.status === 200 && Array.isArray(recorded.body?.claims)) {
      const shown = new Set(activities.map((a) => a.activity_id));
      for (const claim of recorded.body.claims) if (!shown.has(claim.activity_id)) activities.push(fromClaim(claim));
    }
    renderNote(mine.body);
    renderActivities();
  }

  return { reload };
}

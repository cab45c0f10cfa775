/**
 * My activities (on My Portal): every activity attended under the learner's confirmed emails,
 * with its status (Claimable / Claimed / Closed), the claim deadline or the reason it cannot
 * be claimed, and the email it was recorded under; a Claim credit form on claimable ones.
 * Below: My claims, each with its certificate (Download certificate, and Verify by its code).
 * A new claim shows at once, with its Download button, without reloading the page.
 */
import { api } from './api.js';
import { setBusy, showAlert } from './forms.js';
import { claimedCredits, formatLabel } from './credits.js';
import { formatDate, formatDateRange, formatMomentDay } from './dates.js';
import { claimForm } from './claim-form.js';

const STATUS_WORDS = { claimable: 'Claimable', claimed: 'Claimed', closed: 'Closed' };

export function setUpActivities({ onSignedOut, profile = () => null, onProfileChanged = () => {} }) {
  const heading = document.getElementById('my-activities-heading');
  const loading = document.getElementById('activities-loading');
  const list = document.getElementById('activity-list');
  const empty = document.getElementById('activities-empty');
  const note = document.getElementById('activities-note');
  const statusRegion = document.getElementById('activities-status');
  const alertRegion = document.getElementById('activities-alert');
  const claimsTable = document.getElementById('claims-table');
  const claimsBody = claimsTable.querySelector('tbody');
  const claimsEmpty = document.getElementById('claims-empty');
  const claimsIntro = document.getElementById('my-claims-intro');
  const template = document.getElementById('tpl-my-activity');

  let activities = [];
  let claims = [];

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

  function row(activity) {
    const item = template.content.firstElementChild.cloneNode(true);
    const slot = (name) => item.querySelector(`[data-slot="${name}"]`);
    const titleId = `activity-${activity.activity_id}-title`;
    item.dataset.activityId = activity.activity_id;
    const title = slot('title');
    title.textContent = activity.title;
    title.id = titleId;
    slot('status').replaceWith(statusBadge(activity.status));
    const where = [formatDateRange(activity.start_date, activity.end_date), formatLabel(activity.format)];
    if (activity.location) where.push(activity.location);
    slot('meta').textContent = where.join(' · ');

    const when = slot('when');
    const claimLine = slot('claim');
    if (activity.status === 'claimed' && activity.claim) {
      when.hidden = true;
      const { claim } = activity;
      claimLine.querySelector('[data-slot="credit"]').textContent = `Claimed ${claimedCredits(claim)} on ${formatMomentDay(claim.claimed_at)}.`;
      claimLine.querySelector('[data-slot="code"]').textContent = claim.certificate_code;
    } else {
      claimLine.hidden = true;
      when.textContent = activity.status === 'claimable'
        ? `Claim by ${formatDate(activity.claim_deadline)}`
        : activity.reason || '';
      when.hidden = !when.textContent;
    }
    slot('attended').textContent = `Attended as ${activity.attended_as}`;

    const button = item.querySelector('[data-action="claim"]');
    const panel = slot('panel');
    const panelId = `activity-${activity.activity_id}-claim`;
    panel.id = panelId;
    const claimable = activity.status === 'claimable' && (activity.credit_options || []).length > 0;
    if (activity.status === 'claimable' && !claimable) {
      when.textContent += '. This activity designates no credit for your degree; contact the CME office.';
    }
    button.hidden = !claimable;
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

  function renderActivities() {
    list.replaceChildren(...activities.map(row));
    empty.hidden = activities.length > 0;
  }

  /** The Certificate cell: Download certificate (a fresh pre-signed link on every click) and Verify. */
  function certificateCell(claim, titleId) {
    const box = document.createElement('div');
    box.className = 'claim-certificate';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button--secondary button--small';
    button.dataset.action = 'download-certificate';
    button.textContent = 'Download certificate';
    button.setAttribute('aria-describedby', titleId);
    const verify = document.createElement('a');
    verify.className = 'claim-certificate__verify';
    verify.href = `/verify.html?${new URLSearchParams({ code: claim.certificate_code })}`;
    verify.textContent = 'Verify';
    verify.setAttribute('aria-describedby', titleId);
    const problem = document.createElement('p');
    problem.className = 'alert alert--error claim-certificate__alert';
    problem.setAttribute('role', 'alert');
    button.addEventListener('click', async () => {
      if (button.disabled) return;
      showAlert(problem);
      setBusy(button, true);
      // the link is made per request and lasts minutes: never kept, asked for on each click
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
    box.append(button, verify, problem);
    return box;
  }

  function activityCell(claim, titleId) {
    const box = document.createElement('span');
    const title = document.createElement('span');
    title.className = 'table__title';
    title.id = titleId;
    title.textContent = claim.activity_title;
    const day = document.createElement('span');
    day.className = 'table__date';
    day.textContent = formatDate(claim.completed_on || claim.activity_date); // the completion date (API.md)
    box.append(title, day);
    return box;
  }

  function renderClaims() {
    const rows = claims.map((claim) => {
      const tr = document.createElement('tr');
      tr.dataset.claimId = claim.claim_id;
      const titleId = `claim-${claim.claim_id}-title`;
      const cells = [
        ['Activity', activityCell(claim, titleId)],
        ['Credit', claimedCredits(claim)],
        ['Claimed', formatMomentDay(claim.claimed_at)],
        ['Certificate code', claim.certificate_code],
        ['Certificate', certificateCell(claim, titleId)],
      ];
      for (const [label, value] of cells) {
        const td = document.createElement('td');
        td.dataset.label = label;
        if (value instanceof Node) {
          td.append(value);
        } else {
          const content = document.createElement('span');
          content.textContent = value;
          if (label === 'Certificate code') content.className = 'code';
          td.append(content);
        }
        tr.append(td);
      }
      return tr;
    });
    claimsBody.replaceChildren(...rows);
    claimsTable.hidden = claims.length === 0;
    claimsIntro.hidden = claims.length === 0;
    claimsEmpty.hidden = claims.length > 0;
  }

  function renderNote(body) {
    const unverified = Array.isArray(body.unverified_emails) ? body.unverified_emails : [];
    if (!body.note) {
      note.hidden = true;
      return;
    }
    note.querySelector('[data-slot="text"]').textContent = body.note;
    const emails = unverified.map((email) => {
      const item = document.createElement('li');
      item.textContent = email;
      return item;
    });
    note.querySelector('[data-slot="emails"]').replaceChildren(...emails);
    note.querySelector('[data-slot="emails"]').hidden = emails.length === 0;
    note.hidden = false;
  }

  /** A claim was recorded: its row shows it at once, and My claims lists it. */
  function claimed(activity, claim) {
    const index = activities.findIndex((a) => a.activity_id === activity.activity_id);
    const updated = { ...activity, status: 'claimed', reason: null, claim };
    if (index >= 0) activities[index] = updated;
    claims = [claim, ...claims.filter((c) => c.claim_id !== claim.claim_id)];
    const old = list.querySelector(`[data-activity-id="${CSS.escape(activity.activity_id)}"]`);
    const fresh = row(updated);
    if (old) old.replaceWith(fresh);
    else renderActivities();
    renderClaims();
    say(`Your claim is recorded: ${claimedCredits(claim)} for ${claim.activity_title}. Certificate code: ${claim.certificate_code}.`);
    const title = fresh.querySelector('h3');
    title.tabIndex = -1;
    title.focus();
  }

  async function reload() {
    const [mine, recorded] = await Promise.all([api('GET', '/api/me/activities'), api('GET', '/api/me/claims')]);
    if (mine.status === 401 || recorded.status === 401) {
      onSignedOut();
      return;
    }
    loading.hidden = true;
    if (mine.status !== 200 || !Array.isArray(mine.body?.activities)) {
      complain(mine.body?.message || 'We could not load your activities. Please reload the page.');
      return;
    }
    activities = mine.body.activities;
    renderNote(mine.body);
    renderActivities();
    if (recorded.status === 200 && Array.isArray(recorded.body?.claims)) {
      claims = recorded.body.claims;
      renderClaims();
    }
  }

  return { reload };
}

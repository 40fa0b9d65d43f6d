/** One activity: what it is, change it, cancel it (after a confirmation), its roster and attendance. */
import { ApiError, api } from '../api';
import { formatDateTime, h, replace } from '../dom';
import { clearFieldErrors, showFieldErrors } from '../forms';
import { errorPanel, type PageContext } from '../shell';
import { activityForm } from './activity-form';
import { attendanceSection } from './attendance';
import { renderRoster } from './roster';
import type { Roster, StaffActivity } from './types';

const focusAlert = (container: HTMLElement) => {
  const alert = container.querySelector<HTMLElement>('[role="alert"]');
  alert?.setAttribute('tabindex', '-1');
  alert?.focus();
};

function facts(activity: StaffActivity, timeZone: string) {
  const fact = (label: string, ...value: Array<Node | string>) =>
    h('div', {}, h('dt', {}, label), h('dd', {}, ...value));
  return h(
    'dl',
    { class: 'details activity-summary' },
    fact('Status', activity.status === 'cancelled' ? 'Cancelled' : 'Scheduled'),
    fact('Starts', formatDateTime(activity.startsAt, timeZone)),
    fact('Ends', formatDateTime(activity.endsAt, timeZone)),
    fact('Kind', activity.kindName),
    fact('Network', activity.networkName),
    fact('Venue', activity.venue ?? 'None (online only)'),
    fact(
      'Online link',
      activity.onlineUrl
        ? h('a', { href: activity.onlineUrl, rel: 'noopener noreferrer' }, activity.onlineUrl)
        : 'None',
    ),
    fact('Capacity', activity.capacity === null ? 'No limit' : String(activity.capacity)),
    fact('Booked', String(activity.accepted)),
    activity.description ? fact('Description', activity.description) : null,
  ) as HTMLElement;
}

export async function renderDetail(
  main: HTMLElement,
  context: PageContext,
  activityId: string,
): Promise<void> {
  const { options, announce } = context;
  const timeZone = options.alliance.timeZone;
  const heading = main.querySelector('h1');
  const back = h('p', {}, h('a', { href: '/console/activities.html' }, 'All activities'));
  const status = h('p', { role: 'status' }, 'Loading the activity…');
  main.append(back, status);
  const rosterPath = `/api/activities/${encodeURIComponent(activityId)}/rsvps`;

  let roster: Roster;
  try {
    roster = await api<Roster>('GET', rosterPath);
  } catch (error) {
    status.remove();
    const message =
      error instanceof ApiError && (error.status === 404 || error.status === 400)
        ? 'There is no activity with that id. It may have been mistyped; choose one from the list.'
        : `The activity could not be loaded: ${(error as Error).message}`;
    main.append(errorPanel(message));
    return;
  }
  status.remove();

  const summary = h('section', { 'aria-labelledby': 'summary-heading' });
  const rosterBox = h('div', {});
  const changeBox = h('div', {});
  const drawSummary = (activity: StaffActivity) => {
    if (heading) heading.textContent = activity.title;
    document.title = `${activity.title}: ${options.alliance.shortName} console`;
    replace(
      summary,
      h('h2', { id: 'summary-heading', class: 'visually-hidden' }, 'Details'),
      facts(activity, timeZone),
    );
  };
  const reloadRoster = async () => {
    try {
      roster = await api<Roster>('GET', rosterPath);
      drawSummary(roster.activity);
      renderRoster(rosterBox, activityId, roster.rsvps, roster.activity.capacity, timeZone, reloadRoster);
      announce('Roster refreshed.');
    } catch (error) {
      replace(rosterBox, errorPanel(`The roster could not be loaded: ${(error as Error).message}`));
    }
  };

  const drawChange = (activity: StaffActivity) => {
    if (activity.status === 'cancelled') {
      replace(
        changeBox,
        h(
          'div',
          { class: 'panel panel-warning' },
          h('p', {}, 'This activity is cancelled. It can no longer be changed.'),
        ),
      );
      return;
    }
    const editor = activityForm(options, 'Save changes', activity);
    const message = h('div', {});
    editor.form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(editor.form);
      replace(message);
      const body = editor.body();
      if (Object.keys(body).length === 0) {
        replace(message, h('p', { class: 'panel', role: 'status' }, 'Nothing has changed.'));
        return;
      }
      editor.submitButton.disabled = true;
      try {
        const saved = await api<StaffActivity>(
          'PATCH',
          `/api/activities/${encodeURIComponent(activityId)}`,
          body,
        );
        drawSummary(saved);
        drawChange(saved);
        const notice = h(
          'div',
          { class: 'panel', role: 'status', tabindex: '-1' },
          h('p', {}, 'The changes are saved.'),
        );
        changeBox.prepend(notice);
        notice.focus();
      } catch (error) {
        editor.submitButton.disabled = false;
        if (error instanceof ApiError && error.status === 400 && error.details.length > 0) {
          showFieldErrors(editor.form, error.details, 'The changes were not saved');
        } else {
          replace(message, errorPanel(`The changes were not saved: ${(error as Error).message}`));
          focusAlert(message);
        }
      }
    });

    const confirmBox = h('div', {});
    const cancelButton = h(
      'button',
      { type: 'button', class: 'button button-warning' },
      'Cancel this activity…',
    );
    cancelButton.addEventListener('click', () => {
      const yes = h('button', { type: 'button', class: 'button button-warning' }, 'Yes, cancel the activity');
      const no = h('button', { type: 'button', class: 'button button-secondary' }, 'No, keep it');
      const question = h(
        'h3',
        { id: 'confirm-cancel-heading', tabindex: '-1' },
        `Cancel “${activity.title}”?`,
      );
      const outcome = h('div', {});
      no.addEventListener('click', () => {
        replace(confirmBox);
        cancelButton.hidden = false;
        cancelButton.focus();
      });
      yes.addEventListener('click', async () => {
        yes.disabled = true;
        try {
          const cancelled = await api<StaffActivity>(
            'POST',
            `/api/activities/${encodeURIComponent(activityId)}/cancel`,
          );
          drawSummary(cancelled);
          drawChange(cancelled);
          await reloadRoster();
          const notice = h(
            'div',
            { class: 'panel', role: 'status', tabindex: '-1' },
            h('p', {}, 'The activity is cancelled. Everyone booked or waiting is being told.'),
          );
          changeBox.prepend(notice);
          notice.focus();
        } catch (error) {
          yes.disabled = false;
          replace(outcome, errorPanel(`The activity was not cancelled: ${(error as Error).message}`));
          focusAlert(outcome);
        }
      });
      cancelButton.hidden = true;
      replace(
        confirmBox,
        h(
          'div',
          {
            class: 'panel panel-warning confirm-panel',
            role: 'group',
            'aria-labelledby': 'confirm-cancel-heading',
          },
          question,
          h(
            'p',
            {},
            'Everyone booked or on the waitlist will be told by e-mail, and no reminders will go out. This cannot be undone.',
          ),
          h('div', { class: 'button-group' }, yes, no),
          outcome,
        ),
      );
      question.focus();
    });

    replace(
      changeBox,
      h(
        'details',
        { class: 'change-details' },
        h('summary', {}, 'Change this activity'),
        message,
        editor.form,
      ),
      h('div', { class: 'cancel-area' }, cancelButton, confirmBox),
    );
  };

  drawSummary(roster.activity);
  drawChange(roster.activity);
  renderRoster(rosterBox, activityId, roster.rsvps, roster.activity.capacity, timeZone, reloadRoster);
  main.append(
    summary,
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'change-heading' },
      h('h2', { id: 'change-heading' }, 'Change or cancel'),
      changeBox,
    ),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'roster-heading' },
      h('h2', { id: 'roster-heading' }, 'Roster'),
      rosterBox,
    ),
    attendanceSection(activityId, announce),
  );
  if (new URLSearchParams(window.location.search).get('created') === '1') {
    const notice = h(
      'div',
      { class: 'panel', role: 'status', tabindex: '-1' },
      h('p', {}, 'The activity is scheduled.'),
    );
    back.after(notice);
    notice.focus();
  }
}

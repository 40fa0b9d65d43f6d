/** The list view: upcoming and past activities (cancelled ones marked), and a form to schedule one. */
import { ApiError, api } from '../api';
import { formatDateTime, h, replace } from '../dom';
import { clearFieldErrors, showFieldErrors } from '../forms';
import { errorPanel, type PageContext } from '../shell';
import { activityForm } from './activity-form';
import type { PublicActivity, StaffActivity } from './types';

export const detailHref = (id: string) => `/console/activities.html?id=${encodeURIComponent(id)}`;

function activityTable(captionId: string, caption: string, timeZone: string, activities: PublicActivity[]) {
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': captionId },
    h(
      'table',
      { class: 'data-table' },
      h('caption', { id: captionId }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Title'),
          h('th', { scope: 'col' }, 'Starts'),
          h('th', { scope: 'col' }, 'Kind'),
          h('th', { scope: 'col' }, 'Network'),
          h('th', { scope: 'col', class: 'number' }, 'Places left'),
          h('th', { scope: 'col' }, 'Status'),
        ),
      ),
      h(
        'tbody',
        {},
        activities.map((activity) =>
          h(
            'tr',
            { class: activity.status === 'cancelled' ? 'is-cancelled' : undefined },
            h('td', {}, h('a', { href: detailHref(activity.id) }, activity.title)),
            h('td', {}, formatDateTime(activity.startsAt, timeZone)),
            h('td', {}, activity.kindName),
            h('td', {}, activity.networkName),
            h(
              'td',
              { class: 'number' },
              activity.placesLeft === null ? 'No limit' : `${activity.placesLeft} of ${activity.capacity}`,
            ),
            h('td', {}, activity.status === 'cancelled' ? 'Cancelled' : 'Scheduled'),
          ),
        ),
      ),
    ),
  );
}

async function listSection(
  heading: string,
  headingId: string,
  when: 'upcoming' | 'past',
  timeZone: string,
): Promise<HTMLElement> {
  const status = h('p', { role: 'status' }, `Loading ${when} activities…`);
  const section = h('section', { 'aria-labelledby': headingId }, h('h2', { id: headingId }, heading), status);
  try {
    const { activities } = await api<{ activities: PublicActivity[] }>(
      'GET',
      `/api/activities?when=${when}&cancelled=include`,
    );
    if (activities.length === 0) {
      status.textContent = when === 'upcoming' ? 'No upcoming activities.' : 'No past activities.';
    } else {
      status.textContent = `${activities.length} ${when} ${activities.length === 1 ? 'activity' : 'activities'}.`;
      section.append(
        activityTable(
          `${headingId}-caption`,
          when === 'upcoming' ? 'Upcoming activities, soonest first' : 'Past activities, latest first',
          timeZone,
          activities,
        ),
      );
    }
  } catch (error) {
    status.remove();
    section.append(errorPanel(`The ${when} activities could not be loaded: ${(error as Error).message}`));
  }
  return section;
}

export async function renderList(main: HTMLElement, { options }: PageContext): Promise<void> {
  const timeZone = options.alliance.timeZone;
  const editor = activityForm(options, 'Schedule the activity');
  const formMessage = h('div', { class: 'form-message' });
  const formPanel = h(
    'section',
    {
      class: 'panel create-panel',
      id: 'new-activity',
      'aria-labelledby': 'new-activity-heading',
      hidden: true,
    },
    h('h2', { id: 'new-activity-heading', tabindex: '-1' }, 'Schedule an activity'),
    h('p', {}, 'Past dates are allowed, to record history.'),
    formMessage,
    editor.form,
  );
  const toggle = h(
    'button',
    { type: 'button', class: 'button', 'aria-expanded': 'false', 'aria-controls': 'new-activity' },
    'Schedule an activity',
  );
  toggle.addEventListener('click', () => {
    const opening = formPanel.hidden;
    formPanel.hidden = !opening;
    toggle.setAttribute('aria-expanded', String(opening));
    if (opening) formPanel.querySelector<HTMLElement>('select, input')?.focus();
  });
  editor.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(editor.form);
    replace(formMessage);
    editor.submitButton.disabled = true;
    try {
      const created = await api<StaffActivity>('POST', '/api/activities', editor.body());
      window.location.assign(`${detailHref(created.id)}&created=1`);
    } catch (error) {
      editor.submitButton.disabled = false;
      if (error instanceof ApiError && error.status === 400 && error.details.length > 0) {
        showFieldErrors(editor.form, error.details, 'The activity was not scheduled');
      } else {
        replace(formMessage, errorPanel(`The activity was not scheduled: ${(error as Error).message}`));
        formMessage.querySelector<HTMLElement>('[role="alert"]')?.setAttribute('tabindex', '-1');
        formMessage.querySelector<HTMLElement>('[role="alert"]')?.focus();
      }
    }
  });

  main.append(h('div', { class: 'toolbar' }, toggle), formPanel);
  const [upcoming, past] = await Promise.all([
    listSection('Upcoming', 'upcoming-heading', 'upcoming', timeZone),
    listSection('Past', 'past-heading', 'past', timeZone),
  ]);
  main.append(upcoming, past);
}

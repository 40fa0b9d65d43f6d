/**
 * The form staff schedule or change an activity with. Each field's wrapper carries `data-field` with
 * the API's field name, so forms.ts puts the API's own messages next to the right field. The form
 * does no checking of its own (novalidate): one set of rules, the API's.
 */
import { h } from '../dom';
import type { AllianceOptions } from '../shell';
import { isoToZoned, zonedToIso } from '../zoned-time';
import type { StaffActivity } from './types';

export interface ActivityForm {
  form: HTMLFormElement;
  /** The body to send: every field for a new activity; only what changed for an existing one. */
  body(): Record<string, unknown>;
  submitButton: HTMLButtonElement;
}

let formCount = 0;

export function activityForm(
  options: AllianceOptions,
  submitLabel: string,
  existing?: StaffActivity,
): ActivityForm {
  const prefix = `activity${++formCount}`;
  const timeZone = options.alliance.timeZone;
  const id = (field: string) => `${prefix}-${field}`;
  const hintId = (field: string) => `${prefix}-${field}-hint`;

  const field = (name: string, label: string, control: HTMLElement, hint?: string) => {
    control.id = id(name);
    if (hint) control.setAttribute('aria-describedby', hintId(name));
    return h(
      'div',
      { class: 'field', 'data-field': name },
      h('label', { for: id(name) }, label),
      hint ? h('p', { class: 'hint', id: hintId(name) }, hint) : null,
      control,
    );
  };
  const select = (name: string, choices: Array<{ id: string; name: string }>, chosen?: string) =>
    h(
      'select',
      { name },
      existing ? null : h('option', { value: '' }, 'Choose…'),
      choices.map((choice) => h('option', { value: choice.id, selected: choice.id === chosen }, choice.name)),
    );
  const text = (name: string, value: string | null | undefined, type = 'text', extra = {}) =>
    h('input', { type, name, value: value ?? '', ...extra });

  const controls = {
    kind: select('kind', options.activityKinds, existing?.kind),
    network: select('network', options.networks, existing?.network),
    title: text('title', existing?.title, 'text', { autocomplete: 'off' }),
    description: h('textarea', { name: 'description', rows: 4 }, existing?.description ?? ''),
    startsAt: text('startsAt', existing ? isoToZoned(existing.startsAt, timeZone) : '', 'datetime-local'),
    endsAt: text('endsAt', existing ? isoToZoned(existing.endsAt, timeZone) : '', 'datetime-local'),
    venue: text('venue', existing?.venue, 'text', { autocomplete: 'off' }),
    onlineUrl: text('onlineUrl', existing?.onlineUrl, 'url', { inputmode: 'url' }),
    capacity: text('capacity', existing?.capacity == null ? '' : String(existing.capacity), 'number', {
      inputmode: 'numeric',
    }),
  };
  const submitButton = h('button', { type: 'submit', class: 'button' }, submitLabel);
  const form = h(
    'form',
    { class: 'activity-editor', novalidate: true },
    h('div', { class: 'error-summary', tabindex: '-1', role: 'alert', hidden: true }),
    field('kind', 'Kind of activity', controls.kind),
    field('network', 'Network', controls.network),
    field('title', 'Title', controls.title),
    field('description', 'Description (optional)', controls.description),
    field('startsAt', 'Starts', controls.startsAt, `Date and time in ${timeZone} time.`),
    field('endsAt', 'Ends', controls.endsAt, `Date and time in ${timeZone} time.`),
    field('venue', 'Venue', controls.venue, 'Where people meet. Give a venue, an online link, or both.'),
    field(
      'onlineUrl',
      'Online link',
      controls.onlineUrl,
      'A full https:// address, sent only to people booked.',
    ),
    field('capacity', 'Capacity', controls.capacity, 'How many places. Leave empty for no limit.'),
    h('div', { class: 'actions' }, submitButton),
  );

  const values = (): Record<string, unknown> => {
    const blankToNull = (value: string) => (value.trim() === '' ? null : value.trim());
    const capacity = controls.capacity.value.trim();
    return {
      kind: controls.kind.value || undefined,
      network: controls.network.value || undefined,
      title: controls.title.value,
      description: controls.description.value,
      startsAt: zonedToIso(controls.startsAt.value, timeZone),
      endsAt: zonedToIso(controls.endsAt.value, timeZone),
      venue: blankToNull(controls.venue.value),
      onlineUrl: blankToNull(controls.onlineUrl.value),
      // A number the API can judge (0, 2.5): the field's own text when it is not one.
      capacity: capacity === '' ? null : Number.isFinite(Number(capacity)) ? Number(capacity) : capacity,
    };
  };
  const initial = existing ? values() : undefined;

  return {
    form,
    submitButton,
    body() {
      const current = values();
      if (!initial) return current;
      return Object.fromEntries(
        Object.entries(current).filter(
          ([key, value]) => JSON.stringify(value) !== JSON.stringify(initial[key]),
        ),
      );
    },
  };
}

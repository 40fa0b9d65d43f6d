/** Preference changes: what may change, what actually changed, and the consent evidence it leaves. Pure. */
import * as z from 'zod';
import { config, ids } from '../../../shared/config';
import { type ConsentEntry, consentWording } from './registration';

const distinct = (values: string[]) => new Set(values).size === values.length;
const fromList = (label: string, allowed: string[]) =>
  z
    .string()
    .refine((value) => allowed.includes(value), `Choose ${label} from the list (${allowed.join(', ')})`);

export const preferencesSchema = z
  .object({
    networks: z
      .array(fromList('networks', ids.networks))
      .min(1, 'Choose at least one network')
      .max(ids.networks.length)
      .refine(distinct, 'Choose each network only once')
      .optional(),
    interests: z
      .array(fromList('interests', ids.interests))
      .max(ids.interests.length)
      .refine(distinct, 'Choose each interest only once')
      .optional(),
    newsletter: z.boolean({ error: 'Say whether you want e-mail updates (true or false)' }).optional(),
    formVersion: z
      .string()
      .regex(/^[\w.-]{1,40}$/, 'The form version must be a short label like "2026-11"')
      .optional(),
  })
  .strict()
  .refine(
    (value) =>
      value.networks !== undefined || value.interests !== undefined || value.newsletter !== undefined,
    'Send at least one of networks, interests or newsletter',
  );

export type PreferencesChange = z.infer<typeof preferencesSchema>;

export interface CurrentPreferences {
  networks: string[];
  interests: string[];
  newsletter: boolean;
}

export type ChangedField = 'networks' | 'interests' | 'newsletter';

const sameSet = (left: string[], right: string[]) =>
  left.length === right.length && left.every((value) => right.includes(value));

/** The preferences after the change, and which fields really changed (re-saving the same is no change). */
export function applyPreferences(
  current: CurrentPreferences,
  change: PreferencesChange,
): { next: CurrentPreferences; changed: ChangedField[] } {
  const next = {
    networks: change.networks ?? current.networks,
    interests: change.interests ?? current.interests,
    newsletter: change.newsletter ?? current.newsletter,
  };
  const changed: ChangedField[] = [];
  if (!sameSet(next.networks, current.networks)) changed.push('networks');
  if (!sameSet(next.interests, current.interests)) changed.push('interests');
  if (next.newsletter !== current.newsletter) changed.push('newsletter');
  return { next, changed };
}

/** A newsletter consent given or withdrawn on the preferences page, for the append-only record. */
export function newsletterConsentChange(
  newsletter: boolean,
  formVersion: string,
  at: string,
  method: ConsentEntry['method'],
): ConsentEntry {
  return {
    purpose: 'newsletter',
    action: newsletter ? 'given' : 'withdrawn',
    formVersion,
    wording: consentWording.newsletter,
    method,
    at,
  };
}

const namesOf = (chosen: string[], options: Array<{ id: string; name: string }>) =>
  options
    .filter((option) => chosen.includes(option.id))
    .map((option) => option.name)
    .join(', ') || 'none';

/** The networks and interests a member chose, in words, for the append-only record of their choices. */
export function choiceChange(next: CurrentPreferences, formVersion: string, at: string): ConsentEntry {
  return {
    purpose: 'networks-and-interests',
    action: 'changed',
    formVersion,
    wording: `Networks: ${namesOf(next.networks, config.networks)}. Interests: ${namesOf(next.interests, config.interests)}.`,
    method: 'preferences-page',
    at,
  };
}

/** Registration rules: what a valid sign-up is, and the consent evidence it leaves. Pure: no AWS. */
import * as z from 'zod';
import { config, ids } from '../../../shared/config';
import { controlCharacters, personName, singleLine } from '../../../shared/text-fields';

const oneOf = (message: string, allowed: string[]) =>
  z.string({ error: message }).refine((value) => allowed.includes(value), message);

const distinct = (values: string[]) => new Set(values).size === values.length;

export const emailSchema = z
  .string({ error: 'Enter your e-mail address' })
  .transform((value) => value.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'Enter your e-mail address')
      .max(254, 'An e-mail address can be at most 254 characters')
      .refine((value) => !controlCharacters.test(value), 'Write the e-mail address on one line')
      .pipe(z.email('Enter an e-mail address in the correct format, like name@example.org'))
      .refine(
        (value) => (value.split('@')[0] ?? '').length <= 64,
        'The part before the @ can be at most 64 characters',
      ),
  );

/** The address as we key it: case-folded, so Ada@Example.org and ada@example.org are one member. */
export const normaliseEmail = (email: string): string => email.normalize('NFC').trim().toLowerCase();

export const registrationSchema = z
  .object({
    name: personName('your name', 200),
    email: emailSchema,
    organisation: singleLine('your organisation', 200),
    organisationType: oneOf(
      `Choose your type of organisation (${ids.organisationTypes.join(', ')})`,
      ids.organisationTypes,
    ),
    networks: z
      .array(oneOf(`Choose networks from the list (${ids.networks.join(', ')})`, ids.networks), {
        error: 'Choose at least one network, as a list of network ids',
      })
      .min(1, 'Choose at least one network')
      .max(ids.networks.length)
      .refine(distinct, 'Choose each network only once'),
    interests: z
      .array(oneOf(`Choose interests from the list (${ids.interests.join(', ')})`, ids.interests), {
        error: 'Interests must be a list of interest ids',
      })
      .max(ids.interests.length)
      .refine(distinct, 'Choose each interest only once')
      .default([]),
    consent: z.object(
      {
        newsletter: z.boolean({ error: 'Say whether you want e-mail updates (true or false)' }),
        privacyNotice: z.literal(true, { error: 'Confirm that you have read the privacy notice' }),
        formVersion: z
          .string({ error: 'The form version is missing: reload the page and try again' })
          .regex(/^[\w.-]{1,40}$/, 'The form version must be a short label like "2026-11"'),
      },
      { error: 'Consent is missing: tick the boxes that apply' },
    ),
    /** Honeypot: people never see or fill it; bots that fill every field do. */
    website: z.string().max(2000).optional(),
  })
  .strict();

export type Registration = z.infer<typeof registrationSchema>;

/** `networks-and-interests`: what the member chose to hear about, kept with each change. */
export type ConsentPurpose = 'privacy-notice' | 'newsletter' | 'networks-and-interests';
export type ConsentAction = 'given' | 'refused' | 'confirmed' | 'withdrawn' | 'changed';

/** One entry in the append-only consent record. */
export interface ConsentEntry {
  purpose: ConsentPurpose;
  action: ConsentAction;
  formVersion: string;
  wording: string;
  method:
    | 'web-form'
    | 'email-link'
    | 'preferences-page'
    | 'one-click-unsubscribe'
    | 'unsubscribe-page'
    /** Withdrawn for the person: their mailbox provider reported a mail-out as spam. */
    | 'complaint';
  at: string;
  /** Why, in words, when the person did not act on our own form or link (a complaint). */
  reason?: string;
}

/** The words the form shows beside each box (from the config, so the record holds what people saw). */
export const consentWording: Record<Exclude<ConsentPurpose, 'networks-and-interests'>, string> = {
  'privacy-notice': config.consentWording.privacyNotice,
  newsletter: config.consentWording.newsletter,
};

export function consentAtSignUp(registration: Registration, at: string): ConsentEntry[] {
  const { formVersion, newsletter } = registration.consent;
  return [
    {
      purpose: 'privacy-notice',
      action: 'given',
      formVersion,
      wording: consentWording['privacy-notice'],
      method: 'web-form',
      at,
    },
    {
      purpose: 'newsletter',
      action: newsletter ? 'given' : 'refused',
      formVersion,
      wording: consentWording.newsletter,
      method: 'web-form',
      at,
    },
  ];
}

/** Double opt-in: confirming the address confirms each consent that was given at sign-up. */
export function consentAtConfirmation(given: ConsentEntry[], at: string): ConsentEntry[] {
  return given
    .filter((entry) => entry.action === 'given')
    .map((entry) => ({ ...entry, action: 'confirmed' as const, method: 'email-link' as const, at }));
}

/** The UTC day an allowance counts in ("at most 3 confirmation e-mails per address per day"). */
export const allowanceDay = (at: Date): string => at.toISOString().slice(0, 10);

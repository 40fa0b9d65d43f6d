/** Registration rules: what a valid sign-up is, and the consent evidence it leaves. Pure: no AWS. */
import { z } from 'zod';
import { config, ids } from '../../../shared/config';

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f\u2028\u2029]/;

const singleLine = (label: string, max: number) =>
  z
    .string({ error: `${label} is required` })
    .transform((value) => value.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1, `${label} is required`)
        .max(max, `${label} must be at most ${max} characters`)
        .refine((value) => !controlCharacters.test(value), `${label} must be on one line`),
    );

const oneOf = (label: string, allowed: string[]) =>
  z.string().refine((value) => allowed.includes(value), `${label} must be one of: ${allowed.join(', ')}`);

const distinct = (values: string[]) => new Set(values).size === values.length;

export const emailSchema = z
  .string({ error: 'email is required' })
  .transform((value) => value.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'email is required')
      .max(254, 'email must be at most 254 characters')
      .refine((value) => !controlCharacters.test(value), 'email must be on one line')
      .pipe(z.email('email must be a valid e-mail address like name@example.org')),
  );

/** The address as we key it: case-folded, so Ada@Example.org and ada@example.org are one member. */
export const normaliseEmail = (email: string): string => email.normalize('NFC').trim().toLowerCase();

export const registrationSchema = z
  .object({
    name: singleLine('name', 200),
    email: emailSchema,
    organisation: singleLine('organisation', 200),
    organisationType: oneOf('organisationType', ids.organisationTypes),
    networks: z
      .array(oneOf('network', ids.networks), { error: 'networks must be a list of network ids' })
      .min(1, 'choose at least one network')
      .max(ids.networks.length)
      .refine(distinct, 'networks must not repeat'),
    interests: z
      .array(oneOf('interest', ids.interests), { error: 'interests must be a list of interest ids' })
      .max(ids.interests.length)
      .refine(distinct, 'interests must not repeat')
      .default([]),
    consent: z.object(
      {
        newsletter: z.boolean({ error: 'consent.newsletter must be true or false' }),
        privacyNotice: z.literal(true, { error: 'you must accept the privacy notice to register' }),
        formVersion: z
          .string({ error: 'consent.formVersion is required' })
          .regex(/^[\w.-]{1,40}$/, 'consent.formVersion must be a short version label like "2026-11"'),
      },
      { error: 'consent is required' },
    ),
    /** Honeypot: people never see or fill it; bots that fill every field do. */
    website: z.string().max(2000).optional(),
  })
  .strict();

export type Registration = z.infer<typeof registrationSchema>;

export type ConsentPurpose = 'privacy-notice' | 'newsletter';
export type ConsentAction = 'given' | 'refused' | 'confirmed' | 'withdrawn';

/** One entry in the append-only consent record. */
export interface ConsentEntry {
  purpose: ConsentPurpose;
  action: ConsentAction;
  formVersion: string;
  wording: string;
  method: 'web-form' | 'email-link' | 'preferences-page' | 'one-click-unsubscribe';
  at: string;
}

export const consentWording: Record<ConsentPurpose, string> = {
  'privacy-notice': `I have read the ${config.alliance.name} privacy notice (${config.alliance.privacyNoticeUrl}).`,
  newsletter: `Send me the ${config.alliance.name} e-mail updates and invitations. I can unsubscribe at any time.`,
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

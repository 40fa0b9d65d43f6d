/** The mail-out API's answers, as the console reads them (functions/mailouts/mailout-access.ts). */

import type { MailoutProgress, MailoutState } from '../../../../functions/mailouts/domain/progress';

export type { MailoutState };

export interface Audience {
  networks?: string[];
  organisationTypes?: string[];
  interests?: string[];
}

/** One mail-out as the API answers it: its draft and its progress (the same type the API builds). */
export interface MailoutSummary extends MailoutProgress {
  id: string;
  subject: string;
  preheader: string | null;
  audience: Audience;
  followUpOf: string | null;
  createdAt: string;
  updatedAt: string;
  scheduledAt: string | null;
}

export interface Mailout extends MailoutSummary {
  markdown: string;
}

export interface MailoutList {
  mailouts: MailoutSummary[];
  next: string | null;
}

export interface AudiencePreview {
  count: number;
  sample: Array<{ name: string; organisation: string }>;
  fixedAtStart?: number;
}

/** POST /api/mailouts/preview: the e-mail a recipient gets. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export const stateLabels: Record<MailoutState, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  sent: 'Sent',
  cancelled: 'Cancelled',
};

/** Whether the mail-out has started going out (its figures mean something). */
export const hasStarted = (mailout: MailoutSummary): boolean => mailout.startedAt !== null;

/** Whether its draft may still be changed (the API's `edit` transition). */
export const isEditable = (mailout: MailoutSummary): boolean =>
  mailout.state === 'draft' || mailout.state === 'scheduled';

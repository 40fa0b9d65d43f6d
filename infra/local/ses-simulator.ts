/**
 * SES's mailbox simulator on one machine: which addresses are simulator mailboxes (also with a
 * `+label`), and the events SES publishes for an accepted message given its recipients' mailboxes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SesEventType } from '../../shared/ses-events';
import { bareAddress, type SentMessage } from './ses-mail';

export const simulatorDomain = 'simulator.amazonses.com';

export type SimulatorMailbox = 'success' | 'bounce' | 'ooto' | 'complaint' | 'suppressionlist';

/** Which mailbox-simulator address this is (`bounce+7@simulator.amazonses.com` counts), if any. */
export function simulatorMailbox(address: string): SimulatorMailbox | undefined {
  const [local, domain] = bareAddress(address).toLowerCase().split('@');
  if (domain !== simulatorDomain || !local) return undefined;
  const mailbox = local.split('+')[0];
  return mailbox === 'success' ||
    mailbox === 'bounce' ||
    mailbox === 'ooto' ||
    mailbox === 'complaint' ||
    mailbox === 'suppressionlist'
    ? mailbox
    : undefined;
}

/** One event SES publishes after accepting a message, and how long after the send answer. */
export interface PlannedEvent {
  afterMs: number;
  eventType: SesEventType;
  /** Builds the event's own section (send, delivery, bounce, complaint), given when it happens. */
  section: (at: Date) => Record<string, unknown>;
}

const feedbackId = () => `0102${randomBytes(8).toString('hex')}-${randomUUID()}-000000`;

/**
 * What SES publishes for an accepted message: Send at once, then per recipient what its mailbox
 * does (an ordinary address or `success@`/`ooto@`: Delivery; `complaint@`: Delivery then a
 * Complaint; `bounce@`: a permanent General Bounce; `suppressionlist@`: a permanent
 * OnAccountSuppressionList Bounce).
 */
export function planEvents(message: SentMessage, delayMs: number): PlannedEvent[] {
  const sentAt = Date.parse(message.timestamp);
  const byMailbox = (wanted: Array<SimulatorMailbox | undefined>) =>
    message.destination.filter((address) => wanted.includes(simulatorMailbox(address)));
  const delivered = byMailbox([undefined, 'success', 'ooto', 'complaint']);
  const bounced = byMailbox(['bounce']);
  const suppressed = byMailbox(['suppressionlist']);
  const complained = byMailbox(['complaint']);
  const events: PlannedEvent[] = [{ afterMs: 0, eventType: 'Send', section: () => ({}) }];
  if (delivered.length > 0) {
    events.push({
      afterMs: delayMs,
      eventType: 'Delivery',
      section: (at) => ({
        timestamp: at.toISOString(),
        processingTimeMillis: Math.max(0, at.getTime() - sentAt),
        recipients: delivered.map(bareAddress),
        smtpResponse: '250 2.6.0 Message received',
        reportingMTA: 'a1-23.smtp-out.eu-west-2.amazonses.com',
      }),
    });
  }
  const bounce = (recipients: string[], bounceSubType: string, status: string, diagnosticCode: string) =>
    events.push({
      afterMs: delayMs,
      eventType: 'Bounce',
      section: (at) => ({
        bounceType: 'Permanent',
        bounceSubType,
        bouncedRecipients: recipients.map((address) => ({
          emailAddress: bareAddress(address),
          action: 'failed',
          status,
          diagnosticCode,
        })),
        timestamp: at.toISOString(),
        feedbackId: feedbackId(),
        reportingMTA: 'dns; amazonses.com',
      }),
    });
  if (bounced.length > 0) bounce(bounced, 'General', '5.1.1', 'smtp; 550 5.1.1 user unknown');
  if (suppressed.length > 0) {
    bounce(
      suppressed,
      'OnAccountSuppressionList',
      '5.1.1',
      'Amazon SES did not send the message to this address because it is on the suppression list for your account.',
    );
  }
  if (complained.length > 0) {
    events.push({
      afterMs: delayMs * 2,
      eventType: 'Complaint',
      section: (at) => ({
        complainedRecipients: complained.map((address) => ({ emailAddress: bareAddress(address) })),
        timestamp: at.toISOString(),
        feedbackId: feedbackId(),
        userAgent: 'Amazon SES Mailbox Simulator',
        complaintFeedbackType: 'abuse',
        arrivalDate: at.toISOString(),
      }),
    });
  }
  return events;
}

/**
 * Events injected through `POST /_local/ses/events`: opens, clicks or any SES event type for a
 * message the endpoint sent. The caller gives the event type, the message id and the event's own
 * section; the `mail` object is filled in from what the endpoint remembers of that message, as SES
 * fills it from its own records.
 */
import { type SesEventType, sesEventTypes } from '../../shared/ses-events';
import { type Context, mailObject, type SentMessage, sectionKey, sesDetailProblem } from './ses-mail';

export type InjectedDetail = { eventType: SesEventType; mail: Record<string, unknown> } & Record<
  string,
  unknown
>;

export type InjectOutcome =
  | { ok: true; details: InjectedDetail[] }
  | { ok: false; status: 400 | 404; message: string; details?: string[] };

export const maxInjectedEvents = 100;

/** Checks and completes the events; all or nothing. */
export function completeInjected(
  body: unknown,
  lookup: (messageId: string) => SentMessage | undefined,
  context: Context,
  now = new Date(),
): InjectOutcome {
  const events = (body as { events?: unknown } | undefined)?.events;
  if (!Array.isArray(events) || events.length < 1 || events.length > maxInjectedEvents) {
    return {
      ok: false,
      status: 400,
      message: `send { "events": [ 1 to ${maxInjectedEvents} SES event records ] }, e.g. { "eventType": "Open", "mail": { "messageId": "..." }, "open": { "timestamp": "...", "userAgent": "...", "ipAddress": "..." } }`,
    };
  }
  const problems: string[] = [];
  const unknown: string[] = [];
  const details: InjectedDetail[] = [];
  events.forEach((event, index) => {
    const at = `events[${index}]`;
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      problems.push(`${at}: an SES event record (an object)`);
      return;
    }
    const input = event as Record<string, unknown>;
    const eventType = input.eventType;
    if (typeof eventType !== 'string' || !sesEventTypes.includes(eventType as SesEventType)) {
      problems.push(`${at}.eventType: one of ${sesEventTypes.join(', ')}`);
      return;
    }
    const type = eventType as SesEventType;
    const mail = input.mail as Record<string, unknown> | undefined;
    const messageId = mail?.messageId;
    if (typeof messageId !== 'string' || messageId === '') {
      problems.push(`${at}.mail.messageId: the id SendEmail answered with`);
      return;
    }
    const key = sectionKey(type);
    const given = input[key] ?? (type === 'Send' ? {} : undefined);
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      problems.push(`${at}.${key}: the ${type} event's own object is required`);
      return;
    }
    const message = lookup(messageId);
    if (!message) {
      unknown.push(messageId);
      return;
    }
    const section = { ...(given as Record<string, unknown>) };
    // SES stamps every event; one injected without a time happened now.
    if (type !== 'Send' && section.timestamp === undefined) section.timestamp = now.toISOString();
    const detail: InjectedDetail = {
      ...input,
      eventType: type,
      mail: { ...mailObject(message, context), ...mail, messageId },
      [key]: section,
    };
    const problem = sesDetailProblem(detail);
    if (problem) problems.push(`${at}: ${problem}`);
    else details.push(detail);
  });
  if (problems.length > 0)
    return { ok: false, status: 400, message: 'malformed SES event record(s)', details: problems };
  if (unknown.length > 0) {
    return {
      ok: false,
      status: 404,
      message: `no message ${unknown.join(', ')} was sent through the local SES endpoint (or it has been forgotten); GET /_local/ses/messages?to=<address> lists the known ones`,
    };
  }
  return { ok: true, details };
}

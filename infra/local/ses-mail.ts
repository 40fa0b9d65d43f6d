/**
 * The pure half of the local SES endpoint: reading a SendEmail request, SES's message ids, SES's
 * `mail` object, and its event records as the entries its EventBridge destination puts on the bus
 * (the `detail` of an `aws.ses` event), with the check the local bus makes of them.
 */
import { randomUUID } from 'node:crypto';
import { type SesEventType, sesDetailTypes, sesEventDetailSchema, sesSource } from '../../shared/ses-events';
import type { PutEventsEntry } from './put-events';

/** What the endpoint remembers of an accepted message, enough to build SES's `mail` object. */
export interface SentMessage {
  messageId: string;
  /** The id the emulator stored the e-mail under (its `/store` shows that one). */
  emulatorMessageId?: string;
  /** ISO 8601 with milliseconds, as SES writes `mail.timestamp`. */
  timestamp: string;
  from: string;
  destination: string[];
  to: string[];
  subject: string;
  tags: Record<string, string[]>;
  headers: Array<{ name: string; value: string }>;
  configurationSet?: string;
}

export interface SendEmailBody {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  ReplyToAddresses?: string[];
  ConfigurationSetName?: string;
  EmailTags?: Array<{ Name?: string; Value?: string }>;
  Content?: {
    Simple?: {
      Subject?: { Data?: string };
      Headers?: Array<{ Name?: string; Value?: string }>;
    };
    Raw?: { Data?: string };
    Template?: { TemplateContent?: { Subject?: string }; Headers?: Array<{ Name?: string; Value?: string }> };
  };
}

export interface Context {
  region: string;
  account: string;
}

/** A message id in SES's shape: `0102` + time, a UUID, `-000000`. */
export function sesMessageId(now = Date.now()): string {
  const time = `0102${now.toString(16).padStart(12, '0')}`;
  return `${time}-${randomUUID()}-000000`;
}

/** The bare address of `"Name" <a@b>` or `a@b`. */
export const bareAddress = (address: string): string => {
  const angle = /<([^<>]+)>\s*$/.exec(address);
  return (angle?.[1] ?? address).trim();
};

/** Headers of a raw MIME message (unfolded), enough for To, Cc, From and Subject. */
function rawHeaders(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

const addressList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((part) => part.trim())
    .filter(Boolean);

/** The parts of a SendEmail request that SES's events repeat. */
export function readSendEmail(
  body: SendEmailBody,
  messageId: string,
  context: Context,
  now = new Date(),
): SentMessage {
  const raw = body.Content?.Raw?.Data
    ? rawHeaders(Buffer.from(body.Content.Raw.Data, 'base64').toString('utf8'))
    : undefined;
  const to = body.Destination?.ToAddresses ?? addressList(raw?.get('to'));
  const destination = [
    ...to,
    ...(body.Destination?.CcAddresses ?? addressList(raw?.get('cc'))),
    ...(body.Destination?.BccAddresses ?? []),
  ];
  const from = body.FromEmailAddress ?? raw?.get('from') ?? '';
  const subject =
    body.Content?.Simple?.Subject?.Data ??
    body.Content?.Template?.TemplateContent?.Subject ??
    raw?.get('subject') ??
    '';
  const custom = (body.Content?.Simple?.Headers ?? body.Content?.Template?.Headers ?? []).map((header) => ({
    name: header.Name ?? '',
    value: header.Value ?? '',
  }));
  const tags: Record<string, string[]> = {};
  for (const tag of body.EmailTags ?? []) {
    if (tag.Name) tags[tag.Name] = [...(tags[tag.Name] ?? []), tag.Value ?? ''];
  }
  // SES adds its own tags to every published event.
  if (body.ConfigurationSetName) tags['ses:configuration-set'] = [body.ConfigurationSetName];
  tags['ses:source-ip'] = ['127.0.0.1'];
  tags['ses:from-domain'] = [bareAddress(from).split('@')[1] ?? ''];
  tags['ses:caller-identity'] = ['local'];
  tags['ses:outgoing-ip'] = ['127.0.0.1'];
  return {
    messageId,
    timestamp: now.toISOString(),
    from,
    destination,
    to,
    subject,
    tags,
    headers: [
      { name: 'From', value: from },
      { name: 'To', value: to.join(', ') },
      { name: 'Subject', value: subject },
      { name: 'MIME-Version', value: '1.0' },
      { name: 'Message-ID', value: messageIdHeader(messageId, context.region) },
      ...custom,
    ],
    ...(body.ConfigurationSetName ? { configurationSet: body.ConfigurationSetName } : {}),
  };
}

/** The Message-ID header SES writes into every e-mail it sends. */
export const messageIdHeader = (messageId: string, region: string) =>
  `<${messageId}@${region}.amazonses.com>`;

/** SES's `mail` object for a remembered message. */
export function mailObject(message: SentMessage, context: Context) {
  const domain = bareAddress(message.from).split('@')[1] ?? 'localhost';
  return {
    timestamp: message.timestamp,
    source: message.from,
    sourceArn: `arn:aws:ses:${context.region}:${context.account}:identity/${domain}`,
    sendingAccountId: context.account,
    messageId: message.messageId,
    destination: message.destination,
    headersTruncated: false,
    headers: message.headers,
    commonHeaders: {
      from: [message.from],
      to: message.to,
      messageId: message.messageId,
      subject: message.subject,
    },
    tags: message.tags,
  };
}

/** The key of an event type's own section in SES's record. */
export const sectionKey = (eventType: SesEventType): string =>
  eventType === 'Rendering Failure'
    ? 'failure'
    : eventType === 'DeliveryDelay'
      ? 'deliveryDelay'
      : eventType.toLowerCase();

/** An SES event record as the PutEvents entry SES's EventBridge destination puts on the bus. */
export function toBusEntry(
  detail: { eventType: SesEventType; mail: { tags?: Record<string, string[]> } } & Record<string, unknown>,
  context: Context & { busName: string },
): PutEventsEntry {
  const configurationSet = detail.mail.tags?.['ses:configuration-set']?.[0];
  return {
    Source: sesSource,
    DetailType: sesDetailTypes[detail.eventType],
    Detail: JSON.stringify(detail),
    EventBusName: context.busName,
    Resources: configurationSet
      ? [`arn:aws:ses:${context.region}:${context.account}:configuration-set/${configurationSet}`]
      : [],
  };
}

/**
 * Why a detail is not an event record SES would publish (it fails the alliance's schema, or the
 * event type's own section is missing), or undefined when it is one.
 */
export function sesDetailProblem(detail: unknown): string | undefined {
  const parsed = sesEventDetailSchema.safeParse(detail);
  if (!parsed.success) {
    return `not an SES event record: ${parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(detail)'}: ${issue.message}`)
      .join('; ')}`;
  }
  const key = sectionKey(parsed.data.eventType);
  const section = (detail as Record<string, unknown>)[key];
  if (typeof section !== 'object' || section === null || Array.isArray(section))
    return `an SES ${parsed.data.eventType} event needs its "${key}" object`;
  return undefined;
}

/** Why an `aws.ses` entry is not one SES would publish (also: a detail-type not its event type's). */
export function sesEntryProblem(detailType: string | undefined, detail: unknown): string | undefined {
  const problem = sesDetailProblem(detail);
  if (problem) return problem;
  const { eventType } = detail as { eventType: SesEventType };
  if (detailType !== sesDetailTypes[eventType])
    return `an SES ${eventType} event has detail-type "${sesDetailTypes[eventType]}", not "${detailType}"`;
  return undefined;
}

/** Talking to the running local runtime the way a browser, a mail reader and an operator would. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';

export const baseUrl = () => inject('baseUrl');

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

export interface ApiOptions {
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  token?: string;
  /** A loopback source address (127.x.y.z), so tests stand for different visitors. */
  fromIp?: string;
}

/** A fresh loopback address: each test stands for a different visitor, as far as per-IP limits go. */
export const randomLoopback = () =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

export function api(method: string, pathAndQuery: string, options: ApiOptions = {}): Promise<ApiResponse> {
  const url = new URL(pathAndQuery, baseUrl());
  const payload =
    options.rawBody ??
    (options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8'));
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(payload !== undefined ? { 'content-length': String(Buffer.byteLength(payload)) } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers, localAddress: options.fromIp ?? randomLoopback(), agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: Array<{ name: string; value: string }>;
  at: number;
}

export async function allEmails(): Promise<StoredEmail[]> {
  const response = await fetch(`${inject('sesUrl')}/store`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

export async function emailsTo(address: string): Promise<StoredEmail[]> {
  return (await allEmails()).filter((email) =>
    email.destination.to.some((to) => to.toLowerCase() === address.toLowerCase()),
  );
}

/** Waits until `count` e-mails to the address have arrived, and returns them oldest first. */
export async function waitForEmails(
  address: string,
  count: number,
  timeoutMs = 15_000,
): Promise<StoredEmail[]> {
  return waitFor(
    `${count} e-mail(s) to ${address}`,
    async () => {
      const emails = await emailsTo(address);
      return emails.length >= count ? emails.sort((a, b) => a.at - b.at) : undefined;
    },
    timeoutMs,
  );
}

export const linkIn = (text: string, pathPrefix: string): string => {
  const escaped = pathPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`https?://[^\\s"<>]*${escaped}[^\\s"<>]*`).exec(text);
  if (!match) throw new Error(`no ${pathPrefix} link in:\n${text}`);
  return match[0].replace(/&amp;/g, '&');
};

export const uniqueEmail = (label = 'member') => `${label}-${randomUUID().slice(0, 8)}@example.org`;

export function registration(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Ada Lovelace',
    email: uniqueEmail(),
    organisation: 'Analytical Engines Ltd',
    organisationType: 'sme',
    networks: ['smart-city-alliance'],
    interests: ['mobility'],
    consent: { newsletter: true, privacyNotice: true, formVersion: '2026-11' },
    ...overrides,
  };
}

let documentClient: DynamoDBDocumentClient | undefined;
export const db = () => {
  documentClient ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: inject('dynamoUrl'),
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  return documentClient;
};

export const table = (name: string) => `alliance-${name}`;

export async function memberIdFor(email: string): Promise<string | undefined> {
  const result = await db().send(
    new GetCommand({ TableName: table('members'), Key: { pk: `EMAIL#${email.toLowerCase()}`, sk: 'EMAIL' } }),
  );
  return result.Item?.memberId as string | undefined;
}

export async function memberItems(memberId: string) {
  const result = await db().send(
    new QueryCommand({
      TableName: table('members'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `MEMBER#${memberId}` },
    }),
  );
  return result.Items ?? [];
}

export async function counter(
  metric: string,
  dimension: string,
  granularity: string,
  period: string,
): Promise<number> {
  const result = await db().send(
    new GetCommand({
      TableName: table('counters'),
      Key: { pk: `${metric}#${dimension}`, sk: `${granularity}#${period}` },
    }),
  );
  return Number(result.Item?.count ?? 0);
}

export async function scanAll(tableName: string) {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new ScanCommand({ TableName: table(tableName), ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export const tokenSecret = () => readFileSync(path.join(inject('dataDir'), 'token-secret'), 'utf8').trim();
/** This runtime's pseudonym key, to find items under their keyed labels (booking ids, person keys). */
export const pseudonymKey = () =>
  new TextEncoder().encode(readFileSync(path.join(inject('dataDir'), 'pseudonym-key'), 'utf8').trim());

/** The current month as the counters bucket it (alliance time zone). */
export const londonMonth = (at = new Date()) => {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => parts.find((part) => part.type === type)?.value;
  return `${get('year')}-${get('month')}`;
};

export const pathOf = (url: string) => {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
};

export interface ConfirmedMember {
  email: string;
  memberId: string;
  preferencesUrl: string;
  unsubscribeUrl: string;
  welcome: StoredEmail;
}

/** Registers, confirms from the e-mail, and returns the links the welcome e-mail carries. */
export async function confirmedMember(overrides: Record<string, unknown> = {}): Promise<ConfirmedMember> {
  const body = registration(overrides);
  const registered = await api('POST', '/api/members', { body });
  if (registered.status !== 202)
    throw new Error(`registration failed: ${registered.status} ${registered.text}`);
  const [confirmation] = await waitForEmails(body.email, 1);
  await api('POST', pathOf(linkIn(confirmation?.body.text ?? '', '/api/members/confirm?token=')));
  const [, welcome] = await waitForEmails(body.email, 2);
  if (!welcome) throw new Error('no welcome e-mail');
  return {
    email: body.email,
    memberId: (await memberIdFor(body.email)) as string,
    preferencesUrl: linkIn(welcome.body.text ?? '', '/preferences.html?token='),
    unsubscribeUrl: linkIn(welcome.body.text ?? '', '/api/unsubscribe?token='),
    welcome,
  };
}

export const tokenOf = (url: string) => new URL(url).searchParams.get('token') as string;

/** A bearer token as `npm run token` makes it, signed with this runtime's local key. */
export async function bearerToken(
  groups: string[],
  options: { audience?: string; expiresInSeconds?: number } = {},
) {
  process.env.DATA_DIR = inject('dataDir');
  const { signLocalToken } = await import('../../infra/local/jwt');
  return signLocalToken({ groups, ...options });
}

export interface StoredAttachment {
  content: string;
  contentType: string;
  filename?: string;
}

/** The text of an e-mail's calendar attachment (the emulator keeps attachments base64-encoded). */
export const calendarOf = (email: StoredEmail & { attachments?: StoredAttachment[] }): string | undefined => {
  const attachment = email.attachments?.find((candidate) =>
    candidate.contentType.startsWith('text/calendar'),
  );
  return attachment ? Buffer.from(attachment.content, 'base64').toString('utf8') : undefined;
};

export async function createActivity(overrides: Record<string, unknown> = {}) {
  const startsAt = new Date(Date.now() + 10 * 86_400_000);
  startsAt.setUTCSeconds(0, 0);
  const body = {
    kind: 'alliance-meeting',
    network: 'smart-city-alliance',
    title: 'Smart mobility showcase',
    description: 'Demonstrations from members.',
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 2 * 3_600_000).toISOString(),
    venue: 'Birmingham Science Park',
    onlineUrl: null,
    capacity: 40,
    ...overrides,
  };
  const response = await api('POST', '/api/activities', { body, token: await bearerToken(['staff']) });
  if (response.status !== 201)
    throw new Error(`could not create activity: ${response.status} ${response.text}`);
  return response.json() as {
    id: string;
    startsAt: string;
    endsAt: string;
    capacity: number | null;
    onlineUrl: string | null;
  };
}

/**
 * An RSVP link as the e-mail carries it, signed with this runtime's secret (skips the e-mail round
 * trip). The link names a request, not the person, so the confirm link's request item is stored too.
 */
export async function rsvpLink(activityId: string, email: string, purpose: 'rsvp' | 'rsvp-manage' = 'rsvp') {
  const { SignJWT } = await import('jose');
  const { personKeyWith, rsvpIdWith } = await import('../../functions/activities/domain/rsvp');
  const rsvpId = rsvpIdWith(pseudonymKey(), activityId, email);
  if (purpose === 'rsvp') {
    const item = {
      pk: `ACTIVITY#${activityId}`,
      sk: `REQUEST#${rsvpId}`,
      activityId,
      rsvpId,
      personKey: personKeyWith(pseudonymKey(), email),
      email: email.toLowerCase(),
      name: '',
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    };
    await db().send(new PutCommand({ TableName: table('activities'), Item: item }));
  }
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('alliance')
    .setAudience(purpose)
    .setSubject(`${activityId}|${rsvpId}`)
    .setIssuedAt()
    .sign(new TextEncoder().encode(tokenSecret()));
  return `/api/rsvps/${purpose === 'rsvp' ? 'confirm' : 'cancel'}?token=${token}`;
}

/** RSVPs the way a person does: asks by address, follows the link in the e-mail. */
export async function rsvpByEmail(activityId: string, email: string, name = 'Guest Person') {
  const before = (await emailsTo(email)).length;
  const asked = await api('POST', `/api/activities/${activityId}/rsvps`, { body: { email, name } });
  if (asked.status !== 202) throw new Error(`rsvp request failed: ${asked.status} ${asked.text}`);
  const mails = await waitForEmails(email, before + 1);
  const link = linkIn(mails[before]?.body.text ?? '', '/api/rsvps/confirm?token=');
  const confirmed = await api('POST', pathOf(link));
  return confirmed.json() as { status: 'accepted' | 'waitlisted'; activityId: string };
}

export const runSchedule = async (name: string, time: Date) => {
  const response = await api('POST', `/_local/schedules/${name}`, { body: { time: time.toISOString() } });
  if (response.status !== 200)
    throw new Error(`schedule ${name} failed: ${response.status} ${response.text}`);
  await api('GET', '/_local/bus/idle');
  return (response.json() as { result: { sent: number } }).result;
};

/** Mail-out tests: staff calls, members seeded straight into the audience, mail read back per recipient. */
import { randomBytes, randomUUID } from 'node:crypto';
import { BatchWriteCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { expect, inject } from 'vitest';
import { allEmails, api, bearerToken, db, type StoredEmail, table, waitFor } from './helpers';

let staff: string | undefined;
export const staffToken = async () => {
  staff ??= await bearerToken(['staff']);
  return staff;
};

export async function staffCall(method: string, path: string, body?: unknown) {
  return api(method, path, { token: await staffToken(), ...(body === undefined ? {} : { body }) });
}

export interface MailoutView {
  id: string;
  state: string;
  audienceSize: number;
  sent: number;
  failed: number;
  skipped: number;
  delivered: number;
  bounced: number;
  complained: number;
  opens: { human: number; machine: number };
  uniqueReaders: number;
  clicks: number;
  unsubscribes: number;
  percentDone: number;
  pausedReason: string | null;
}

/** A segment (network, organisation type, interest) that only this test's seeded members share. */
export interface Segment {
  network: string;
  organisationType: string;
  interest: string;
}

export const audienceOf = (segment: Segment) => ({
  networks: [segment.network],
  organisationTypes: [segment.organisationType],
  interests: [segment.interest],
});

export async function draft(subject: string, segment: Segment, markdown = 'Hello **members**.') {
  const created = await staffCall('POST', '/api/mailouts', {
    subject,
    markdown,
    audience: audienceOf(segment),
  });
  expect(created.status, created.text).toBe(201);
  return created.json() as MailoutView & { id: string };
}

export async function mailout(id: string): Promise<MailoutView> {
  const response = await staffCall('GET', `/api/mailouts/${id}`);
  expect(response.status, response.text).toBe(200);
  return response.json() as MailoutView;
}

export const waitForMailout = (
  id: string,
  what: string,
  done: (view: MailoutView) => boolean,
  timeoutMs = 60_000,
) =>
  waitFor(
    `mail-out ${what}`,
    async () => {
      const view = await mailout(id);
      return done(view) ? view : undefined;
    },
    timeoutMs,
  );

export interface SeededMember {
  memberId: string;
  email: string;
}

/**
 * Confirmed members with newsletter consent written straight into the members table, as
 * registration and confirmation leave them (the audience index included): hundreds in a second.
 * `email(i)` picks each address (the SES mailbox simulator's, for bounces and complaints).
 */
export async function seedMembers(
  count: number,
  segment: Segment,
  email: (index: number) => string = () => `seed-${randomUUID().slice(0, 8)}@example.org`,
  memberIdOf: (index: number) => string = () => randomUUID(),
): Promise<SeededMember[]> {
  const now = new Date().toISOString();
  const members = Array.from({ length: count }, (_, index) => ({
    memberId: memberIdOf(index),
    email: email(index),
  }));
  const items = members.flatMap(({ memberId, email: address }) => [
    { pk: `EMAIL#${address.toLowerCase()}`, sk: 'EMAIL', type: 'email', memberId },
    {
      pk: `MEMBER#${memberId}`,
      sk: 'PROFILE',
      type: 'member',
      memberId,
      name: `Seeded ${memberId.slice(0, 6)}`,
      email: address,
      organisation: 'Seeded Org',
      organisationType: segment.organisationType,
      networks: [segment.network],
      interests: [segment.interest],
      newsletter: true,
      formVersion: '2026-11',
      status: 'confirmed',
      registeredAt: now,
      confirmedAt: now,
      audiencePk: 'newsletter',
    },
  ]);
  for (let start = 0; start < items.length; start += 25) {
    await db().send(
      new BatchWriteCommand({
        RequestItems: {
          [table('members')]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  }
  return members;
}

/** The mail-out's e-mails in the emulator, by recipient address (lower case). */
export async function mailoutEmailsByRecipient(subject: string): Promise<Map<string, StoredEmail[]>> {
  const byRecipient = new Map<string, StoredEmail[]>();
  for (const email of await allEmails()) {
    if (email.subject !== subject) continue;
    for (const to of email.destination.to) {
      const key = to.toLowerCase();
      byRecipient.set(key, [...(byRecipient.get(key) ?? []), email]);
    }
  }
  return byRecipient;
}

/** Every delivery record of a mail-out, read from the deliveries table. */
export async function deliveryRecords(mailoutId: string): Promise<Array<Record<string, unknown>>> {
  const records: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: table('deliveries'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `MAILOUT#${mailoutId}` },
        ExclusiveStartKey: startKey,
      }),
    );
    records.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return records;
}

export async function sesFaults(faults: {
  throttleShare?: number;
  rejectShare?: number;
  maxSendRate?: number;
}) {
  const response = await api('POST', '/_local/ses/faults', { body: faults });
  expect(response.status, response.text).toBe(200);
}

export async function injectSesEvents(events: unknown[]) {
  const response = await api('POST', '/_local/ses/events', { body: { events } });
  expect(response.status, response.text).toBe(200);
}

/** Waits until the bus and relay have nothing left in hand. */
export const busIdle = async () => {
  await api('GET', '/_local/bus/idle');
};

/**
 * Markdown under the 200 KB cap whose body is too large to store once rendered: random letters and
 * digits hardly compress, and the body holds them twice (HTML and text).
 */
export const markdownTooLargeOnceRendered = () =>
  randomBytes(140 * 1024)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'x');

/**
 * About 150 KB of Markdown that still renders small enough to store: headings, lists and links around
 * runs of random words (which hardly compress) and ordinary prose. `marker` opens its last section.
 */
export const largeVariedMarkdown = (marker: string) => {
  const sections: string[] = [];
  for (let index = 0; Buffer.byteLength(sections.join('')) < 148 * 1024; index++) {
    const words = (
      randomBytes(80)
        .toString('base64')
        .match(/[A-Za-z0-9]{3,9}/g) ?? []
    ).join(' ');
    sections.push(
      `## Section ${index}\n\n${words}.\n\n- See [item ${index}](https://example.org/items/${index})\n- The working groups met on mobility, energy and skills, and agreed the next steps.\n\n`,
    );
  }
  return `${sections.join('')}## ${marker}\n\nThat is all.\n`;
};

/** The mail-out's header item as stored (what is written for every recipient while it sends). */
export async function storedMailout(id: string): Promise<Record<string, unknown> | undefined> {
  const result = await db().send(
    new GetCommand({ TableName: table('mailouts'), Key: { pk: `MAILOUT#${id}`, sk: 'MAILOUT' } }),
  );
  return result.Item;
}

/** The mail-out's content item as stored: its Markdown and rendered body, which no API answer shows. */
export async function storedMailoutContent(id: string): Promise<Record<string, unknown> | undefined> {
  const result = await db().send(
    new GetCommand({ TableName: table('mailouts'), Key: { pk: `MAILOUT#${id}`, sk: 'CONTENT' } }),
  );
  return result.Item;
}

/**
 * Makes a mail-out look as one saved before the content item was: its Markdown (and, with `body`, its
 * rendered body, as saved before this change) on the header, and no content item.
 */
export async function keepContentOnHeader(id: string, { body }: { body: boolean }): Promise<void> {
  const content = await storedMailoutContent(id);
  expect(content?.markdown).toBeDefined();
  await db().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: table('mailouts'),
            Key: { pk: `MAILOUT#${id}`, sk: 'MAILOUT' },
            UpdateExpression: body
              ? 'SET markdown = :markdown, renderedBody = :body'
              : 'SET markdown = :markdown',
            ExpressionAttributeValues: {
              ':markdown': content?.markdown,
              ...(body ? { ':body': content?.renderedBody } : {}),
            },
          },
        },
        {
          Delete: {
            TableName: table('mailouts'),
            Key: { pk: `MAILOUT#${id}`, sk: 'CONTENT' },
            ConditionExpression: 'attribute_exists(renderedBody)',
          },
        },
      ],
    }),
  );
}

/** Makes a mail-out look as one saved before bodies were stored did: Markdown on the header, no rendered body. */
export const forgetRenderedBody = (id: string) => keepContentOnHeader(id, { body: false });

/** The mail-outs capability's state changes, bound to the runtime's tables as its handlers are. */
export async function mailoutActions() {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoUrl'),
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_MAILOUTS: table('mailouts'),
  });
  const [actions, store] = await Promise.all([
    import('../../functions/mailouts/mailout-actions'),
    import('../../functions/mailouts/mailout-store'),
  ]);
  return { ...actions, ...store };
}

import { createHash } from 'node:crypto';
import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Activity } from '../../functions/activities/domain/activity';
import { personKeyWith, rsvpIdWith } from '../../functions/activities/domain/rsvp';
import { handler as sendRsvpEmail } from '../../functions/activities/send-rsvp-email';
import { lambdaContext } from '../../infra/local/lambda';
import { limitKey, limitLabel } from '../../shared/limits';
import { buildEvent } from '../../shared/outbox';
import { getPseudonymKey } from '../../shared/secrets';
import { issueToken } from '../../shared/tokens';
import { sqsBatch } from './sqs-event';

const activity: Activity = {
  activityId: '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10',
  kind: 'alliance-meeting',
  network: 'smart-city-alliance',
  title: 'Smart mobility showcase',
  description: 'Demos',
  startsAt: '2099-01-14T14:00:00Z',
  endsAt: '2099-01-14T16:00:00Z',
  venue: 'Birmingham Science Park',
  onlineUrl: null,
  capacity: 40,
  status: 'scheduled',
  sequence: 0,
  accepted: 0,
  createdAt: '2026-11-01T10:00:00Z',
  updatedAt: '2026-11-01T10:00:00Z',
};
const email = 'ada.lovelace@example.org';
const name = 'Ada Lovelace';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const keyA = new TextEncoder().encode('first-pseudonym-key-for-this-test-0123456789');
const keyB = new TextEncoder().encode('second-pseudonym-key-for-this-test-987654321');

describe('labels that stand for addresses and IPs', () => {
  it('booking ids, person keys and limit keys change with the key and are not the plain SHA-256 anyone could recompute', () => {
    const labels = (key: Uint8Array) => ({
      rsvpId: rsvpIdWith(key, activity.activityId, email),
      personKey: personKeyWith(key, email),
      limit: limitLabel(key, limitKey('rsvp-ip', '203.0.113.7')),
    });
    const [underA, underB] = [labels(keyA), labels(keyB)];

    for (const kind of ['rsvpId', 'personKey', 'limit'] as const) {
      expect(underA[kind], kind).not.toBe(underB[kind]);
    }
    // What the labels used to be: unsalted SHA-256 of the address or IP.
    expect(underA.rsvpId).not.toBe(sha256(`${activity.activityId}\n${email}`).slice(0, 32));
    expect(underA.personKey).not.toBe(sha256(`person\n${email}`).slice(0, 32));
    expect(underA.limit).not.toBe(sha256('203.0.113.7').slice(0, 24));
    expect(rsvpIdWith(keyA, activity.activityId, 'Ada.Lovelace@Example.org')).toBe(underA.rsvpId);
  });
});

const dynamo = mockClient(DynamoDBClient);
const documents = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);

describe('RSVP links', () => {
  beforeEach(async () => {
    const rsvpId = rsvpIdWith(await getPseudonymKey(), activity.activityId, email);
    dynamo.reset();
    documents.reset();
    ses.reset();
    dynamo.on(PutItemCommand).resolves({});
    dynamo.on(UpdateItemCommand).resolves({});
    dynamo.on(DeleteItemCommand).resolves({});
    documents.on(GetCommand).callsFake((input: { Key: { sk: string } }) => {
      const { sk } = input.Key;
      if (sk === 'META') return { Item: { pk: `ACTIVITY#${activity.activityId}`, sk, ...activity } };
      if (sk !== `REQUEST#${rsvpId}`) return {};
      const expiresAt = Math.floor(Date.now() / 1000) + 3600;
      return { Item: { pk: `ACTIVITY#${activity.activityId}`, sk, rsvpId, email, name, expiresAt } };
    });
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  it('the link in the RSVP e-mail carries neither the address nor the name, readable or encoded', async () => {
    const rsvpId = rsvpIdWith(await getPseudonymKey(), activity.activityId, email);
    const { activityId, kind, network, startsAt } = activity;
    const requested = buildEvent('RsvpRequested', { activityId, kind, network, startsAt, rsvpId });

    const batch = sqsBatch('send-rsvp-email', { detailType: 'RsvpRequested', detail: requested });
    for (const record of batch.Records)
      record.body = record.body.replace('"alliance.members"', '"alliance.activities"');

    const answer = await sendRsvpEmail(batch, lambdaContext('send-rsvp-email', 30));

    expect(answer.batchItemFailures).toEqual([]);
    const sent = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(sent?.Destination?.ToAddresses).toEqual([email]);
    const text = sent?.Content?.Simple?.Body?.Text?.Data ?? '';
    const token = decodeURIComponent(/\/api\/rsvps\/confirm\?token=([^\s)>\]]+)/.exec(text)?.[1] ?? '');
    const [header, payload] = token.split('.');
    expect(header).toBeTruthy();
    const decoded = Buffer.from(payload ?? '', 'base64url').toString('utf8');
    expect(JSON.parse(decoded)).toMatchObject({ aud: 'rsvp', sub: `${activityId}|${rsvpId}` });
    for (const personal of [email, 'ada.lovelace', 'Ada', 'Lovelace']) {
      expect(decoded, 'the token payload').not.toContain(personal);
      expect(token, 'the token').not.toContain(personal);
    }
  });

  it('a token is never signed over an address or a name', async () => {
    await expect(issueToken('rsvp-manage', `${activity.activityId}|${email}`)).rejects.toThrow(
      /personal data/,
    );
    await expect(
      issueToken('rsvp', `${activity.activityId}|${'a'.repeat(32)}`, 60, { name: 'Ada Lovelace' }),
    ).rejects.toThrow(/personal data/);
  });
});

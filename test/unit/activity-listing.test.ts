import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listingQuerySchema, listingWindow } from '../../functions/activities/domain/listing';
import { handler } from '../../functions/activities/list-activities';
import { context, httpEvent } from './http-event';

const now = new Date('2027-03-01T12:00:00.000Z');
const dynamo = mockClient(DynamoDBDocumentClient);

const stored = (title: string, startsAt: string, status: 'scheduled' | 'cancelled' = 'scheduled') => ({
  pk: `ACTIVITY#${title}`,
  sk: 'META',
  listPk: 'ACTIVITY',
  activityId: title,
  kind: 'workshop',
  network: 'smart-city-alliance',
  title,
  description: '',
  startsAt,
  endsAt: new Date(Date.parse(startsAt) + 3_600_000).toISOString(),
  venue: 'Hall',
  onlineUrl: 'https://meet.example.org/secret',
  capacity: 10,
  accepted: 3,
  status,
  sequence: 0,
  createdAt: startsAt,
  updatedAt: startsAt,
});

const list = (query?: Record<string, string>) =>
  handler(httpEvent('GET /api/activities', query ? { query } : {}), context);

beforeEach(() => dynamo.reset());

describe('which activities a listing shows', () => {
  it('by default: upcoming scheduled activities from now on, soonest first (the public page)', () => {
    expect(listingWindow(listingQuerySchema.parse({}), now)).toEqual({
      from: '2027-03-01T12:00:00.000Z',
      to: '2101-01-01T00:00:00.000Z',
      newestFirst: false,
      includeCancelled: false,
    });
  });

  it('past: everything that started before now, latest first, cancelled ones on request', () => {
    expect(listingWindow(listingQuerySchema.parse({ when: 'past', cancelled: 'include' }), now)).toEqual({
      from: '2000-01-01T00:00:00.000Z',
      to: '2027-03-01T12:00:00.000Z',
      newestFirst: true,
      includeCancelled: true,
    });
  });

  it('staff see past activities, latest first, including cancelled ones, and never the online link', async () => {
    dynamo.on(QueryCommand).resolves({
      Items: [
        stored('March', '2026-03-01T10:00:00.000Z', 'cancelled'),
        stored('Jan', '2026-01-01T10:00:00.000Z'),
      ],
    });

    const response = await list({ when: 'past', cancelled: 'include' });

    expect(response.statusCode).toBe(200);
    const body = JSON.parse(String(response.body)) as {
      activities: Array<Record<string, unknown>>;
    };
    expect(body.activities.map((activity) => [activity.title, activity.status])).toEqual([
      ['March', 'cancelled'],
      ['Jan', 'scheduled'],
    ]);
    expect(JSON.stringify(body)).not.toContain('meet.example.org');
    const input = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input?.ScanIndexForward).toBe(false);
    expect(input?.FilterExpression).toBeUndefined();
    expect(input?.ExpressionAttributeValues?.[':from']).toBe('2000-01-01T00:00:00.000Z');
  });

  it('the public listing still reads only scheduled activities from now on, soonest first', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });

    const response = await list();

    expect(response.statusCode).toBe(200);
    const input = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input?.ScanIndexForward).toBe(true);
    expect(input?.FilterExpression).toBe('#status = :scheduled');
    expect(input?.ExpressionAttributeValues?.[':to']).toBe('2101-01-01T00:00:00.000Z');
  });

  it('an unknown `when` is refused with a message naming the choices', async () => {
    const response = await list({ when: 'yesterday' });

    expect(response.statusCode).toBe(400);
    expect(String(response.body)).toContain('when must be upcoming or past');
  });
});

import { describe, expect, it } from 'vitest';
import { counterKey, countersFor } from '../../functions/counters/domain/counter-keys';
import { buildEvent } from '../../shared/outbox';
import { periodsOf } from '../../shared/time';

const registered = (occurredAt: string, networks = ['smart-city-alliance']) =>
  buildEvent('MemberRegistered', {
    memberId: '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10',
    organisationType: 'university',
    networks,
    interests: [],
    newsletter: true,
    formVersion: '2026-11',
    occurredAt,
  });

describe('counter buckets', () => {
  it('a sign-up late on 30 June (UTC) counts in July when the alliance keeps British Summer Time', () => {
    expect(periodsOf('2026-06-30T23:30:00Z')).toEqual({ day: '2026-07-01', month: '2026-07', year: '2026' });
    expect(periodsOf('2026-12-31T23:30:00Z')).toEqual({ day: '2026-12-31', month: '2026-12', year: '2026' });
  });

  it('a registration moves all, organisation-type and each network counter by day, month and year', () => {
    const increments = countersFor(
      'MemberRegistered',
      registered('2026-11-27T10:00:00Z', ['smart-city-alliance', 'working-groups']),
    );

    const keys = increments
      .map((increment) => `${counterKey(increment).pk} ${counterKey(increment).sk}`)
      .sort();
    expect(keys).toEqual(
      [
        'members.registered#all',
        'members.registered#network=smart-city-alliance',
        'members.registered#network=working-groups',
        'members.registered#organisationType=university',
      ]
        .flatMap((pk) => [`${pk} day#2026-11-27`, `${pk} month#2026-11`, `${pk} year#2026`])
        .sort(),
    );
    expect(increments.every((increment) => increment.by === 1)).toBe(true);
  });

  it('the same event always yields the same increments, so a replay rebuilds identical counters', () => {
    const event = registered('2020-03-01T09:00:00Z');
    expect(countersFor('MemberRegistered', event)).toEqual(countersFor('MemberRegistered', event));
  });

  it('an event the counters do not track moves nothing', () => {
    const event = buildEvent('MemberRegistrationRepeated', {
      memberId: '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10',
      memberStatus: 'pending',
    });
    expect(countersFor('MemberRegistrationRepeated', event)).toEqual([]);
  });
});

const mailoutId = '0e9f3c1a-7b2d-4c5e-8f10-2a3b4c5d6e7f';

const recipientUpdated = (
  change: 'sent' | 'failed' | 'delivered' | 'bounced' | 'complained' | 'read' | 'clicked' | 'machine-opened',
  occurredAt = '2027-01-02T09:00:00Z',
) =>
  buildEvent('MailoutRecipientUpdated', {
    mailoutId,
    recipientKey: 'abcdef0123456789',
    change,
    mailoutStartedAt: '2026-12-31T23:30:00Z',
    occurredAt,
  });

const pksOf = (increments: ReturnType<typeof countersFor>) =>
  [...new Set(increments.map((increment) => counterKey(increment).pk))].sort();

describe('mail-out counters', () => {
  it.each([
    ['sent', 'mailouts.emails.sent'],
    ['failed', 'mailouts.emails.failed'],
    ['delivered', 'mailouts.emails.delivered'],
    ['bounced', 'mailouts.emails.bounced'],
    ['complained', 'mailouts.emails.complained'],
    ['read', 'mailouts.readers'],
    ['clicked', 'mailouts.clicks'],
    ['machine-opened', 'mailouts.opens.machine'],
  ] as const)('a recipient %s moves %s for all mail-outs and for that mail-out', (change, metric) => {
    expect(pksOf(countersFor('MailoutRecipientUpdated', recipientUpdated(change)))).toEqual([
      `${metric}#all`,
      `${metric}#mailout=${mailoutId}`,
    ]);
  });

  it("a bounce that arrives in January counts in the period the mail-out started (December's)", () => {
    const increments = countersFor(
      'MailoutRecipientUpdated',
      recipientUpdated('bounced', '2027-01-02T09:00:00Z'),
    );
    expect([...new Set(increments.map((increment) => counterKey(increment).sk))].sort()).toEqual([
      'day#2026-12-31',
      'month#2026-12',
      'year#2026',
    ]);
    expect(increments.every((increment) => increment.by === 1)).toBe(true);
  });

  it('a finished mail-out counts once as a mail-out sent, in the month it started', () => {
    const increments = countersFor(
      'MailoutCompleted',
      buildEvent('MailoutCompleted', {
        mailoutId,
        outcome: 'sent',
        audienceSize: 10,
        sent: 9,
        failed: 1,
        startedAt: '2026-11-30T23:59:00Z',
        occurredAt: '2026-12-01T00:10:00Z',
      }),
    );
    expect(
      increments.map((increment) => `${counterKey(increment).pk} ${counterKey(increment).sk}`).sort(),
    ).toEqual([
      'mailouts.sent#all day#2026-11-30',
      'mailouts.sent#all month#2026-11',
      'mailouts.sent#all year#2026',
    ]);
  });

  it('a cancelled mail-out is not counted as sent', () => {
    const event = buildEvent('MailoutCompleted', {
      mailoutId,
      outcome: 'cancelled',
      audienceSize: 10,
      sent: 3,
      failed: 0,
      startedAt: '2026-11-30T10:00:00Z',
    });
    expect(countersFor('MailoutCompleted', event)).toEqual([]);
  });

  it('an unsubscribe from a mail-out link also counts against that mail-out', () => {
    const event = buildEvent('MemberUnsubscribed', {
      memberId: '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10',
      organisationType: 'university',
      method: 'one-click-unsubscribe',
      mailoutId,
    });
    expect(pksOf(countersFor('MemberUnsubscribed', event))).toEqual([
      'members.unsubscribed#all',
      `members.unsubscribed#mailout=${mailoutId}`,
      'members.unsubscribed#organisationType=university',
    ]);
  });

  it('an unsubscribe from the preferences page counts against no mail-out', () => {
    const event = buildEvent('MemberUnsubscribed', {
      memberId: '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10',
      organisationType: 'university',
      method: 'preferences-page',
    });
    expect(pksOf(countersFor('MemberUnsubscribed', event))).toEqual([
      'members.unsubscribed#all',
      'members.unsubscribed#organisationType=university',
    ]);
  });
});

describe('the counters subscription', () => {
  it('receives exactly the detail-types the counters count', async () => {
    const { subscriptions } = await import('../../infra/catalogue');
    const { countedDetailTypes } = await import('../../functions/counters/domain/counter-keys');
    const subscription = subscriptions.find((entry) => entry.name === 'update-counters');
    expect([...(subscription?.pattern['detail-type'] ?? [])].sort()).toEqual([...countedDetailTypes].sort());
  });
});

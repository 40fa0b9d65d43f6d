import { describe, expect, it } from 'vitest';
import {
  type CounterIncrement,
  countedMetrics,
  countersFor,
  distinctCountersFor,
  isCountedMetric,
  mailoutRecipientMetrics,
} from '../../functions/counters/domain/counter-keys';
import type { DetailType, NewEventDetail } from '../../shared/events';
import { buildEvent } from '../../shared/outbox';

const activity = {
  activityId: '2b0e3f4a-9c1d-4e5f-8a7b-6c5d4e3f2a1b',
  kind: 'workshop',
  network: 'smart-city-alliance',
  startsAt: '2024-03-14T10:00:00Z',
};
const memberId = '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10';
const attendeeKey = 'a1b2c3d4e5f6a7b8';

/** One example of every counted event, so every rule is exercised against the declarations. */
/** An example event with its detail-type, so each rule is called with the type it is for. */
const typed = <T extends DetailType>(detailType: T, detail: NewEventDetail<T>) => ({
  detailType,
  event: buildEvent(detailType, detail),
});

const examples = [
  typed('MemberRegistered', {
    memberId,
    organisationType: 'sme',
    networks: ['working-groups'],
    interests: [],
    newsletter: true,
    formVersion: '2026-11',
  }),
  typed('MemberConfirmed', {
    memberId,
    organisationType: 'sme',
    networks: ['working-groups'],
    interests: [],
    newsletter: true,
    registeredAt: '2026-11-01T10:00:00Z',
  }),
  typed('MemberUnsubscribed', {
    memberId,
    organisationType: 'sme',
    method: 'one-click-unsubscribe',
    mailoutId: memberId,
  }),
  typed('MemberErased', { memberId, organisationType: 'sme', wasConfirmed: true }),
  typed('ActivityScheduled', { ...activity, capacity: null }),
  typed('ActivityRescheduled', { ...activity, previousStartsAt: '2024-05-01T10:00:00Z', sequence: 1 }),
  typed('ActivityCancelled', activity),
  typed('RsvpAccepted', { ...activity, rsvpId: attendeeKey }),
  typed('RsvpPromoted', { ...activity, rsvpId: attendeeKey }),
  typed('RsvpWaitlisted', { ...activity, rsvpId: attendeeKey }),
  typed('RsvpCancelled', { ...activity, rsvpId: attendeeKey, previousStatus: 'accepted' }),
  typed('AttendanceRecorded', { ...activity, attendeeKey, member: true }),
  typed('ReminderSent', { ...activity, rsvpId: attendeeKey, offsetHours: 24 }),
  typed('MailoutRecipientUpdated', {
    mailoutId: memberId,
    recipientKey: attendeeKey,
    change: 'read',
    mailoutStartedAt: '2024-03-01T09:00:00Z',
  }),
  typed('MailoutCompleted', {
    mailoutId: memberId,
    outcome: 'sent',
    audienceSize: 3,
    sent: 3,
    failed: 0,
    startedAt: '2024-03-01T09:00:00Z',
  }),
  typed('PageViewed', { page: '/activities.html' }),
  typed('FeedbackRequested', { ...activity, attendeeKey }),
  typed('FeedbackGiven', {
    ...activity,
    attendeeKey,
    rating: 4,
    previousRating: null,
    hasComment: false,
  }),
] as const;

describe('counted metrics are declared once, with their meaning and dimensions', () => {
  // Every recipient change of a mail-out, each moving its own metric.
  const recipientChanges = Object.keys(mailoutRecipientMetrics).flatMap((change) =>
    countersFor(
      'MailoutRecipientUpdated',
      buildEvent('MailoutRecipientUpdated', {
        mailoutId: memberId,
        recipientKey: attendeeKey,
        change: change as keyof typeof mailoutRecipientMetrics,
        mailoutStartedAt: '2024-03-01T09:00:00Z',
      }),
    ),
  );
  const moved = recipientChanges.concat(
    examples.flatMap(({ detailType, event }) => [
      ...countersFor(detailType, event as never),
      ...distinctCountersFor(detailType, event as never).map((distinct) => ({ ...distinct, by: 1 })),
    ]),
  );

  it('every counter a rule moves is a declared metric, kept by a declared dimension', () => {
    expect(moved.length).toBeGreaterThan(0);
    for (const increment of moved) {
      expect(isCountedMetric(increment.metric), increment.metric).toBe(true);
      if (!isCountedMetric(increment.metric)) continue;
      const dimension = increment.dimension.split('=')[0] ?? '';
      if (increment.dimension !== 'all') {
        expect(countedMetrics[increment.metric].dimensions as readonly string[], increment.metric).toContain(
          dimension,
        );
      }
    }
  });

  it('every declared metric is moved by some rule, and every declared dimension by some event', () => {
    for (const [metric, declaration] of Object.entries(countedMetrics)) {
      const own = moved.filter((increment) => increment.metric === metric);
      expect(own.length, `${metric} is declared but no rule moves it`).toBeGreaterThan(0);
      for (const dimension of declaration.dimensions) {
        expect(
          own.some((increment) => increment.dimension.startsWith(`${dimension}=`)),
          `${metric} declares ${dimension} but no rule keeps it by that`,
        ).toBe(true);
      }
    }
  });
});

describe('members, page views and feedback', () => {
  const pks = (increments: CounterIncrement[]) =>
    increments
      .filter((increment) => increment.granularity === 'month')
      .map((i) => `${i.metric}#${i.dimension} ${i.by}`);

  it('a confirmation adds a current member and an erasure of a confirmed member takes one away', () => {
    const confirmed = countersFor('MemberConfirmed', examples[1].event);
    const erased = countersFor('MemberErased', examples[3].event);
    expect(pks(confirmed)).toContain('members.current#organisationType=sme 1');
    expect(pks(erased)).toContain('members.current#organisationType=sme -1');
  });

  it('erasing someone who never confirmed leaves the current members alone', () => {
    const erased = countersFor(
      'MemberErased',
      buildEvent('MemberErased', { memberId, organisationType: 'sme', wasConfirmed: false }),
    );
    expect(erased.some((increment) => increment.metric === 'members.current')).toBe(false);
  });

  it('a page view counts for all pages and for its page', () => {
    expect(pks(countersFor('PageViewed', examples[15].event))).toEqual([
      'website.views#all 1',
      'website.views#page=/activities.html 1',
    ]);
  });

  it('a first rating counts one response and its rating, in the month of the activity', () => {
    const first = countersFor('FeedbackGiven', examples[17].event);
    expect(first.find((i) => i.metric === 'feedback.responses' && i.granularity === 'month')?.period).toBe(
      '2024-03',
    );
    expect(pks(first)).toContain('feedback.responses#kind=workshop 1');
    expect(pks(first)).toContain('feedback.ratingSum#kind=workshop 4');
  });

  it('a changed rating moves only the rating sum, by the difference', () => {
    const changed = countersFor(
      'FeedbackGiven',
      buildEvent('FeedbackGiven', {
        ...activity,
        attendeeKey,
        rating: 2,
        previousRating: 4,
        hasComment: true,
      }),
    );
    expect(changed.some((increment) => increment.metric === 'feedback.responses')).toBe(false);
    expect(pks(changed)).toContain('feedback.ratingSum#all -2');
  });
});

import { describe, expect, it } from 'vitest';
import { milestone, progressSummary, secondsLeft } from '../../web/console/src/mailouts/progress';
import type { MailoutSummary } from '../../web/console/src/mailouts/types';
import { zonedToIso } from '../../web/console/src/zoned-time';

const sending = (figures: Partial<MailoutSummary>): MailoutSummary => ({
  id: 'm',
  subject: 'S',
  preheader: null,
  audience: {},
  followUpOf: null,
  createdAt: '2027-01-01T00:00:00Z',
  updatedAt: '2027-01-01T00:00:00Z',
  scheduledAt: null,
  state: 'sending',
  audienceSize: 40,
  queued: 0,
  sent: 0,
  failed: 0,
  skipped: 0,
  delivered: 0,
  bounced: 0,
  bouncedPermanent: 0,
  bouncedTransient: 0,
  complained: 0,
  opens: { human: 0, machine: 0 },
  uniqueReaders: 0,
  clicks: 0,
  unsubscribes: 0,
  percentDone: 0,
  startedAt: '2027-01-01T00:00:00Z',
  finishedAt: null,
  sendRatePerSecond: null,
  pausedReason: null,
  ...figures,
});

describe('the console’s progress of a sending mail-out', () => {
  it('says sent of audience, the rate, failures and the time left at the rate so far', () => {
    const mailout = sending({ sent: 11, failed: 1, percentDone: 30, sendRatePerSecond: 4 });
    expect(secondsLeft(mailout)).toBe(7);
    expect(progressSummary(mailout)).toBe('11 of 40 sent (30%) · 4 a second · 1 failed · about 7 s left');
    expect(progressSummary(sending({}))).toBe('0 of 40 sent (0%) · 0 failed · time left not known yet');
  });

  it('announces each quarter once and the end once, never every refresh', () => {
    expect(milestone(sending({ percentDone: 10 }), 0)).toBeUndefined();
    expect(milestone(sending({ percentDone: 26, sent: 11 }), 0)).toEqual({
      quarter: 1,
      message: 'Sending: 25% done, 11 of 40 sent.',
    });
    expect(milestone(sending({ percentDone: 40 }), 1)).toBeUndefined();
    expect(milestone(sending({ percentDone: 99.9 }), 1)?.quarter).toBe(3);
    const done = sending({ state: 'sent', sent: 39, failed: 1, percentDone: 100 });
    expect(milestone(done, 3)?.message).toBe('Mail-out sent: 39 of 40 sent, 1 failure.');
    expect(milestone(done, 4)).toBeUndefined();
  });

  it('reads a time typed for the alliance’s zone as that zone’s wall clock, summer and winter', () => {
    expect(zonedToIso('2027-01-14T09:00', 'Europe/London')).toBe('2027-01-14T09:00:00+00:00');
    expect(zonedToIso('2027-07-14T09:00', 'Europe/London')).toBe('2027-07-14T09:00:00+01:00');
    expect(zonedToIso('not a time', 'Europe/London')).toBeUndefined();
  });
});

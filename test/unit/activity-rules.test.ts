import { describe, expect, it } from 'vitest';
import {
  type Activity,
  applyActivityChange,
  newActivitySchema,
  publicActivity,
} from '../../functions/activities/domain/activity';
import { calendarInvite } from '../../functions/activities/domain/calendar';
import { parseRsvpSubject, rsvpIdWith, rsvpSubject } from '../../functions/activities/domain/rsvp';
import { dueReminder } from '../../functions/reminders/domain/due-reminders';
import { csvCell, toCsv } from '../../shared/csv';
import { deterministicUuid } from '../../shared/ids';

const activity: Activity = {
  activityId: '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10',
  kind: 'alliance-meeting',
  network: 'smart-city-alliance',
  title: 'Smart mobility showcase',
  description: 'Demos',
  startsAt: '2027-01-14T14:00:00Z',
  endsAt: '2027-01-14T16:00:00Z',
  venue: 'Birmingham Science Park',
  onlineUrl: 'https://meet.example.org/abc',
  capacity: 40,
  status: 'scheduled',
  sequence: 0,
  accepted: 12,
  createdAt: '2026-11-01T10:00:00Z',
  updatedAt: '2026-11-01T10:00:00Z',
};

const start = '2027-01-14T14:00:00Z';
const at = (iso: string) => new Date(iso);

describe('which reminder is due', () => {
  it('sends the 7-day reminder once its moment has passed, and the 1-day one later', () => {
    expect(dueReminder([168, 24], start, '2026-12-01T00:00:00Z', at('2027-01-07T13:59:00Z'))).toEqual({
      settle: [],
    });
    expect(dueReminder([168, 24], start, '2026-12-01T00:00:00Z', at('2027-01-07T14:01:00Z'))).toEqual({
      send: 168,
      settle: [],
    });
    expect(dueReminder([168, 24], start, '2026-12-01T00:00:00Z', at('2027-01-13T14:01:00Z'))).toEqual({
      send: 24,
      settle: [168],
    });
  });

  it('sends nothing once the activity has started', () => {
    expect(dueReminder([168, 24], start, '2026-12-01T00:00:00Z', at('2027-01-14T14:00:00Z'))).toEqual({
      settle: [],
    });
  });

  it('skips a reminder whose moment had passed before the person booked', () => {
    expect(dueReminder([168, 24], start, '2027-01-10T09:00:00Z', at('2027-01-10T10:00:00Z'))).toEqual({
      settle: [],
    });
    expect(dueReminder([168, 24], start, '2027-01-10T09:00:00Z', at('2027-01-13T15:00:00Z'))).toEqual({
      send: 24,
      settle: [],
    });
  });
});

describe('activities', () => {
  it('the public view never carries the online link', () => {
    const shown = publicActivity(activity);
    expect(JSON.stringify(shown)).not.toContain('meet.example.org');
    expect(shown).toMatchObject({
      online: true,
      placesLeft: 28,
      startsAtDisplay: 'Thursday, 14 January 2027 at 14:00 GMT',
    });
  });

  it('a new time bumps the calendar sequence; a new title does not', () => {
    expect(applyActivityChange(activity, { title: 'New title' })).toMatchObject({
      changed: ['title'],
      moved: false,
      next: { sequence: 0 },
    });
    expect(
      applyActivityChange(activity, { startsAt: '2027-01-14T15:00:00Z', endsAt: '2027-01-14T17:00:00Z' }),
    ).toMatchObject({
      moved: true,
      rescheduled: true,
      next: { sequence: 1 },
    });
  });

  it('capacity cannot drop below the people already booked, and the end stays after the start', () => {
    expect(applyActivityChange(activity, { capacity: 5 }).problems).toEqual([
      { field: 'capacity', message: expect.stringContaining('12') },
    ]);
    expect(
      applyActivityChange(activity, { endsAt: '2027-01-14T13:00:00Z' }).problems.map(
        (problem) => problem.field,
      ),
    ).toEqual(['endsAt']);
  });

  it('needs a venue or an online link, and an https link', () => {
    const base = {
      kind: 'workshop',
      network: 'smart-city-alliance',
      title: 'T',
      startsAt: start,
      endsAt: '2027-01-14T16:00:00Z',
    };
    expect(newActivitySchema.safeParse(base).success).toBe(false);
    expect(newActivitySchema.safeParse({ ...base, onlineUrl: 'http://insecure.example.org' }).success).toBe(
      false,
    );
    expect(newActivitySchema.safeParse({ ...base, onlineUrl: 'https://meet.example.org/x' }).success).toBe(
      true,
    );
  });
});

describe('calendar invites', () => {
  it('a request carries the online link for an attendee, a public download does not', () => {
    const forAttendee = calendarInvite(activity, {
      method: 'REQUEST',
      attendee: { email: 'ada@example.org' },
      includeOnlineLink: true,
    });
    const forAnyone = calendarInvite(activity, { method: 'PUBLISH', includeOnlineLink: false });
    expect(forAttendee).toContain('METHOD:REQUEST');
    expect(forAttendee).toContain('meet.example.org/abc');
    expect(forAttendee).toContain('SEQUENCE:0');
    expect(forAnyone).not.toContain('meet.example.org');
  });

  it('a cancellation says METHOD:CANCEL and STATUS:CANCELLED for the same UID', () => {
    const cancel = calendarInvite(
      { ...activity, sequence: 2 },
      { method: 'CANCEL', attendee: { email: 'ada@example.org' }, includeOnlineLink: false },
    );
    expect(cancel).toContain('METHOD:CANCEL');
    expect(cancel).toContain('STATUS:CANCELLED');
    expect(cancel).toContain(`UID:${activity.activityId}@alliance`);
    expect(cancel).toContain('SEQUENCE:2');
  });
});

describe('identities that make repeats harmless', () => {
  it('one booking id per person and activity, whatever the case of the address', () => {
    const key = new TextEncoder().encode('a-pseudonym-key-for-this-test-only-0123456789');
    const rsvpIdFor = (activityId: string, email: string) => rsvpIdWith(key, activityId, email);
    expect(rsvpIdFor(activity.activityId, 'Ada@Example.org')).toBe(
      rsvpIdFor(activity.activityId, 'ada@example.org'),
    );
    expect(rsvpIdFor(activity.activityId, 'ada@example.org')).not.toBe(
      rsvpIdFor(activity.activityId, 'bob@example.org'),
    );
    const rsvpId = rsvpIdFor(activity.activityId, 'Ada@Example.org');
    expect(parseRsvpSubject(rsvpSubject(activity.activityId, rsvpId))).toEqual({
      activityId: activity.activityId,
      rsvpId,
    });
  });

  it('the same attendance always has the same event id, a valid UUID', () => {
    const id = deterministicUuid('attendance', activity.activityId, 'person');
    expect(id).toBe(deterministicUuid('attendance', activity.activityId, 'person'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('CSV for spreadsheets', () => {
  it('quotes every cell, doubles quotes, and defuses formulas', () => {
    expect(csvCell('Smith, Ada')).toBe('"Smith, Ada"');
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(toCsv(['a', 'b'], [['x"y', null]])).toBe('"a","b"\r\n"x""y",""\r\n');
  });
});

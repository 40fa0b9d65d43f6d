import { describe, expect, it } from 'vitest';
import {
  type Activity,
  activityChangeSchema,
  applyActivityChange,
  newActivitySchema,
} from '../../functions/activities/domain/activity';
import { sendMailoutSchema } from '../../functions/mailouts/domain/mailout';

const draft = {
  kind: 'workshop',
  network: 'smart-city-alliance',
  title: 'Open data clinic',
  startsAt: '2027-01-14T14:00:00Z',
  endsAt: '2027-01-14T16:00:00Z',
  venue: 'Hall',
};

/** The fields zod named, with their messages. */
const problems = (result: {
  success: boolean;
  error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
}) => (result.error?.issues ?? []).map((issue) => [issue.path.join('.'), issue.message]);

describe('activity times are stored in UTC', () => {
  it('a time written with any offset is stored as the same moment in UTC', () => {
    const parsed = newActivitySchema.parse({
      ...draft,
      startsAt: '2027-01-14T02:00:00-12:00',
      endsAt: '2027-01-15T06:00:00+14:00',
    });
    expect(parsed.startsAt).toBe('2027-01-14T14:00:00.000Z');
    expect(parsed.endsAt).toBe('2027-01-14T16:00:00.000Z');
    expect(activityChangeSchema.parse({ startsAt: '2027-01-14T15:30:00+01:30' }).startsAt).toBe(
      '2027-01-14T14:00:00.000Z',
    );
  });

  it.each([
    ['1999', '1999-12-31T23:00:00Z'],
    ['2101', '2101-01-01T00:00:00Z'],
    ['9999 (year 10000 in UTC)', '9999-12-31T23:00:00-14:00'],
  ])('a start in %s is refused with the field named', (_year, startsAt) => {
    const created = newActivitySchema.safeParse({ ...draft, startsAt });
    const changed = activityChangeSchema.safeParse({ startsAt });
    expect(problems(created)).toContainEqual(['startsAt', 'startsAt must be in the years 2000 to 2100']);
    expect(problems(changed)).toContainEqual(['startsAt', 'startsAt must be in the years 2000 to 2100']);
  });

  it('an end in year 9999 is refused with the field named', () => {
    const result = newActivitySchema.safeParse({ ...draft, endsAt: '9999-01-01T00:00:00Z' });
    expect(problems(result)).toContainEqual(['endsAt', 'endsAt must be in the years 2000 to 2100']);
  });

  it('the same moment written in UTC is no change to an activity stored with an offset', () => {
    const stored = { ...draft, startsAt: '2027-01-14T15:00:00+01:00', sequence: 0, accepted: 0 } as Activity;
    const change = activityChangeSchema.parse({ startsAt: '2027-01-14T14:00:00Z' });
    const { changed, moved } = applyActivityChange(stored, change);
    expect(changed).toEqual([]);
    expect(moved).toBe(false);
  });
});

describe('a mail-out sent at a time', () => {
  it('stores the time in UTC and refuses years outside 2000 to 2100', () => {
    expect(sendMailoutSchema.parse({ at: '2027-01-14T09:00:00-05:00' }).at).toBe('2027-01-14T14:00:00.000Z');
    expect(problems(sendMailoutSchema.safeParse({ at: '9999-12-31T23:00:00-14:00' }))).toEqual([
      ['at', 'at must be in the years 2000 to 2100'],
    ]);
  });
});

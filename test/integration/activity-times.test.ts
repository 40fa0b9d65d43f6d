import { describe, expect, it } from 'vitest';
import { api, bearerToken, createActivity } from './helpers';

const hours = (count: number) => count * 3_600_000;

/** The same instant written as local time at a fixed offset, e.g. `2027-01-14T02:00:00-12:00`. */
function withOffset(instant: Date, offsetHours: number): string {
  const local = new Date(instant.getTime() + hours(offsetHours)).toISOString().slice(0, 19);
  const sign = offsetHours < 0 ? '-' : '+';
  return `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
}

describe('times written with any offset', () => {
  it('the listing shows what starts later and hides what already started, whatever offset staff wrote', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const soon = new Date(now + hours(3));
    const started = new Date(now - hours(3));
    const later = await createActivity({
      title: 'Starts in three hours (written at -12:00)',
      startsAt: withOffset(soon, -12),
      endsAt: withOffset(new Date(soon.getTime() + hours(2)), -12),
    });
    const begun = await createActivity({
      title: 'Started three hours ago (written at +14:00)',
      startsAt: withOffset(started, 14),
      endsAt: withOffset(new Date(started.getTime() + hours(5)), 14),
    });

    const listed = (await api('GET', '/api/activities')).json() as { activities: Array<{ id: string }> };
    const ids = listed.activities.map((activity) => activity.id);

    expect(ids).toContain(later.id);
    expect(ids).not.toContain(begun.id);
    expect(later.startsAt).toBe(soon.toISOString());
  });

  it('a start in year 9999 is refused with a 400 that names the field', async () => {
    const refused = await api('POST', '/api/activities', {
      token: await bearerToken(['staff']),
      body: {
        kind: 'workshop',
        network: 'smart-city-alliance',
        title: 'Far future',
        startsAt: '9999-12-31T23:00:00-14:00',
        endsAt: '9999-12-31T23:30:00-14:00',
        venue: 'Hall',
      },
    });

    expect(refused.status).toBe(400);
    expect((refused.json() as { error: { details: unknown[] } }).error.details).toContainEqual({
      field: 'startsAt',
      message: 'startsAt must be in the years 2000 to 2100',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { schedules } from '../../infra/catalogue';
import { toLocalSchedule } from '../../infra/local/schedule-expression';

describe('the local scheduler reads EventBridge schedule expressions', () => {
  it('turns rate() into an interval', () => {
    expect(toLocalSchedule('rate(15 minutes)')).toEqual({ kind: 'interval', everyMs: 900_000 });
    expect(toLocalSchedule('rate(1 day)')).toEqual({ kind: 'interval', everyMs: 86_400_000 });
  });

  it('turns cron() into a croner pattern, renumbering weekdays from Sunday=1 to Sunday=0', () => {
    expect(toLocalSchedule('cron(30 3 * * ? *)')).toEqual({ kind: 'cron', pattern: '0 30 3 * * *' });
    expect(toLocalSchedule('cron(0 9 ? * 2-6 *)')).toEqual({ kind: 'cron', pattern: '0 0 9 * * 1-5' });
  });

  it('refuses what it cannot run faithfully', () => {
    expect(() => toLocalSchedule('cron(0 9 * * * *)')).toThrow(/\?/);
    expect(() => toLocalSchedule('cron(0 9 ? * 6L *)')).toThrow(/not supported/);
    expect(() => toLocalSchedule('cron(0 9 * * ? 2027)')).toThrow(/year/);
    expect(() => toLocalSchedule('every day')).toThrow(/not an EventBridge/);
  });

  it('every schedule in the catalogue can run locally', () => {
    for (const schedule of schedules) expect(() => toLocalSchedule(schedule.expression)).not.toThrow();
  });
});

/**
 * EventBridge schedule expressions for the local scheduler: `rate(5 minutes)` becomes an interval,
 * `cron(Minutes Hours Day-of-month Month Day-of-week Year)` a croner pattern (UTC, like EventBridge).
 */
export type LocalSchedule = { kind: 'interval'; everyMs: number } | { kind: 'cron'; pattern: string };

const units: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function toLocalSchedule(expression: string): LocalSchedule {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const amount = Number(rate[1]);
    const unit = units[(rate[2] ?? '').replace(/s$/, '')];
    if (!unit || amount < 1) throw new Error(`${expression}: the rate must be a positive whole number`);
    return { kind: 'interval', everyMs: amount * unit };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron?.[1])
    throw new Error(`${expression}: not an EventBridge schedule expression (rate(...) or cron(...))`);
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6)
    throw new Error(
      `${expression}: cron() takes six fields: minutes hours day-of-month month day-of-week year`,
    );
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (year !== '*')
    throw new Error(`${expression}: the local scheduler only runs schedules whose year field is *`);
  if (dayOfMonth !== '?' && dayOfWeek !== '?') {
    throw new Error(`${expression}: EventBridge needs ? in either day-of-month or day-of-week`);
  }
  if (/[LW#]/.test(dayOfMonth + dayOfWeek)) {
    throw new Error(`${expression}: L, W and # are not supported by the local scheduler`);
  }
  // EventBridge numbers weekdays 1-7 from Sunday; croner, like Unix cron, 0-6.
  const weekday =
    dayOfWeek === '?' ? '*' : dayOfWeek.replace(/\d/g, (digit) => String((Number(digit) + 6) % 7));
  return {
    kind: 'cron',
    pattern: `0 ${minutes} ${hours} ${dayOfMonth === '?' ? '*' : dayOfMonth} ${month} ${weekday}`,
  };
}

/**
 * Wall-clock times in the alliance's time zone, whatever zone the browser is in: staff type the time
 * the meeting happens where the alliance is, and the API gets ISO 8601 with that moment's offset.
 * Pure (Intl only), so it is tested without a browser.
 */
const wallClock = (timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

function wallParts(utcMs: number, timeZone: string) {
  const parts = wallClock(timeZone).formatToParts(new Date(utcMs));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/** The zone's offset from UTC at that moment, in minutes (Europe/London: 0 in winter, 60 in summer). */
export function offsetMinutes(utcMs: number, timeZone: string): number {
  const wall = wallParts(utcMs, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

const two = (value: number) => String(value).padStart(2, '0');

/**
 * `2027-07-14T14:00` typed as a time in `timeZone` → `2027-07-14T14:00:00+01:00`; undefined when it
 * is not a date and time (an empty or half-filled field: the API then names what is missing).
 */
export function zonedToIso(local: string, timeZone: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '00'] = match;
  const wall = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute));
  if (Number.isNaN(wall)) return undefined;
  // The offset at the wall time read as UTC is right except within hours of a change; one more
  // look at the offset of the moment found settles it.
  let offset = offsetMinutes(wall, timeZone);
  const settled = offsetMinutes(wall - offset * 60_000, timeZone);
  if (settled !== offset) offset = settled;
  const sign = offset < 0 ? '-' : '+';
  const absolute = Math.abs(offset);
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${sign}${two(Math.floor(absolute / 60))}:${two(absolute % 60)}`;
}

/** An ISO instant as the value of a datetime-local field showing the time in `timeZone`. */
export function isoToZoned(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const wall = wallParts(ms, timeZone);
  return `${wall.year}-${two(wall.month)}-${two(wall.day)}T${two(wall.hour)}:${two(wall.minute)}`;
}

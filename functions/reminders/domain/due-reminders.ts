/** Which reminder a booking is due at a given moment. Pure: the clock is an argument. */

export interface ReminderDecision {
  /** The offset to send now, if any. */
  send?: number;
  /** Offsets now past that are settled without sending (only the nearest due one is sent). */
  settle: number[];
}

/**
 * Offsets in hours before the start. An offset is due once `now` has passed `start - offset` and the
 * activity has not started; one whose moment had passed before the person booked is never due
 * (someone booking three days ahead gets no "one week to go"). Of several due at once (a late or
 * missed run) only the nearest to the start is sent.
 */
export function dueReminder(
  offsetsHours: number[],
  startsAt: string,
  bookedAt: string,
  now: Date,
): ReminderDecision {
  const start = new Date(startsAt).getTime();
  const booked = new Date(bookedAt).getTime();
  const at = now.getTime();
  if (at >= start) return { settle: [] };
  const due = offsetsHours
    .filter((hours) => {
      const moment = start - hours * 3_600_000;
      return at >= moment && booked < moment;
    })
    .sort((left, right) => left - right);
  const [nearest, ...older] = due;
  return nearest === undefined ? { settle: [] } : { send: nearest, settle: older };
}

/** How far ahead the reminder run looks: the largest offset of any kind. */
export const lookaheadHours = (offsetsByKind: number[][]): number => Math.max(0, ...offsetsByKind.flat());

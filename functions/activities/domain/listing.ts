/** Which activities a listing shows: upcoming (the public default) or past, with or without cancelled ones. Pure. */
import * as z from 'zod';
import { beyondLatest, earliestYear } from '../../../shared/instant';

export const listingQuerySchema = z.object({
  when: z
    .enum(['upcoming', 'past'], { error: 'when must be upcoming or past' })
    .default('upcoming')
    .describe('upcoming: starting from now on, soonest first; past: started before now, latest first'),
  cancelled: z
    .enum(['exclude', 'include'], { error: 'cancelled must be exclude or include' })
    .default('exclude')
    .describe('include: cancelled activities too (marked by their status)'),
});

export type ListingQuery = z.infer<typeof listingQuerySchema>;

export interface ListingWindow {
  /** Start times in [from, to), as stored (UTC ISO strings). */
  from: string;
  to: string;
  newestFirst: boolean;
  includeCancelled: boolean;
}

const earliest = new Date(Date.UTC(earliestYear, 0, 1)).toISOString();

/** The range of start times a listing reads, and in which order, as of `now`. */
export function listingWindow(query: ListingQuery, now: Date): ListingWindow {
  const includeCancelled = query.cancelled === 'include';
  return query.when === 'past'
    ? { from: earliest, to: now.toISOString(), newestFirst: true, includeCancelled }
    : { from: now.toISOString(), to: beyondLatest, newestFirst: false, includeCancelled };
}

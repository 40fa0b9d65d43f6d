/**
 * Who receives mail-outs: the rule behind the members table's sparse `audience` index. Pure: no AWS.
 * A profile carries `audiencePk` exactly while it belongs, so the audience is read without touching
 * anyone else, and every write that changes one of these facts settles `audiencePk` in the same
 * update.
 */

/** The one partition of the sparse index (a profile's `audiencePk` while it belongs). */
export const audiencePartition = 'newsletter';

/** The facts of a profile that decide whether it belongs in the audience. */
export interface AudienceFacts {
  status: 'pending' | 'confirmed';
  newsletter: boolean;
  /** Set when SES reported the address as hard-bouncing or complaining: never removed. */
  suppressedAt?: string;
}

/** Confirmed, with newsletter consent, and not suppressed. */
export const belongsInAudience = (facts: AudienceFacts): boolean =>
  facts.status === 'confirmed' && facts.newsletter === true && !facts.suppressedAt;

/** A fact a write leaves alone, and so must still be as it was read when the write lands. */
export type HeldFact = 'status' | 'newsletter' | 'suppressed';

/** The parts of an UpdateItem that keep `audiencePk` right (see `audienceUpdate`). */
export interface AudienceUpdate {
  /** A SET clause to add (`audiencePk = :audience`), when the profile belongs after the write. */
  set?: string;
  /** A REMOVE clause to add (`audiencePk`), when it does not. */
  remove?: string;
  /** Conditions (joined with AND) that the facts the write does not set are still as read. */
  conditions: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * How a write settles `audiencePk`, given the facts as they will be after it. The decision rests on
 * facts the write does not itself set (read just before): each of those in `held` becomes a
 * condition, so a race (a suppression or a confirmation landing between the read and the write)
 * fails the write instead of leaving a suppressed or pending profile in the audience, or a
 * subscribed one out of it. The caller reads again and retries.
 */
export function audienceUpdate(after: AudienceFacts, held: HeldFact[]): AudienceUpdate {
  const joins = belongsInAudience(after);
  const update: AudienceUpdate = {
    ...(joins ? { set: 'audiencePk = :audiencePk' } : { remove: 'audiencePk' }),
    conditions: [],
    names: {},
    values: joins ? { ':audiencePk': audiencePartition } : {},
  };
  for (const fact of held) {
    if (fact === 'status') {
      update.conditions.push('#audienceStatus = :audienceStatus');
      update.names['#audienceStatus'] = 'status';
      update.values[':audienceStatus'] = after.status;
    } else if (fact === 'newsletter') {
      update.conditions.push('newsletter = :audienceNewsletter');
      update.values[':audienceNewsletter'] = after.newsletter;
    } else {
      update.conditions.push(
        after.suppressedAt ? 'attribute_exists(suppressedAt)' : 'attribute_not_exists(suppressedAt)',
      );
    }
  }
  return update;
}

/** An UpdateExpression from SET and REMOVE clauses (either list may be empty). */
export function updateExpression(set: Array<string | undefined>, remove: Array<string | undefined>): string {
  const sets = set.filter((clause): clause is string => Boolean(clause));
  const removes = remove.filter((clause): clause is string => Boolean(clause));
  return [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

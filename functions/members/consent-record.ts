import { listConsent } from './member-store';

/**
 * A member's consent record as staff see it, by id or by address: every entry, oldest first.
 * Undefined when there is none (no such member, or erased).
 */
export async function consentRecord(memberId: string) {
  const consent = (await listConsent(memberId)).sort((left, right) => left.at.localeCompare(right.at));
  return consent.length === 0 ? undefined : { memberId, consent };
}

import { createHash, createHmac } from 'node:crypto';

/**
 * A UUID derived from a name (RFC 4122 version 5 layout over SHA-256), for events whose identity is
 * the fact itself: recording the same attendance twice gives the same eventId, so it counts once.
 * Its parts are never addresses: callers pass keyed labels (`keyedLabel`) or random ids.
 */
export function deterministicUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\n')).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A one-way label for personal data (an address, an IP): HMAC-SHA-256 under `key` (the pseudonym
 * key), as `length` hex characters. The same input gives the same label (a repeat finds the same
 * booking, a limit counts the same caller), but nobody without the key can recompute it.
 */
export const keyedLabel = (key: Uint8Array, purpose: string, value: string, length = 32): string =>
  createHmac('sha256', key).update(`${purpose}\n${value}`).digest('hex').slice(0, length);

/** The keyed one-way labels of the booking rules, under this deployment's pseudonym key. */
import { getPseudonymKey } from '../../shared/secrets';
import { personKeyWith, rsvpIdWith } from './domain/rsvp';

export const rsvpIdFor = async (activityId: string, email: string): Promise<string> =>
  rsvpIdWith(await getPseudonymKey(), activityId, email);

export const personKey = async (email: string): Promise<string> =>
  personKeyWith(await getPseudonymKey(), email);

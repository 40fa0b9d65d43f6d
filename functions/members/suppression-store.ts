/**
 * Suppressed addresses, in the members table: one item per address SES reported as hard-bouncing
 * or complaining (`SUPPRESSED#<normalised address>`), kept whether or not the address is a
 * member's, and on the member's profile `suppressedAt`/`suppressedReason`, which take it out of the
 * mail-out audience. Suppressed addresses get no mail-outs or reminders; mail the person asks for
 * (a fresh link, an RSVP confirmation) still goes.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { announce, type Publishable } from '../../shared/outbox';
import { tableName } from '../../shared/tables';
import { isFirstConditionFailure, retryOnConflict } from '../../shared/transactions';
import { batchGetMembersItems } from './batch-get';
import { normaliseEmail } from './domain/registration';
import { complaintWithdrawal, type SuppressionReason, suppressionPlan } from './domain/suppression';
import { consentPuts, findMemberIdByEmail, getMember, type MemberProfile, memberKey } from './member-store';

const suppressionPrefix = 'SUPPRESSED#';
export const suppressionKey = (normalisedEmail: string) => ({
  pk: `${suppressionPrefix}${normalisedEmail}`,
  sk: 'SUPPRESSED',
});

export interface SuppressionReport {
  email: string;
  reason: SuppressionReason;
  /** When SES saw the bounce or complaint (ISO 8601). */
  at: string;
  /** The member the e-mail was sent to (a mail-out's tag); found by address when absent. */
  memberId?: string;
  mailoutId?: string;
  correlationId?: string;
}

/** The profile changed between the read and the write this many times in a row: give up. */
const maxAttempts = 5;

/**
 * Suppresses an address, once: the suppression item, and when the address is a member's, their
 * profile stamped and out of the audience; a complaint from someone subscribed also withdraws
 * newsletter consent (consent entry with the reason, MemberUnsubscribed). Always announces
 * MemberSuppressed. All in one transaction; 'already' when the address was suppressed before, in
 * which case nothing changes.
 */
export async function suppressAddress(input: SuppressionReport): Promise<'suppressed' | 'already'> {
  const address = normaliseEmail(input.email);
  const at = new Date(input.at).toISOString();
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const member = await memberWithAddress(address, input.memberId);
    const plan = suppressionPlan(input.reason, member);
    const consent = plan.withdrawsNewsletter ? [complaintWithdrawal(at, input.mailoutId)] : [];
    const events: Publishable[] = [
      {
        detailType: 'MemberSuppressed',
        detail: {
          memberId: member?.memberId,
          reason: input.reason,
          mailoutId: input.mailoutId,
          occurredAt: at,
        },
      },
    ];
    if (member && plan.withdrawsNewsletter) {
      events.push({
        detailType: 'MemberUnsubscribed',
        detail: {
          memberId: member.memberId,
          organisationType: member.organisationType,
          method: 'complaint',
          mailoutId: input.mailoutId,
          occurredAt: at,
        },
      });
    }
    try {
      await retryOnConflict(() =>
        dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName('members'),
                  Item: {
                    ...suppressionKey(address),
                    type: 'suppression',
                    email: address,
                    reason: input.reason,
                    at,
                    ...(member ? { memberId: member.memberId } : {}),
                    ...(input.mailoutId ? { mailoutId: input.mailoutId } : {}),
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...(member && plan.stampsProfile
                ? [profileStamp(member, input.reason, at, plan.withdrawsNewsletter)]
                : []),
              ...(member ? consentPuts(member.memberId, consent) : []),
              ...announce('members', events, input.correlationId),
            ],
          }),
        ),
      );
      return 'suppressed';
    } catch (error) {
      if (isFirstConditionFailure(error)) return 'already';
      // The profile changed since it was read (unsubscribed, erased): read it again.
      if (!profileChangedMeanwhile(error)) throw error;
    }
  }
  throw new Error(`the profile for a suppressed address kept changing; try again`);
}

/** Stamps the profile and takes it out of the audience; for a complaint, withdraws the newsletter. */
function profileStamp(member: MemberProfile, reason: SuppressionReason, at: string, withdraws: boolean) {
  return {
    Update: {
      TableName: tableName('members'),
      Key: memberKey(member.memberId),
      UpdateExpression: `SET suppressedAt = :at, suppressedReason = :reason${
        withdraws ? ', newsletter = :false, unsubscribedAt = :at' : ''
      } REMOVE audiencePk`,
      // The plan rests on the newsletter consent as read: it must still be so.
      ConditionExpression: 'attribute_exists(pk) AND newsletter = :newsletter',
      ExpressionAttributeValues: {
        ':at': at,
        ':reason': reason,
        ':newsletter': member.newsletter,
        ...(withdraws ? { ':false': false } : {}),
      },
    },
  };
}

const profileChangedMeanwhile = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  error.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed';

/**
 * The member whose address this is: the one the e-mail was sent to when the report names them
 * (and the address is still theirs), else whoever holds the address now.
 */
async function memberWithAddress(address: string, memberId?: string): Promise<MemberProfile | undefined> {
  const named = memberId ? await getMember(memberId) : undefined;
  if (named && normaliseEmail(named.email) === address) return named;
  const holder = await findMemberIdByEmail(address);
  if (!holder || holder === memberId) return undefined;
  const member = await getMember(holder);
  return member && normaliseEmail(member.email) === address ? member : undefined;
}

/** Which of these addresses are suppressed, as normalised addresses (100 looked up a call). */
export async function suppressedAddresses(emails: string[]): Promise<Set<string>> {
  const items = await batchGetMembersItems(
    emails.map((email) => suppressionKey(normaliseEmail(email))),
    { expression: 'pk' },
  );
  return new Set(items.map((item) => String(item.pk).slice(suppressionPrefix.length)));
}

/** Whether an address is suppressed, and why and since when (for the person's data export). */
export async function getSuppression(
  email: string,
): Promise<{ reason: SuppressionReason; at: string } | undefined> {
  const result = await dynamo.send(
    new GetCommand({
      TableName: tableName('members'),
      Key: suppressionKey(normaliseEmail(email)),
      ConsistentRead: true,
    }),
  );
  if (!result.Item) return undefined;
  return { reason: result.Item.reason as SuppressionReason, at: String(result.Item.at) };
}

import { config } from '../../shared/config';
import { consumer } from '../../shared/consumer';
import { consumeAllowance, limitKey } from '../../shared/limits';
import { logger } from '../../shared/logger';
import { announce } from '../../shared/outbox';
import { consentAtSignUp, normaliseEmail, registrationSchema } from './domain/registration';
import {
  getMemberRequest,
  type MemberRequest,
  settleRequest,
  settleRequestWith,
} from './member-request-store';
import { createMember, findMemberIdByEmail, getMember } from './member-store';

/** One more registration or link e-mail to this member today, or false once the day's allowance is spent. */
const mailAllowance = (memberId: string) =>
  consumeAllowance(
    limitKey('registration-mail', memberId),
    config.limits.confirmationEmailsPerAddressPerDay,
    24 * 3600,
  );

type Request<K extends MemberRequest['kind']> = Extract<MemberRequest, { kind: K }>;

/**
 * A new address becomes a pending member (MemberRegistered: the confirmation e-mail follows); a
 * known one gets MemberRegistrationRepeated (a fresh confirmation, or "already a member") while its
 * day's mail allowance lasts. The member id is the request id, and the request is settled in the
 * same transaction, so a redelivered request never makes a second member.
 */
async function settleRegistration(request: Request<'registration'>, correlationId?: string): Promise<void> {
  const parsed = registrationSchema.safeParse(request.registration);
  if (!parsed.success) {
    // The form's choices changed (config) since the request was stored: nothing to act on.
    logger.warn('a stored registration no longer validates: dropped');
    await settleRequestWith(request.requestId, []);
    return;
  }
  const registration = parsed.data;
  const { website: _honeypot, consent, ...details } = registration;
  const memberId = request.requestId;
  const registeredAt = request.requestedAt;
  const outcome = await createMember(
    {
      memberId,
      ...details,
      newsletter: consent.newsletter,
      formVersion: consent.formVersion,
      status: 'pending',
      registeredAt,
    },
    normaliseEmail(registration.email),
    consentAtSignUp(registration, registeredAt),
    [
      ...announce(
        'members',
        [
          {
            detailType: 'MemberRegistered',
            detail: {
              memberId,
              organisationType: details.organisationType,
              networks: details.networks,
              interests: details.interests,
              newsletter: consent.newsletter,
              formVersion: consent.formVersion,
              occurredAt: registeredAt,
            },
          },
        ],
        correlationId,
      ),
      settleRequest(request.requestId),
    ],
  );
  if (outcome.created) {
    await mailAllowance(memberId);
    return;
  }
  const existing = await getMember(outcome.existingMemberId);
  const mailed = existing !== undefined && (await mailAllowance(existing.memberId));
  if (!mailed) logger.info('registration mail allowance spent for today');
  await settleRequestWith(
    request.requestId,
    existing && mailed
      ? announce(
          'members',
          [
            {
              detailType: 'MemberRegistrationRepeated',
              detail: { memberId: existing.memberId, memberStatus: existing.status },
            },
          ],
          correlationId,
        )
      : [],
  );
}

/** A known address gets MemberLinkRequested (its link e-mail) while its allowance lasts; an unknown one nothing. */
async function settleLinkRequest(request: Request<'link'>, correlationId?: string): Promise<void> {
  const memberId = await findMemberIdByEmail(normaliseEmail(request.email));
  const member = memberId ? await getMember(memberId) : undefined;
  const mailed = member !== undefined && (await mailAllowance(member.memberId));
  await settleRequestWith(
    request.requestId,
    member && mailed
      ? announce(
          'members',
          [
            {
              detailType: 'MemberLinkRequested',
              detail: { memberId: member.memberId, memberStatus: member.status },
            },
          ],
          correlationId,
        )
      : [],
  );
}

/** Decides, after the answer was given, what a registration or a link request means for its address. */
export const handler = consumer(
  'settle-member-request',
  ['MemberRegistrationRequested', 'MemberLinkRequestReceived'] as const,
  async ({ detail }) => {
    const request = await getMemberRequest(detail.requestId);
    if (!request) {
      logger.info('member request already settled or lapsed');
      return;
    }
    if (request.kind === 'registration') await settleRegistration(request, detail.correlationId);
    else await settleLinkRequest(request, detail.correlationId);
  },
);

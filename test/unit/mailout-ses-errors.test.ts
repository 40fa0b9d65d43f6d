import { describe, expect, it } from 'vitest';
import { classifySendError } from '../../functions/mailouts/domain/ses-errors';

/** An error shaped like the AWS SDK v3's service exceptions. */
const sesError = (name: string, httpStatusCode: number, message = 'SES said no') =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

describe('what an SES answer means for the recipient', () => {
  it.each([
    ['TooManyRequestsException', 429],
    ['LimitExceededException', 400],
    ['Throttling', 400],
    ['ThrottlingException', 400],
    ['SomethingNew', 429],
  ])('%s (%i) is throttling: back off and retry the same recipient', (name, status) => {
    expect(classifySendError(sesError(name, status))).toEqual({ kind: 'throttled' });
  });

  it('a rejected message fails that recipient with a reason and no address in it', () => {
    const failure = classifySendError(
      sesError('MessageRejected', 400, 'Email address is not verified: ada@example.org, <bob@example.org>'),
    );
    expect(failure.kind).toBe('rejected');
    expect(failure.kind === 'rejected' && failure.reason).toMatch(/^MessageRejected: Email address is not/);
    expect(JSON.stringify(failure)).not.toContain('@example.org');
    expect(failure).not.toHaveProperty('accountWide');
  });

  it('a bad request or any other 4xx is permanent for that recipient', () => {
    expect(classifySendError(sesError('BadRequestException', 400)).kind).toBe('rejected');
    expect(classifySendError(sesError('NotFoundException', 404)).kind).toBe('rejected');
    expect(classifySendError(sesError('SomeOtherClientError', 422)).kind).toBe('rejected');
  });

  it('an unverified sender domain or a suspended account is permanent and flagged as account-wide', () => {
    expect(classifySendError(sesError('MailFromDomainNotVerifiedException', 400))).toMatchObject({
      kind: 'rejected',
      accountWide: true,
    });
    expect(classifySendError(sesError('AccountSuspendedException', 400))).toMatchObject({
      kind: 'rejected',
      accountWide: true,
    });
  });

  it('paused sending is retried later rather than failing everyone left', () => {
    expect(classifySendError(sesError('SendingPausedException', 400))).toMatchObject({
      kind: 'retryable',
      accountWide: true,
    });
  });

  it('a server error, a timeout or a dropped connection is retried', () => {
    expect(classifySendError(sesError('InternalFailure', 500)).kind).toBe('retryable');
    expect(classifySendError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).kind).toBe(
      'retryable',
    );
    expect(classifySendError('something odd').kind).toBe('retryable');
  });

  it('keeps the reason short', () => {
    const failure = classifySendError(sesError('MessageRejected', 400, 'x'.repeat(1000)));
    expect(failure.kind === 'rejected' && failure.reason.length).toBeLessThanOrEqual(160);
  });
});

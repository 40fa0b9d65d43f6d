/** What an SES SendEmail error means for the recipient being sent to. Pure. */

export type SendFailure =
  | { kind: 'throttled' }
  | {
      kind: 'rejected';
      reason: string;
      /** Set when the error is about the account, not this recipient: every send will fail alike. */
      accountWide?: true;
    }
  | { kind: 'retryable'; reason: string; accountWide?: true };

/** Too fast: back off and send to the same recipient again; never a failure. */
export const throttlingErrorNames = [
  'TooManyRequestsException',
  'LimitExceededException',
  'Throttling',
  'ThrottlingException',
] as const;

/** Permanent for this message: mark the record failed and move on. */
export const rejectionErrorNames = [
  'MessageRejected',
  'BadRequestException',
  'NotFoundException',
  'InvalidParameterValue',
] as const;

/** Permanent, and true of every send from the account (sender domain, suspension, permissions). */
export const accountRejectionErrorNames = [
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
] as const;

/**
 * Worth retrying later though SES answered 4xx. `SendingPausedException`: sending was paused for the
 * account or the configuration set (by staff or by SES's reputation checks) and may be resumed, so
 * failing every remaining recipient would be wrong; the dispatcher should stop and resume later.
 * `ExpiredTokenException`: the credentials rotate on the next call.
 */
export const accountRetryableErrorNames = ['SendingPausedException', 'ExpiredTokenException'] as const;

const includes = (list: readonly string[], name: string) => list.includes(name);

const emailAddress = /[^\s<>()"',;:]+@[^\s<>()"',;:]+/g;

/** The error's own words without any address in them, short enough for a record and a CSV. */
function reasonOf(name: string, message: string | undefined): string {
  const cleaned = (message ?? '').replace(emailAddress, '<address>').replace(/\s+/g, ' ').trim();
  const text = cleaned ? `${name}: ${cleaned}` : name;
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

function errorFacts(error: unknown): { name: string; message?: string; status?: number } {
  if (typeof error !== 'object' || error === null) return { name: 'UnknownError', message: String(error) };
  const record = error as {
    name?: unknown;
    Code?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const name = [record.name, record.Code, record.code].find(
    (value): value is string => typeof value === 'string' && value !== '' && value !== 'Error',
  );
  const status = record.$metadata?.httpStatusCode;
  return {
    name: name ?? 'Error',
    message: typeof record.message === 'string' ? record.message : undefined,
    status: typeof status === 'number' ? status : undefined,
  };
}

export function classifySendError(error: unknown): SendFailure {
  const { name, message, status } = errorFacts(error);
  if (includes(throttlingErrorNames, name) || status === 429) return { kind: 'throttled' };
  const reason = reasonOf(name, message);
  if (includes(accountRetryableErrorNames, name)) return { kind: 'retryable', reason, accountWide: true };
  if (includes(accountRejectionErrorNames, name) || status === 401 || status === 403)
    return { kind: 'rejected', reason, accountWide: true };
  if (includes(rejectionErrorNames, name)) return { kind: 'rejected', reason };
  // Any other 4xx is about this request, and sending it again would get the same answer.
  if (status !== undefined && status >= 400 && status < 500) return { kind: 'rejected', reason };
  // 5xx, timeouts, connection resets, anything unknown: SES may not have seen it; try again.
  return { kind: 'retryable', reason };
}

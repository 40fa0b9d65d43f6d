/** State changes staff (and the schedule) make to a mail-out, each one transaction with its events. */
import { announce } from '../../shared/outbox';
import { assertFuture, nextState } from './domain/mailout';
import { movedOn } from './mailout-access';
import { type ContentWrite, getMailout, type Mailout, transition } from './mailout-store';

/*
 * Starting, scheduling and resuming take the rendered body of a mail-out saved before bodies were
 * stored (`backfill`, see render-markdown.ts's bodyToBackfill), written in the same transition: the
 * dispatcher then always finds one. Rendering stays with the handlers, so this module, which pause and
 * cancel import too, carries no Markdown parser.
 */

/** Dispatch begins: the audience is fixed by the first run's snapshot. */
export async function startDispatch(
  mailout: Mailout,
  correlationId?: string,
  backfill?: ContentWrite,
): Promise<Mailout> {
  nextState(mailout.state, 'send');
  const run = mailout.run + 1;
  const startedAt = new Date().toISOString();
  const started = await transition(
    mailout.mailoutId,
    mailout.state,
    'sending',
    { set: { run, phase: 'snapshot', startedAt }, remove: ['duePk', 'dueAt', 'cursor'], content: backfill },
    announce(
      'mailouts',
      [
        {
          detailType: 'MailoutDispatchRequested',
          detail: { mailoutId: mailout.mailoutId, run, reason: 'start' },
        },
      ],
      correlationId,
    ),
  );
  if (!started) throw movedOn();
  return {
    ...mailout,
    state: 'sending',
    run,
    phase: 'snapshot',
    startedAt,
    scheduledAt: mailout.scheduledAt,
  };
}

export async function schedule(mailout: Mailout, at: string, backfill?: ContentWrite): Promise<Mailout> {
  nextState(mailout.state, 'schedule');
  assertFuture(at, new Date());
  const dueAt = new Date(at).toISOString();
  const scheduled = await transition(mailout.mailoutId, mailout.state, 'scheduled', {
    set: { scheduledAt: dueAt, duePk: 'due', dueAt },
    content: backfill,
  });
  if (!scheduled) throw movedOn();
  return { ...mailout, state: 'scheduled', scheduledAt: dueAt };
}

export async function pause(mailout: Mailout, correlationId?: string): Promise<Mailout> {
  nextState(mailout.state, 'pause');
  const paused = await transition(
    mailout.mailoutId,
    'sending',
    'paused',
    { set: { pausedReason: 'staff', pausedAt: new Date().toISOString() } },
    announce(
      'mailouts',
      [
        {
          detailType: 'MailoutPaused',
          detail: {
            mailoutId: mailout.mailoutId,
            reason: 'staff',
            sent: mailout.counts.sent,
            bounced: mailout.counts.bouncedPermanent,
            complained: mailout.counts.complained,
          },
        },
      ],
      correlationId,
    ),
  );
  if (!paused) throw movedOn();
  return reread(mailout);
}

export async function resume(
  mailout: Mailout,
  correlationId?: string,
  backfill?: ContentWrite,
): Promise<Mailout> {
  nextState(mailout.state, 'resume');
  const run = mailout.run + 1;
  const resumed = await transition(
    mailout.mailoutId,
    'paused',
    'sending',
    {
      set: {
        run,
        selfPauseBaseline: {
          sent: mailout.counts.sent,
          bounced: mailout.counts.bouncedPermanent,
          complained: mailout.counts.complained,
        },
      },
      // The paused run's lease means nothing now: every effect of a run is conditional on its run
      // number, which has just moved on. Left in place it would hold the new run back until it lapsed.
      remove: ['pausedReason', 'pausedAt', 'leaseOwner', 'leaseUntil'],
      content: backfill,
    },
    announce(
      'mailouts',
      [
        {
          detailType: 'MailoutDispatchRequested',
          detail: { mailoutId: mailout.mailoutId, run, reason: 'resume' },
        },
      ],
      correlationId,
    ),
  );
  if (!resumed) throw movedOn();
  return reread(mailout);
}

export async function cancel(mailout: Mailout, correlationId?: string): Promise<Mailout> {
  nextState(mailout.state, 'cancel');
  const finishedAt = new Date().toISOString();
  const started = mailout.startedAt !== undefined;
  const cancelled = await transition(
    mailout.mailoutId,
    mailout.state,
    'cancelled',
    { set: started ? { finishedAt } : {}, remove: ['duePk', 'dueAt'] },
    started
      ? announce(
          'mailouts',
          [
            {
              detailType: 'MailoutCompleted',
              detail: {
                mailoutId: mailout.mailoutId,
                outcome: 'cancelled',
                audienceSize: mailout.counts.audienceSize,
                sent: mailout.counts.sent,
                failed: mailout.counts.failed,
                startedAt: mailout.startedAt ?? finishedAt,
              },
            },
          ],
          correlationId,
        )
      : [],
  );
  if (!cancelled) throw movedOn();
  return reread(mailout);
}

async function reread(mailout: Mailout): Promise<Mailout> {
  return (await getMailout(mailout.mailoutId)) ?? mailout;
}

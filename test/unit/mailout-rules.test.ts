import { describe, expect, it } from 'vitest';
import {
  assertFuture,
  audienceSchema,
  createMailoutSchema,
  type MailoutAction,
  type MailoutState,
  nextState,
  progressView,
  sendMailoutSchema,
  testSendSchema,
  updateMailoutSchema,
} from '../../functions/mailouts/domain/mailout';
import { zodProblems } from '../../shared/http/validation';

const problemsOf = (result: { success: boolean; error?: Parameters<typeof zodProblems>[0] }) =>
  result.error ? zodProblems(result.error) : [];

describe('writing a mail-out', () => {
  it('accepts a subject, a Markdown body, a preheader and a segment, tidying the subject', () => {
    const result = createMailoutSchema.safeParse({
      subject: '  Autumn update  ',
      markdown: '# Hello\n\nNews.',
      preheader: 'What is on in October',
      audience: { networks: ['smart-city-alliance'], interests: ['mobility', 'energy'] },
    });
    expect(result.success).toBe(true);
    expect(result.data?.subject).toBe('Autumn update');
  });

  it('an empty subject is refused, naming the subject', () => {
    const problems = problemsOf(createMailoutSchema.safeParse({ subject: '   ', markdown: 'Body' }));
    expect(problems).toEqual([{ field: 'subject', message: 'Enter the subject' }]);
  });

  it('a subject over 200 characters is refused', () => {
    const problems = problemsOf(
      createMailoutSchema.safeParse({ subject: 'x'.repeat(201), markdown: 'Body' }),
    );
    expect(problems.map((problem) => problem.field)).toEqual(['subject']);
    expect(problems[0]?.message).toMatch(/200 characters/);
  });

  it('a subject that tries to add a header line is refused', () => {
    const problems = problemsOf(
      createMailoutSchema.safeParse({ subject: 'Hello\r\nBcc: someone@example.org', markdown: 'Body' }),
    );
    expect(problems).toEqual([{ field: 'subject', message: 'Write the subject on one line' }]);
  });

  it('a body of 200 KB is accepted and one byte more is refused, counting bytes not characters', () => {
    const limit = 200 * 1024;
    expect(createMailoutSchema.safeParse({ subject: 'S', markdown: 'a'.repeat(limit) }).success).toBe(true);
    // 'é' is two bytes in UTF-8: half the limit in characters is already the whole limit in bytes.
    const accented = `${'é'.repeat(limit / 2)}a`;
    const problems = problemsOf(createMailoutSchema.safeParse({ subject: 'S', markdown: accented }));
    expect(problems).toEqual([{ field: 'markdown', message: 'the body is over 200 KB' }]);
  });

  it('an empty body is refused', () => {
    const problems = problemsOf(createMailoutSchema.safeParse({ subject: 'S', markdown: '  \n ' }));
    expect(problems.map((problem) => problem.field)).toEqual(['markdown']);
  });

  it('a preheader on two lines or over 200 characters is refused', () => {
    expect(
      problemsOf(createMailoutSchema.safeParse({ subject: 'S', markdown: 'B', preheader: 'a\nb' })),
    ).toEqual([{ field: 'preheader', message: 'Write the preheader on one line' }]);
    expect(
      problemsOf(createMailoutSchema.safeParse({ subject: 'S', markdown: 'B', preheader: 'p'.repeat(201) })),
    ).toHaveLength(1);
  });

  it('an unknown field is refused rather than silently dropped', () => {
    expect(createMailoutSchema.safeParse({ subject: 'S', markdown: 'B', state: 'sent' }).success).toBe(false);
  });

  it('a change must name at least one field', () => {
    expect(updateMailoutSchema.safeParse({}).success).toBe(false);
    expect(updateMailoutSchema.safeParse({ subject: 'New subject' }).success).toBe(true);
  });
});

describe('choosing an audience', () => {
  it('an unknown network id is refused with a message naming it', () => {
    const problems = problemsOf(
      audienceSchema.safeParse({ networks: ['smart-city-alliance', 'chess-club'] }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]?.field).toBe('networks.1');
    expect(problems[0]?.message).toContain('Unknown network "chess-club"');
  });

  it('unknown organisation types and interests are refused too', () => {
    expect(problemsOf(audienceSchema.safeParse({ organisationTypes: ['pirates'] }))[0]?.message).toContain(
      'Unknown organisation type "pirates"',
    );
    expect(problemsOf(audienceSchema.safeParse({ interests: ['knitting'] }))[0]?.message).toContain(
      'Unknown interest "knitting"',
    );
  });

  it('the same id twice is refused', () => {
    expect(audienceSchema.safeParse({ interests: ['energy', 'energy'] }).success).toBe(false);
  });

  it('a segment field the API does not know is refused', () => {
    expect(audienceSchema.safeParse({ countries: ['uk'] }).success).toBe(false);
  });
});

describe('test sends', () => {
  it('up to five addresses are accepted', () => {
    const to = ['a@example.org', 'b@example.org', 'c@example.org', 'd@example.org', 'e@example.org'];
    expect(testSendSchema.safeParse({ to }).success).toBe(true);
  });

  it('more than five test addresses are refused', () => {
    const to = Array.from({ length: 6 }, (_, index) => `staff${index}@example.org`);
    expect(problemsOf(testSendSchema.safeParse({ to }))).toEqual([
      { field: 'to', message: 'at most 5 test addresses' },
    ]);
  });

  it('the same address twice in different case is refused', () => {
    expect(testSendSchema.safeParse({ to: ['Ada@example.org', 'ada@EXAMPLE.org'] }).success).toBe(false);
  });

  it('something that is not an address is refused, naming its place in the list', () => {
    expect(problemsOf(testSendSchema.safeParse({ to: ['a@example.org', 'not-an-address'] }))[0]?.field).toBe(
      'to.1',
    );
  });

  it('no addresses at all is refused', () => {
    expect(testSendSchema.safeParse({ to: [] }).success).toBe(false);
  });
});

describe('sending now or at a time', () => {
  const now = new Date('2026-11-27T10:00:00Z');

  it('no time means now', () => {
    expect(sendMailoutSchema.safeParse({}).success).toBe(true);
  });

  it('a time without a zone is refused', () => {
    expect(problemsOf(sendMailoutSchema.safeParse({ at: '2026-12-01T09:00:00' }))[0]?.field).toBe('at');
  });

  it('a time in the past is a 400 naming at', () => {
    expect(() => assertFuture('2026-11-27T09:59:59Z', now)).toThrow(
      expect.objectContaining({ statusCode: 400, details: [expect.objectContaining({ field: 'at' })] }),
    );
  });

  it('a time in the future is fine, whatever its offset', () => {
    expect(() => assertFuture('2026-11-27T11:00:01+01:00', now)).not.toThrow();
  });
});

describe('what staff can do with a mail-out in each state', () => {
  const cases: Array<[MailoutState, MailoutAction, MailoutState | 'conflict']> = [
    ['draft', 'edit', 'draft'],
    ['scheduled', 'edit', 'scheduled'],
    ['sending', 'edit', 'conflict'],
    ['sent', 'edit', 'conflict'],
    ['draft', 'schedule', 'scheduled'],
    ['draft', 'send', 'sending'],
    ['scheduled', 'send', 'sending'],
    ['sent', 'send', 'conflict'],
    ['cancelled', 'send', 'conflict'],
    ['sending', 'pause', 'paused'],
    ['sending', 'self-pause', 'paused'],
    ['draft', 'pause', 'conflict'],
    ['paused', 'resume', 'sending'],
    ['sending', 'resume', 'conflict'],
    ['scheduled', 'cancel', 'cancelled'],
    ['sending', 'cancel', 'cancelled'],
    ['paused', 'cancel', 'cancelled'],
    ['sent', 'cancel', 'conflict'],
    ['cancelled', 'cancel', 'conflict'],
    ['sending', 'finish', 'sent'],
    ['paused', 'finish', 'conflict'],
  ];

  it.each(cases)('a %s mail-out asked to %s becomes %s', (from, action, expected) => {
    if (expected === 'conflict') {
      expect(() => nextState(from, action)).toThrow(expect.objectContaining({ statusCode: 409 }));
    } else {
      expect(nextState(from, action)).toBe(expected);
    }
  });

  it('says plainly why a change is not allowed', () => {
    expect(() => nextState('sent', 'pause')).toThrow('A sent mail-out cannot be paused.');
  });
});

describe('progress and results', () => {
  const now = new Date('2026-11-27T10:10:00Z');

  it('shows percent done, the achieved rate and the engagement figures', () => {
    const view = progressView(
      {
        state: 'sending',
        counts: {
          audienceSize: 1000,
          queued: 1000,
          sent: 590,
          failed: 10,
          skipped: 3,
          delivered: 580,
          bounced: 5,
          bouncedPermanent: 4,
          bouncedTransient: 1,
          complained: 1,
          opensHuman: 120,
          opensMachine: 200,
          readers: 100,
          clicks: 40,
        },
        startedAt: '2026-11-27T10:00:00Z',
      },
      2,
      now,
    );
    expect(view).toMatchObject({
      state: 'sending',
      percentDone: 60.3,
      sendRatePerSecond: 1,
      opens: { human: 120, machine: 200 },
      uniqueReaders: 100,
      unsubscribes: 2,
      bouncedPermanent: 4,
      finishedAt: null,
      pausedReason: null,
    });
  });

  it('before it starts there is no rate and nothing done', () => {
    const view = progressView({ state: 'draft', counts: {} }, 0, now);
    expect(view.sendRatePerSecond).toBeNull();
    expect(view.percentDone).toBe(0);
    expect(view.sent).toBe(0);
  });

  it('a sent mail-out to nobody is 100% done', () => {
    const view = progressView(
      {
        state: 'sent',
        counts: { audienceSize: 0 },
        startedAt: now.toISOString(),
        finishedAt: now.toISOString(),
      },
      0,
      now,
    );
    expect(view.percentDone).toBe(100);
  });

  it('the rate of a finished mail-out stops at its finish', () => {
    const view = progressView(
      {
        state: 'sent',
        counts: { audienceSize: 30, sent: 30 },
        startedAt: '2026-11-27T09:00:00Z',
        finishedAt: '2026-11-27T09:00:04Z',
      },
      0,
      now,
    );
    expect(view.sendRatePerSecond).toBe(7.5);
    expect(view.percentDone).toBe(100);
  });

  it('a paused mail-out says why', () => {
    const view = progressView({ state: 'paused', counts: {}, pausedReason: 'bounce-rate' }, 0, now);
    expect(view.pausedReason).toBe('bounce-rate');
  });
});

/**
 * The local levers the mail-outs work leans on: a function's reserved concurrency caps its queue's
 * invocations in hand; a crash fault kills an invocation at its n-th DynamoDB write; reading the SES
 * send quota needs its own grant. The shared clients' real middleware runs; last middlewares answer
 * in place of DynamoDB and SES, so nothing leaves the process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetAccountCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HandlerEntry, subscriptions } from '../../infra/catalogue';
import { type BusSubscription, LocalBus } from '../../infra/local/bus';
import { asHandler, crashFaults, enforceCatalogueGrants } from '../../infra/local/permissions';
import { dynamo, ses } from '../../shared/clients';

const dispatcher: HandlerEntry = {
  handler: 'functions/mailouts/dispatch-mailout.ts',
  uses: { tables: { deliveries: 'write', mailouts: 'write' }, sendsEmail: true, readsSendQuota: true },
};
const sender: HandlerEntry = {
  handler: 'functions/members/send-welcome-email.ts',
  uses: { tables: { members: 'read' }, sendsEmail: true },
};
const asDispatcher = <T>(run: () => Promise<T>) => asHandler(dispatcher, 'mailouts-dispatch-mailout', run);
const asSender = <T>(run: () => Promise<T>) => asHandler(sender, 'members-send-welcome-email', run);

const writes: string[] = [];
const put = (n: number) =>
  dynamo.send(
    new PutCommand({ TableName: 'alliance-deliveries', Item: { pk: 'MAILOUT#1', sk: `MEMBER#${n}` } }),
  );

beforeAll(() => {
  enforceCatalogueGrants();
  dynamo.middlewareStack.add(
    (_next, context) => async (args) => {
      writes.push(`${context.commandName} ${JSON.stringify(args.input).slice(0, 60)}`);
      return { output: { $metadata: {} }, response: {} };
    },
    { step: 'build', name: 'answerWithoutDynamoDb' },
  );
  ses.middlewareStack.add(() => async () => ({ output: { $metadata: {}, MessageId: 'x' }, response: {} }), {
    step: 'build',
    name: 'answerWithoutSes',
  });
});

afterEach(() => {
  crashFaults.disarm();
  writes.length = 0;
});

describe('reserved concurrency', () => {
  it('the dispatcher is declared with reserved concurrency 1', () => {
    expect(subscriptions.find((entry) => entry.name === 'dispatch-mailout')?.reservedConcurrency).toBe(1);
  });

  it('caps the invocations a queue has in hand below its maximum concurrency', async () => {
    const peak = async (reservedConcurrency?: number) => {
      let running = 0;
      let highest = 0;
      let done = 0;
      const subscription: BusSubscription = {
        name: 'capped',
        pattern: { source: ['alliance.test'] },
        queue: { batchSize: 1, batchingWindowSeconds: 0, maxConcurrency: 4, maxReceiveCount: 3 },
        reservedConcurrency,
        visibilityTimeoutSeconds: 10,
        invoke: async () => {
          highest = Math.max(highest, ++running);
          await new Promise((resolve) => setTimeout(resolve, 20));
          running--;
          done++;
          return undefined;
        },
      };
      const bus = new LocalBus([subscription], {
        busName: 'alliance',
        account: '000000000000',
        region: 'eu-west-2',
        archiveFile: path.join(mkdtempSync(path.join(tmpdir(), 'alliance-levers-')), 'archive.jsonl'),
        archiveSourcePrefix: 'alliance.',
      });
      bus.putEvents(
        Array.from({ length: 8 }, (_, n) => ({
          Source: 'alliance.test',
          DetailType: 'Thing',
          Detail: JSON.stringify({ n }),
          EventBusName: 'alliance',
        })),
      );
      await bus.idle();
      bus.stop();
      expect(done).toBe(8);
      return { highest, stats: bus.stats().subscriptions.capped?.peakConcurrency };
    };
    expect(await peak(1)).toEqual({ highest: 1, stats: 1 });
    expect(await peak()).toEqual({ highest: 4, stats: 4 });
  });
});

describe('crash faults', () => {
  it('kill the armed function at its n-th DynamoDB write, before the write, and every call after it', async () => {
    expect(crashFaults.arm('mailouts-dispatch-mailout', 3)).toEqual([]);
    const outcome = await asDispatcher(async () => {
      await put(1);
      await dynamo.send(new UpdateCommand({ TableName: 'alliance-mailouts', Key: { pk: 'a', sk: 'b' } }));
      await dynamo.send(new GetCommand({ TableName: 'alliance-mailouts', Key: { pk: 'a', sk: 'b' } }));
      await put(2).catch(() => undefined); // A handler that swallows the error still dies.
      await put(3).catch(() => undefined);
      await ses.send(new SendEmailCommand({ Content: {} })).catch(() => undefined);
      return 'finished';
    }).catch((error: unknown) => error);
    expect(outcome).toMatchObject({ name: 'LocalCrash', message: expect.stringMatching(/simulated crash/) });
    expect(writes.map((line) => line.split(' ')[0])).toEqual([
      'PutItemCommand',
      'UpdateItemCommand',
      'GetItemCommand',
    ]);
    expect(crashFaults.list()).toMatchObject({
      armed: [],
      fired: [expect.objectContaining({ function: 'mailouts-dispatch-mailout', command: 'PutItemCommand' })],
    });
    // One-shot: the next invocation runs whole.
    await expect(asDispatcher(() => put(4))).resolves.toBeDefined();
  });

  it('count only the armed function, and only writes (a transaction counts once)', async () => {
    crashFaults.arm('mailouts-dispatch-mailout', 2);
    await asSender(() => put(1).catch(() => undefined));
    await asDispatcher(() =>
      dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: 'alliance-deliveries', Item: { pk: 'a', sk: 'b' } } },
            { Put: { TableName: 'alliance-deliveries', Item: { pk: 'a', sk: 'c' } } },
          ],
        }),
      ),
    );
    expect(crashFaults.list().armed).toMatchObject([
      { function: 'mailouts-dispatch-mailout', writesSeen: 1 },
    ]);
    await expect(asDispatcher(() => put(2))).rejects.toMatchObject({ name: 'LocalCrash' });
  });

  it('refuse an unknown function or a bad count, and disarm', () => {
    expect(crashFaults.arm('mailouts-nope', 0)).toEqual([
      expect.stringMatching(/^function: one of the handler ids: .*mailouts-dispatch-mailout/),
      expect.stringMatching(/^afterWrites/),
    ]);
    crashFaults.arm('mailouts-dispatch-mailout', 5);
    expect(crashFaults.disarm('mailouts-dispatch-mailout')).toBe(1);
    expect(crashFaults.list().armed).toEqual([]);
  });
});

describe('SES grants', () => {
  it('GetAccount needs readsSendQuota; SendEmail keeps needing sendsEmail', async () => {
    await expect(asDispatcher(() => ses.send(new GetAccountCommand({})))).resolves.toBeDefined();
    await expect(asSender(() => ses.send(new GetAccountCommand({})))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(/members-send-welcome-email is not allowed to read the SES send quota/),
    });
    await expect(asSender(() => ses.send(new SendEmailCommand({ Content: {} })))).resolves.toBeDefined();
    const quotaOnly: HandlerEntry = { handler: 'functions/x.ts', uses: { readsSendQuota: true } };
    await expect(
      asHandler(quotaOnly, 'x', () => ses.send(new SendEmailCommand({ Content: {} }))),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});

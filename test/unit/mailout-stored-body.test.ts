import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as createMailout } from '../../functions/mailouts/create-mailout';
import { maxMarkdownBytes } from '../../functions/mailouts/domain/mailout';
import { renderBodyToStore, renderMarkdown } from '../../functions/mailouts/domain/render-markdown';
import {
  maxStoredBodyBytes,
  packBody,
  UnreadableBody,
  unpackBody,
  unpackBodyOnce,
} from '../../functions/mailouts/domain/stored-body';
import { handler as updateMailout } from '../../functions/mailouts/update-mailout';
import { context, httpEvent } from './http-event';

const dynamo = mockClient(DynamoDBDocumentClient);
beforeEach(() => dynamo.reset());

/**
 * Markdown under the 200 KB cap that renders too large to keep: random letters and digits hardly
 * compress, and the body holds them twice (HTML and text).
 */
const incompressibleMarkdown = () =>
  randomBytes(140 * 1024)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'x');

const ordinaryProse = (bytes: number) => {
  const paragraph =
    'The **Smart City Alliance** met at the [civic centre](https://example.org/venue) to talk about mobility, energy and skills.\n\n- Open data for buses\n- Heat networks\n\n';
  return paragraph.repeat(Math.floor(bytes / paragraph.length));
};

const errorOf = (answer: { body?: string }) =>
  JSON.parse(answer.body ?? '{}') as { error: { details?: Array<{ field: string; message: string }> } };

function staffEvent(routeKey: string, body: unknown, id?: string) {
  const event = httpEvent(routeKey, { body });
  event.requestContext.authorizer.jwt.claims = { 'cognito:groups': ['staff'] };
  if (id) event.pathParameters = { id };
  return event;
}

describe('the body a draft stores', () => {
  it('comes back exactly as rendered', () => {
    const body = renderMarkdown('# Hello\n\nCafé & <b>bold</b> — see https://example.org');
    expect(unpackBody(packBody(body))).toEqual(body);
  });

  it('a damaged stored body is refused, never put in an e-mail', () => {
    expect(() => unpackBody(new Uint8Array([1, 2, 3]))).toThrow(UnreadableBody);
    expect(() => unpackBody(gzipSync(JSON.stringify({ html: '<p>x</p>' })))).toThrow(UnreadableBody);
  });

  it('a body is decoded once per mail-out and save, and again after a new save', () => {
    const first = packBody(renderMarkdown('First'));
    const decoded = unpackBodyOnce('m1@2026-11-27T10:00:00.000Z', first);
    expect(unpackBodyOnce('m1@2026-11-27T10:00:00.000Z', first)).toBe(decoded);
    const saved = unpackBodyOnce('m1@2026-11-27T10:05:00.000Z', packBody(renderMarkdown('Second')));
    expect(saved.text).toBe('Second\n');
  });

  it('a full 200 KB of ordinary prose is kept, well under the limit', () => {
    const markdown = ordinaryProse(maxMarkdownBytes);
    expect(Buffer.byteLength(markdown)).toBeGreaterThan(maxMarkdownBytes - 1024);
    expect(renderBodyToStore(markdown).byteLength).toBeLessThan(maxStoredBodyBytes / 4);
  });

  it('a body too large once rendered is a 400 naming the Markdown', () => {
    const markdown = incompressibleMarkdown();
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(maxMarkdownBytes);
    expect(() => renderBodyToStore(markdown)).toThrow(
      expect.objectContaining({
        statusCode: 400,
        details: [
          expect.objectContaining({
            field: 'markdown',
            message: expect.stringMatching(/too large once rendered/),
          }),
        ],
      }),
    );
  });
});

describe('saving a draft at the seam', () => {
  it('a new draft is written once, with its rendered body beside the Markdown', async () => {
    dynamo.on(PutCommand).resolves({});
    const answer = await createMailout(
      staffEvent('POST /api/mailouts', { subject: 'Hello', markdown: 'Hi **all**' }),
      context,
    );
    expect(answer.statusCode).toBe(201);
    const puts = dynamo.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    const item = puts[0]?.args[0].input.Item ?? {};
    expect(item.markdown).toBe('Hi **all**');
    expect(unpackBody(item.renderedBody as Uint8Array)).toEqual(renderMarkdown('Hi **all**'));
    expect(item).not.toHaveProperty('bodyRendered');
    expect(JSON.parse(answer.body ?? '{}')).not.toHaveProperty('renderedBody');
  });

  it('a new draft whose body renders too large is a 400, and nothing is written', async () => {
    const answer = await createMailout(
      staffEvent('POST /api/mailouts', { subject: 'Big', markdown: incompressibleMarkdown() }),
      context,
    );
    expect(answer.statusCode).toBe(400);
    expect(errorOf(answer).error.details?.map((detail) => detail.field)).toEqual(['markdown']);
    expect(dynamo.calls()).toHaveLength(0);
  });

  const storedDraft = {
    pk: 'MAILOUT#6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
    sk: 'MAILOUT',
    mailoutId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
    subject: 'Hello',
    markdown: 'Old body',
    audience: {},
    source: { kind: 'audience' },
    state: 'draft',
    createdAt: '2026-11-27T10:00:00.000Z',
    updatedAt: '2026-11-27T10:00:00.000Z',
    counts: {},
    run: 0,
    phase: 'snapshot',
  };

  it('new Markdown is written with its render in the same update; a too-large one changes nothing', async () => {
    dynamo
      .on(GetCommand)
      .resolves({ Item: { ...storedDraft, renderedBody: packBody(renderMarkdown('Old body')) } });
    dynamo.on(TransactWriteCommand).resolves({});
    const changed = await updateMailout(
      staffEvent('PATCH /api/mailouts/{id}', { markdown: 'New *body*' }, storedDraft.mailoutId),
      context,
    );
    expect(changed.statusCode).toBe(200);
    const [write] = dynamo.commandCalls(TransactWriteCommand);
    const update = write?.args[0].input.TransactItems?.[0]?.Update;
    expect(update?.ExpressionAttributeValues?.[':markdown']).toBe('New *body*');
    expect(unpackBody(update?.ExpressionAttributeValues?.[':renderedBody'] as Uint8Array)).toEqual(
      renderMarkdown('New *body*'),
    );

    dynamo.resetHistory();
    const refused = await updateMailout(
      staffEvent('PATCH /api/mailouts/{id}', { markdown: incompressibleMarkdown() }, storedDraft.mailoutId),
      context,
    );
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).error.details?.map((detail) => detail.field)).toEqual(['markdown']);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('any change to a draft saved before bodies were stored renders its body, only if none was stored meanwhile', async () => {
    dynamo.on(GetCommand).resolves({ Item: storedDraft });
    dynamo.on(TransactWriteCommand).resolves({});
    const changed = await updateMailout(
      staffEvent('PATCH /api/mailouts/{id}', { subject: 'Hello again' }, storedDraft.mailoutId),
      context,
    );
    expect(changed.statusCode).toBe(200);
    const update = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;
    expect(unpackBody(update?.ExpressionAttributeValues?.[':renderedBody'] as Uint8Array)).toEqual(
      renderMarkdown('Old body'),
    );
    expect(update?.ConditionExpression).toContain('attribute_not_exists(#renderedBody)');
  });
});

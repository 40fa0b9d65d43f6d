import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as createMailout } from '../../functions/mailouts/create-mailout';
import { maxMarkdownBytes } from '../../functions/mailouts/domain/mailout';
import {
  bodyToBackfill,
  renderBodyToStore,
  renderMarkdown,
} from '../../functions/mailouts/domain/render-markdown';
import {
  maxStoredBodyBytes,
  packBody,
  UnreadableBody,
  unpackBody,
  unpackBodyOnce,
} from '../../functions/mailouts/domain/stored-body';
import { handler as getMailoutHandler } from '../../functions/mailouts/get-mailout';
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

describe('what a start, schedule, resume or change writes of the content', () => {
  const body = packBody(renderMarkdown('Kept'));

  it('nothing when the body is in the content item already', () => {
    expect(bodyToBackfill({ markdown: 'Kept', renderedBody: body, onHeader: false })).toBeUndefined();
  });

  it('content still on the header is moved, its stored body as it is', () => {
    expect(bodyToBackfill({ markdown: 'Kept', renderedBody: body, onHeader: true })).toEqual({
      markdown: 'Kept',
      renderedBody: body,
      backfill: true,
      fromHeader: true,
    });
  });

  it('a missing body is rendered from the stored Markdown', () => {
    const write = bodyToBackfill({ markdown: 'Kept', onHeader: false });
    expect(write).toMatchObject({ markdown: 'Kept', backfill: true, fromHeader: false });
    expect(unpackBody(write?.renderedBody as Uint8Array)).toEqual(renderMarkdown('Kept'));
  });
});

describe('saving a draft at the seam', () => {
  it('a new draft is written in one transaction: a small header, and its content beside it', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const answer = await createMailout(
      staffEvent('POST /api/mailouts', { subject: 'Hello', markdown: 'Hi **all**' }),
      context,
    );
    expect(answer.statusCode).toBe(201);
    const writes = dynamo.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const [header, content] = (writes[0]?.args[0].input.TransactItems ?? []).map(
      (item) => item.Put?.Item ?? {},
    );
    expect(header?.sk).toBe('MAILOUT');
    expect(header?.subject).toBe('Hello');
    expect(header).not.toHaveProperty('markdown');
    expect(header).not.toHaveProperty('renderedBody');
    expect(header).not.toHaveProperty('bodyRendered');
    expect(content?.pk).toBe(header?.pk);
    expect(content?.sk).toBe('CONTENT');
    expect(content?.markdown).toBe('Hi **all**');
    expect(unpackBody(content?.renderedBody as Uint8Array)).toEqual(renderMarkdown('Hi **all**'));
    // The content item stays out of the indexes: they list and schedule headers only.
    expect(content).not.toHaveProperty('listPk');
    expect(content).not.toHaveProperty('duePk');
    const shown = JSON.parse(answer.body ?? '{}');
    expect(shown.markdown).toBe('Hi **all**');
    expect(shown).not.toHaveProperty('renderedBody');
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

  const mailoutId = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
  const header = {
    pk: `MAILOUT#${mailoutId}`,
    sk: 'MAILOUT',
    mailoutId,
    subject: 'Hello',
    audience: {},
    source: { kind: 'audience' },
    state: 'draft',
    createdAt: '2026-11-27T10:00:00.000Z',
    updatedAt: '2026-11-27T10:00:00.000Z',
    counts: {},
    run: 0,
    phase: 'snapshot',
  };
  const contentItem = {
    pk: `MAILOUT#${mailoutId}`,
    sk: 'CONTENT',
    markdown: 'Old body',
    renderedBody: packBody(renderMarkdown('Old body')),
  };
  /** As mail-outs saved before the content item were: the Markdown on the header, no body. */
  const savedBeforeBodies = { ...header, markdown: 'Old body' };

  const writtenItems = () => dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];

  it('new Markdown is written to the content item with its render, beside the header change; a too-large one changes nothing', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [contentItem, header] });
    dynamo.on(TransactWriteCommand).resolves({});
    const changed = await updateMailout(
      staffEvent('PATCH /api/mailouts/{id}', { markdown: 'New *body*' }, mailoutId),
      context,
    );
    expect(changed.statusCode).toBe(200);
    const [headerWrite, contentWrite] = writtenItems();
    expect(headerWrite?.Update?.Key).toEqual({ pk: header.pk, sk: 'MAILOUT' });
    expect(headerWrite?.Update?.ConditionExpression).toContain('#state IN (:draft, :scheduled)');
    expect(JSON.stringify(headerWrite?.Update?.ExpressionAttributeValues)).not.toContain('New *body*');
    expect(contentWrite?.Put?.Item?.sk).toBe('CONTENT');
    expect(contentWrite?.Put?.Item?.markdown).toBe('New *body*');
    expect(unpackBody(contentWrite?.Put?.Item?.renderedBody as Uint8Array)).toEqual(
      renderMarkdown('New *body*'),
    );

    dynamo.resetHistory();
    const refused = await updateMailout(
      staffEvent('PATCH /api/mailouts/{id}', { markdown: incompressibleMarkdown() }, mailoutId),
      context,
    );
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).error.details?.map((detail) => detail.field)).toEqual(['markdown']);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('a mail-out saved with its Markdown on the header reads as before', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [savedBeforeBodies] });
    const shown = await getMailoutHandler(
      staffEvent('GET /api/mailouts/{id}', undefined, mailoutId),
      context,
    );
    expect(shown.statusCode).toBe(200);
    expect(JSON.parse(shown.body ?? '{}')).toMatchObject({
      id: mailoutId,
      subject: 'Hello',
      markdown: 'Old body',
    });
  });

  it('new Markdown for a mail-out saved with it on the header moves the content off the header', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [savedBeforeBodies] });
    dynamo.on(TransactWriteCommand).resolves({});
    const changed = await updateMailout(
      staffEvent('PATCH /api/mailouts/{id}', { markdown: 'New *body*' }, mailoutId),
      context,
    );
    expect(changed.statusCode).toBe(200);
    const [headerWrite, contentWrite] = writtenItems();
    expect(headerWrite?.Update?.UpdateExpression).toMatch(/REMOVE #markdown, #renderedBody$/);
    expect(contentWrite?.Put?.Item?.markdown).toBe('New *body*');
  });

  it('any change to a draft saved before bodies were stored renders its body into the content item, only if none was stored meanwhile', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [savedBeforeBodies] });
    dynamo.on(TransactWriteCommand).resolves({});
    const changed = await updateMailout(
      staffEvent('PATCH /api/mailouts/{id}', { subject: 'Hello again' }, mailoutId),
      context,
    );
    expect(changed.statusCode).toBe(200);
    const [headerWrite, contentWrite] = writtenItems();
    expect(headerWrite?.Update?.ExpressionAttributeValues?.[':subject']).toBe('Hello again');
    expect(headerWrite?.Update?.UpdateExpression).toMatch(/REMOVE #markdown, #renderedBody$/);
    expect(headerWrite?.Update?.ConditionExpression).toContain('attribute_exists(#markdown)');
    expect(contentWrite?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(contentWrite?.Put?.Item?.markdown).toBe('Old body');
    expect(unpackBody(contentWrite?.Put?.Item?.renderedBody as Uint8Array)).toEqual(
      renderMarkdown('Old body'),
    );
  });

  it('a change to a draft whose content item has no body yet (a follow-up of an old mail-out) renders it there', async () => {
    const { renderedBody: _renderedBody, ...withoutBody } = contentItem;
    dynamo.on(QueryCommand).resolves({ Items: [withoutBody, header] });
    dynamo.on(TransactWriteCommand).resolves({});
    const changed = await updateMailout(
      staffEvent('PATCH /api/mailouts/{id}', { preheader: 'Soon' }, mailoutId),
      context,
    );
    expect(changed.statusCode).toBe(200);
    const [headerWrite, contentWrite] = writtenItems();
    expect(headerWrite?.Update?.UpdateExpression).not.toContain('REMOVE');
    expect(contentWrite?.Update?.ConditionExpression).toBe(
      'attribute_exists(pk) AND attribute_not_exists(#renderedBody)',
    );
    expect(
      unpackBody(contentWrite?.Update?.ExpressionAttributeValues?.[':renderedBody'] as Uint8Array),
    ).toEqual(renderMarkdown('Old body'));
  });
});

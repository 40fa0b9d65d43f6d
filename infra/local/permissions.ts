/**
 * IAM on one machine: each handler may reach only what its catalogue entry's `uses` grants, as its
 * Lambda role would in the cloud. Middleware on the shared SDK clients checks every call against the
 * invocation in hand, so a handler that needs more than it declares fails here, in the tests, not
 * after a deploy. Writing an outbox item is publishing: its detail-type must be in `publishes`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { dynamo, eventBridge, ses } from '../../shared/clients';
import { outboxItemType } from '../../shared/outbox';
import type { Access, HandlerEntry, TableName } from '../catalogue';
import { tables } from '../catalogue';
import { localTableName } from './services';

const invocation = new AsyncLocalStorage<{ entry: HandlerEntry; name: string }>();

/** Runs a handler invocation under its entry's grants. */
export const asHandler = <T>(entry: HandlerEntry, name: string, run: () => Promise<T>): Promise<T> =>
  invocation.run({ entry, name }, run);

export class AccessDenied extends Error {
  override readonly name = 'AccessDeniedException';
}

const tableKeyByLocalName = new Map(
  Object.keys(tables).map((key) => [localTableName(key), key as TableName]),
);

// Document-client and base-client names alike (the middleware may see either).
const readCommands = new Set([
  'GetCommand',
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetCommand',
  'BatchGetItemCommand',
  'TransactGetCommand',
  'TransactGetItemsCommand',
]);

type Wanted = Array<{ table: string; access: Access }>;

/** Which tables a DynamoDB document-client command touches, and how. */
function tablesWanted(commandName: string, input: Record<string, unknown>): Wanted {
  const access: Access = readCommands.has(commandName) ? 'read' : 'write';
  if (typeof input.TableName === 'string') return [{ table: input.TableName, access }];
  if (input.RequestItems && typeof input.RequestItems === 'object') {
    return Object.keys(input.RequestItems).map((table) => ({ table, access }));
  }
  if (Array.isArray(input.TransactItems)) {
    return (input.TransactItems as Array<Record<string, { TableName?: string }>>).flatMap((item) =>
      Object.entries(item).map(([kind, operation]) => ({
        table: operation.TableName ?? '',
        access: kind === 'ConditionCheck' || kind === 'Get' ? ('read' as const) : ('write' as const),
      })),
    );
  }
  return [];
}

function check(what: string, allowed: boolean): void {
  const current = invocation.getStore();
  if (current && !allowed) {
    throw new AccessDenied(
      `${current.name} is not allowed to ${what}: add it to the handler's "uses" in infra/catalogue.ts`,
    );
  }
}

/** An attribute as the document client or the base client carries it. */
const text = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof (value as { S?: unknown } | undefined)?.S === 'string'
      ? (value as { S: string }).S
      : undefined;

/** The items a write puts whole (single, batch or transaction), where an outbox item can go. */
function itemsPut(input: Record<string, unknown>): Array<Record<string, unknown>> {
  const items: unknown[] = [];
  if (input.Item) items.push(input.Item);
  // BatchWrite's requests are lists; BatchGet's are objects with Keys, and put nothing.
  for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(requests)) continue;
    for (const request of requests)
      items.push((request as { PutRequest?: { Item?: unknown } }).PutRequest?.Item);
  }
  for (const item of (input.TransactItems ?? []) as Array<{ Put?: { Item?: unknown } }>)
    items.push(item.Put?.Item);
  return items.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
}

/** An outbox item is a publication: its detail-type must be one the handler's entry `publishes`. */
function checkOutboxItems(input: Record<string, unknown>): void {
  const current = invocation.getStore();
  if (!current) return;
  for (const item of itemsPut(input)) {
    if (text(item.type) !== outboxItemType) continue;
    const detailType = text(item.detailType);
    check(
      `publish ${detailType}`,
      (current.entry.uses.publishes ?? []).some((type) => type === detailType),
    );
  }
}

type Next = (args: { input: unknown }) => Promise<unknown>;
type Check = (commandName: string, input: Record<string, unknown>) => void;

/** Adds a check that runs before every command a client sends. */
function guard(client: { middlewareStack: unknown }, run: Check): void {
  (client.middlewareStack as { add: (middleware: unknown, options: unknown) => void }).add(
    (next: Next, context: { commandName?: string }) => async (args: { input: unknown }) => {
      run(context.commandName ?? '', args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: 'localCatalogueGrants' },
  );
}

/** Installs the checks on the clients every handler shares. Call once, before handlers run. */
export function enforceCatalogueGrants(): void {
  guard(dynamo, (commandName, input) => {
    const current = invocation.getStore();
    if (!current) return;
    for (const { table, access } of tablesWanted(commandName, input)) {
      const key = tableKeyByLocalName.get(table);
      const granted = key ? current.entry.uses.tables?.[key] : undefined;
      check(`${access} table ${key ?? table}`, granted === 'write' || granted === access);
    }
    checkOutboxItems(input);
  });
  guard(eventBridge, (_commandName, input) => {
    const publishes = invocation.getStore()?.entry.uses.publishes;
    for (const entry of (input.Entries ?? []) as Array<{ DetailType?: string }>) {
      check(
        `publish ${entry.DetailType}`,
        !invocation.getStore() || (publishes ?? []).some((type) => type === entry.DetailType),
      );
    }
  });
  guard(ses, () => check('send e-mail', invocation.getStore()?.entry.uses.sendsEmail === true));
}

/**
 * IAM on one machine: each handler may reach only what its catalogue entry's `uses` grants, as its
 * Lambda role would in the cloud. Middleware on the shared SDK clients checks every call against the
 * invocation in hand, so a handler that needs more than it declares fails here, in the tests, not
 * after a deploy. Writing an outbox item is publishing: its detail-type must be in `publishes`.
 *
 * The same middleware is where a crash fault strikes (`/_local/faults/crash`): an armed function's
 * n-th DynamoDB write fails before it is made, and so does everything after it in that invocation,
 * which then fails as a whole, as a Lambda that dies mid-run does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { dynamo, eventBridge, ses } from '../../shared/clients';
import { outboxItemType } from '../../shared/outbox';
import type { Access, HandlerEntry, TableName } from '../catalogue';
import { allHandlerEntries, handlerId, tables } from '../catalogue';
import { localTableName } from './services';

interface Invocation {
  entry: HandlerEntry;
  name: string;
  /** Set once a crash fault has struck this invocation: it is dead from then on. */
  crashed?: LocalCrash;
}

const invocation = new AsyncLocalStorage<Invocation>();

/** Runs a handler invocation under its entry's grants; one a crash fault struck fails, whatever it returns. */
export const asHandler = async <T>(entry: HandlerEntry, name: string, run: () => Promise<T>): Promise<T> => {
  const current: Invocation = { entry, name };
  let result: T;
  try {
    result = await invocation.run(current, run);
  } catch (error) {
    throw current.crashed ?? error;
  }
  if (current.crashed) throw current.crashed;
  return result;
};

export class AccessDenied extends Error {
  override readonly name = 'AccessDeniedException';
}

/** What a crash fault throws: the invocation dies before the write is made. */
export class LocalCrash extends Error {
  override readonly name = 'LocalCrash';
}

export interface CrashFault {
  function: string;
  /** The write (counted from arming) that fails: 1 is the next one. */
  afterWrites: number;
  writesSeen: number;
  armedAt: string;
}

export interface FiredCrash {
  function: string;
  command: string;
  afterWrites: number;
  at: string;
}

const writeCommands = new Set([
  'PutCommand',
  'PutItemCommand',
  'UpdateCommand',
  'UpdateItemCommand',
  'DeleteCommand',
  'DeleteItemCommand',
  'TransactWriteCommand',
  'TransactWriteItemsCommand',
  'BatchWriteCommand',
  'BatchWriteItemCommand',
]);

const armed = new Map<string, CrashFault>();
const fired: FiredCrash[] = [];
let crashed = 0;

/** The `/_local/faults/crash` lever: one-shot faults that stop a function mid-run. */
export const crashFaults = {
  /** Arms (or re-arms) a fault for a handler id such as `mailouts-dispatch-mailout`; answers problems. */
  arm(functionName: unknown, afterWrites: unknown): string[] {
    const known = allHandlerEntries().map(handlerId);
    const problems: string[] = [];
    if (typeof functionName !== 'string' || !known.includes(functionName))
      problems.push(`function: one of the handler ids: ${known.join(', ')}`);
    if (typeof afterWrites !== 'number' || !Number.isInteger(afterWrites) || afterWrites < 1)
      problems.push('afterWrites: a whole number from 1 (1: the next DynamoDB write fails)');
    if (problems.length > 0) return problems;
    armed.set(functionName as string, {
      function: functionName as string,
      afterWrites: afterWrites as number,
      writesSeen: 0,
      armedAt: new Date().toISOString(),
    });
    return [];
  },
  /** Disarms one function's fault, or all; answers how many were armed. */
  disarm(functionName?: string): number {
    if (functionName !== undefined) return armed.delete(functionName) ? 1 : 0;
    const count = armed.size;
    armed.clear();
    return count;
  },
  /** Armed faults, and those that struck (the last 100; `crashed` counts them all). */
  list(): { armed: CrashFault[]; fired: FiredCrash[]; crashed: number } {
    return { armed: [...armed.values()].map((fault) => ({ ...fault })), fired: [...fired], crashed };
  },
};

/** A dead invocation makes no more calls; an armed one dies at its fault's write. */
function crashCheck(commandName: string): void {
  const current = invocation.getStore();
  if (!current) return;
  if (current.crashed) throw current.crashed;
  const fault = armed.get(current.name);
  if (!fault || !writeCommands.has(commandName)) return;
  fault.writesSeen++;
  if (fault.writesSeen < fault.afterWrites) return;
  armed.delete(current.name);
  crashed++;
  fired.push({
    function: current.name,
    command: commandName,
    afterWrites: fault.afterWrites,
    at: new Date().toISOString(),
  });
  if (fired.length > 100) fired.shift();
  current.crashed = new LocalCrash(
    `simulated crash of ${current.name} before its DynamoDB write ${commandName}`,
  );
  throw current.crashed;
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
    crashCheck(commandName);
    for (const { table, access } of tablesWanted(commandName, input)) {
      const key = tableKeyByLocalName.get(table);
      const granted = key ? current.entry.uses.tables?.[key] : undefined;
      check(`${access} table ${key ?? table}`, granted === 'write' || granted === access);
    }
    checkOutboxItems(input);
  });
  guard(eventBridge, (commandName, input) => {
    crashCheck(commandName);
    const publishes = invocation.getStore()?.entry.uses.publishes;
    for (const entry of (input.Entries ?? []) as Array<{ DetailType?: string }>) {
      check(
        `publish ${entry.DetailType}`,
        !invocation.getStore() || (publishes ?? []).some((type) => type === entry.DetailType),
      );
    }
  });
  guard(ses, (commandName) => {
    crashCheck(commandName);
    const uses = invocation.getStore()?.entry.uses;
    if (commandName === 'GetAccountCommand') check('read the SES send quota', uses?.readsSendQuota === true);
    else check('send e-mail', uses?.sendsEmail === true);
  });
}

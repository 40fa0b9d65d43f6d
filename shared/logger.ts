import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { mapErrorStack } from './stack-traces';

/** Structured JSON logs. Never log names, addresses or tokens: ids are enough to follow a case. */
const root = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'alliance',
  // A logged error's stack is mapped to the TypeScript here, when it is logged (shared/stack-traces.ts).
  jsonReplacerFn: (_key, value) => (value instanceof Error ? mapErrorStack(value) : value),
});

const context = new AsyncLocalStorage<Logger>();

/**
 * The logger of the invocation in hand. In Lambda one container runs one invocation at a time, but
 * the local runtime runs many at once in one process: each invocation's keys (correlation id, event
 * id, route) live in its own child logger, so no line is ever labelled with another request's keys.
 */
export const logger: Logger = new Proxy(root, {
  get(target, property) {
    const current = context.getStore() ?? target;
    const value = Reflect.get(current, property, current) as unknown;
    return typeof value === 'function' ? value.bind(current) : value;
  },
});

export type LogKeys = Record<string, string | number | boolean | undefined>;

/** Runs one invocation with these keys on every log line it writes. */
export const withLogKeys = <T>(keys: LogKeys, run: () => Promise<T>): Promise<T> =>
  context.run(root.createChild({ persistentKeys: keys }), run);

let coldStart = true;

/**
 * The Lambda context of one invocation as log keys, under the names Powertools' `addContext` gives
 * them. Not `addContext` itself: it would go on a fresh child logger per invocation, and a fresh
 * logger counts its own first invocation as a cold start, so every line would claim one. Call once
 * per invocation: the first call in a process is the cold start.
 */
export function lambdaContextKeys(lambdaContext: Context | undefined): LogKeys {
  const keys: LogKeys = {
    cold_start: coldStart,
    function_name: lambdaContext?.functionName,
    function_request_id: lambdaContext?.awsRequestId,
  };
  coldStart = false;
  return keys;
}

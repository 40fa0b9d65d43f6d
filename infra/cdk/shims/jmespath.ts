/**
 * What a bundled function gets for `@aws-lambda-powertools/jmespath` and its `/functions` entry
 * (function.ts aliases both here). Powertools Idempotency imports it for two options the consumer
 * wrapper (shared/consumer.ts) never sets: `eventKeyJmesPath` (the key is the event id, given as the
 * `dataIndexArgument`) and `payloadValidationJmesPath`. Unset, Idempotency only constructs
 * `PowertoolsFunctions` and never calls `search`. The real package is ~23 KB of every idempotent
 * consumer's bundle. If a consumer ever does set a JMESPath, it fails loudly instead of guessing.
 */
export class JmesPathNotBundled extends Error {
  constructor() {
    super(
      'a JMESPath expression was evaluated, but @aws-lambda-powertools/jmespath is not bundled (infra/cdk/shims/jmespath.ts): Idempotency needs it only for eventKeyJmesPath or payloadValidationJmesPath',
    );
    this.name = 'JmesPathNotBundled';
  }
}

export const search = (_expression: string, _data: unknown, _options?: unknown): unknown => {
  throw new JmesPathNotBundled();
};

/** Idempotency's config makes one as its default `customFunctions` and compares its constructor. */
export class PowertoolsFunctions {}

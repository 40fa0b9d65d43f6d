/**
 * What a bundled function gets for `@smithy/core/event-streams` (function.ts aliases it here). Its one
 * importer is the SDK's `HttpProtocol`, which loads it (a dynamic import, which esbuild inlines) only
 * to serialise or parse an operation with an event-stream member. None of the operations the
 * functions call (DynamoDB, EventBridge PutEvents, SES SendEmail and GetAccount, Secrets Manager
 * GetSecretValue) has one. The real module is ~15 KB of every bundle. If an event stream is ever
 * met, it fails loudly instead of guessing.
 */
export class EventStreamsNotBundled extends Error {
  constructor() {
    super(
      'an AWS operation with an event stream was called, but @smithy/core/event-streams is not bundled (infra/cdk/shims/smithy-event-streams.ts)',
    );
    this.name = 'EventStreamsNotBundled';
  }
}

export const eventStreamSerdeProvider = (_options: unknown): never => {
  throw new EventStreamsNotBundled();
};

export class EventStreamSerde {
  constructor(_options: unknown) {
    throw new EventStreamsNotBundled();
  }
}

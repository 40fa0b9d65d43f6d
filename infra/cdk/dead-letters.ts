/**
 * Dead-letter queues: where a record that could not be delivered or processed is kept for
 * inspection and redrive. Every rule target, subscription queue, scheduled function and outbox pipe
 * has one; they all look alike, so they are made here.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** How long dead letters are kept: SQS's maximum, so a long weekend never costs a record. */
export const deadLetterRetention = Duration.days(14);

/** Every queue made here, so the monitoring stack can alarm on each one's depth (monitoring.ts). */
const madeHere = new WeakSet<sqs.IQueue>();
export const isDeadLetterQueue = (queue: unknown): queue is sqs.Queue =>
  queue instanceof sqs.Queue && madeHere.has(queue);

/**
 * A dead-letter queue, encrypted (SQS-managed keys, so no KMS grant is needed by whoever writes to
 * it) and reachable over TLS only. `holds` says what ends up in it, for the operator reading the
 * acknowledgements.
 */
export function deadLetterQueue(scope: Construct, id: string, holds: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    enforceSSL: true,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    retentionPeriod: deadLetterRetention,
  });
  const reason = `This queue is itself a dead-letter queue (it holds ${holds}); nothing consumes it automatically, so it needs no dead-letter queue or redrive policy of its own.`;
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
  madeHere.add(queue);
  return queue;
}

import type { SQSEvent } from 'aws-lambda';

/** A batch as a subscription's queue hands it to its function: one EventBridge event per record. */
export const sqsBatch = (
  queue: string,
  ...events: Array<{ detailType: string; detail: unknown; id?: string }>
): SQSEvent => ({
  Records: events.map((event, index) => ({
    messageId: event.id ?? `m${index}`,
    receiptHandle: `r${index}`,
    body: JSON.stringify({
      version: '0',
      id: `e${index}`,
      'detail-type': event.detailType,
      source: 'alliance.members',
      time: '2026-11-27T10:00:00Z',
      detail: event.detail,
    }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'events',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:eu-west-2:000000000000:${queue}`,
    awsRegion: 'eu-west-2',
  })),
});

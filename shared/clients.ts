/** AWS clients, created once per process and configured only by the environment
 * (locally: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SESV2, AWS_ENDPOINT_URL_EVENTBRIDGE).
 *
 * Each is captured by Powertools Tracer, so every SDK call is an X-Ray subsegment of the function's
 * trace (the functions run with active tracing). Outside Lambda (no AWS_EXECUTION_ENV: the local
 * runtime, tests) the tracer is disabled and hands the clients back untouched, so nothing looks for
 * an X-Ray daemon. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './tracer';

// `@__PURE__`: a bundle keeps only the clients its handler uses (esbuild drops the rest, ~60 KB each).

/** The base client, for libraries that take one (Powertools Idempotency); same middleware, same grants. */
export const dynamoBase = /* @__PURE__ */ tracer.captureAWSv3Client(/* @__PURE__ */ new DynamoDBClient({}));
export const dynamo = /* @__PURE__ */ DynamoDBDocumentClient.from(dynamoBase, {
  marshallOptions: { removeUndefinedValues: true },
});
export const eventBridge = /* @__PURE__ */ tracer.captureAWSv3Client(
  /* @__PURE__ */ new EventBridgeClient({}),
);
export const ses = /* @__PURE__ */ tracer.captureAWSv3Client(/* @__PURE__ */ new SESv2Client({}));
export const secretsManager = /* @__PURE__ */ tracer.captureAWSv3Client(
  /* @__PURE__ */ new SecretsManagerClient({}),
);

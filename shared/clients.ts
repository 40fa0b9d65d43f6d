/** AWS clients, created once per process and configured only by the environment
 * (locally: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SESV2, AWS_ENDPOINT_URL_EVENTBRIDGE). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The base client, for libraries that take one (Powertools Idempotency); same middleware, same grants. */
export const dynamoBase = new DynamoDBClient({});
export const dynamo = DynamoDBDocumentClient.from(dynamoBase, {
  marshallOptions: { removeUndefinedValues: true },
});
export const eventBridge = new EventBridgeClient({});
export const ses = new SESv2Client({});
export const secretsManager = new SecretsManagerClient({});

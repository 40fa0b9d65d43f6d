import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManager } from './clients';

let tokenSecret: Promise<Uint8Array> | undefined;

/**
 * The key that signs links in e-mails. In the cloud it is a Secrets Manager secret (TOKEN_SECRET_ID);
 * on one machine, a file the local runtime generated under .data/ (TOKEN_SECRET_FILE).
 * Read once per process.
 */
export function getTokenSecret(): Promise<Uint8Array> {
  tokenSecret ??= loadTokenSecret().catch((error: unknown) => {
    tokenSecret = undefined;
    throw error;
  });
  return tokenSecret;
}

async function loadTokenSecret(): Promise<Uint8Array> {
  const file = process.env.TOKEN_SECRET_FILE;
  const secretId = process.env.TOKEN_SECRET_ID;
  let value: string | undefined;
  if (file) {
    value = (await readFile(file, 'utf8')).trim();
  } else if (secretId) {
    const secret = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
    value = secret.SecretString;
  }
  if (!value || value.length < 32)
    throw new Error('The token signing secret is missing or shorter than 32 characters');
  return new TextEncoder().encode(value);
}

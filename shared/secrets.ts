import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManager } from './clients';

/**
 * A key held outside the code. In the cloud it is a Secrets Manager secret (`<NAME>_ID`, an ARN the
 * stack sets); on one machine, a file the local runtime generated under .data/ (`<NAME>_FILE`).
 * Read once per process; a failed read is tried again on the next call.
 */
function keyFromEnvironment(env: { file: string; secretId: string }, what: string) {
  let loaded: Promise<Uint8Array> | undefined;
  const load = async (): Promise<Uint8Array> => {
    const file = process.env[env.file];
    const secretId = process.env[env.secretId];
    let value: string | undefined;
    if (file) {
      value = (await readFile(file, 'utf8')).trim();
    } else if (secretId) {
      const secret = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
      value = secret.SecretString;
    }
    if (!value || value.length < 32) throw new Error(`The ${what} is missing or shorter than 32 characters`);
    return new TextEncoder().encode(value);
  };
  return (): Promise<Uint8Array> => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

/** The key that signs links in e-mails (TOKEN_SECRET_ID / TOKEN_SECRET_FILE). */
export const getTokenSecret = keyFromEnvironment(
  { file: 'TOKEN_SECRET_FILE', secretId: 'TOKEN_SECRET_ID' },
  'token signing secret',
);

/**
 * The key of the one-way labels that stand for addresses and IPs (booking ids, person keys, limit
 * keys): an HMAC under it cannot be recomputed by someone who only knows the address. A secret of
 * its own (PSEUDONYM_KEY_ID / PSEUDONYM_KEY_FILE), so either key can be replaced without the other.
 */
export const getPseudonymKey = keyFromEnvironment(
  { file: 'PSEUDONYM_KEY_FILE', secretId: 'PSEUDONYM_KEY_ID' },
  'pseudonym key',
);

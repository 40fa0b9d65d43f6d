import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cameThroughCloudFront, forgetOriginSecret } from '../../shared/http/origin';
import { originHeaderName, originSecretCacheSeconds } from '../../shared/http/origin-header';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { context, httpEvent } from './http-event';

const secrets = mockClient(SecretsManagerClient);
const current = 'c'.repeat(48);
const previous = 'p'.repeat(48);
const secretId = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:origin';

/** A public route that answers with the address the wrapper believes the caller has. */
const whoAmI = route({}, async ({ clientIp }) => json(200, { clientIp }));

const call = (headers: Record<string, string>) =>
  whoAmI(httpEvent('GET /api/form-options', { headers, sourceIp: '198.51.100.7' }), context);

const bodyOf = (response: { body?: string }) => JSON.parse(response.body ?? '{}');

beforeEach(() => {
  forgetOriginSecret();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ current, previous }) });
});

afterEach(() => {
  delete process.env.ORIGIN_SECRET_ID;
});

describe('in the cloud, only CloudFront may call the API', () => {
  beforeEach(() => {
    process.env.ORIGIN_SECRET_ID = secretId;
  });

  it('a request straight to the API endpoint, without the origin header, gets a 403', async () => {
    const response = await call({ 'true-client-ip': '192.0.2.1' });
    expect(response.statusCode).toBe(403);
    expect(bodyOf(response).error.message).toMatch(/through the site address/);
  });

  it('a wrong or truncated origin header gets a 403 too', async () => {
    for (const value of ['guess', current.slice(1), `${current}x`, previous.toUpperCase()]) {
      const response = await call({ [originHeaderName]: value });
      expect(response.statusCode, value).toBe(403);
    }
  });

  it('through CloudFront, the viewer address in true-client-ip is the one the limits see', async () => {
    const response = await call({ [originHeaderName]: current, 'true-client-ip': '192.0.2.1' });
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response).clientIp).toBe('192.0.2.1');
  });

  it('the previous value still works during a rotation', async () => {
    const response = await call({ [originHeaderName]: previous, 'true-client-ip': '192.0.2.2' });
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response).clientIp).toBe('192.0.2.2');
  });

  it('the secret is read once, and again after the cache time, so a rotation reaches every function', async () => {
    const headers = { [originHeaderName]: current };
    const start = Date.now();
    expect(await cameThroughCloudFront(headers, secretId, start)).toBe(true);
    expect(await cameThroughCloudFront(headers, secretId, start + 1000)).toBe(true);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    const rotated = 'r'.repeat(48);
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ current: rotated, previous: current }) });
    const later = start + originSecretCacheSeconds * 1000 + 1;
    expect(await cameThroughCloudFront({ [originHeaderName]: rotated }, secretId, later)).toBe(true);
    expect(await cameThroughCloudFront(headers, secretId, later)).toBe(true);
    expect(await cameThroughCloudFront({ [originHeaderName]: previous }, secretId, later)).toBe(false);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('a secret that cannot be read is an error (5xx), not an open door, and is tried again', async () => {
    secrets.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    const response = await call({ [originHeaderName]: current });
    expect(response.statusCode).toBe(500);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ current }) });
    expect((await call({ [originHeaderName]: current })).statusCode).toBe(200);
  });
});

describe('on one machine (no origin secret)', () => {
  it('a client-supplied true-client-ip is never believed', async () => {
    const response = await call({ 'true-client-ip': '192.0.2.1' });
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response).clientIp).toBe('198.51.100.7');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});

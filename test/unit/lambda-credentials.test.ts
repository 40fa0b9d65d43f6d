import { describe, expect, it } from 'vitest';
import {
  credentialsFromEnvironment,
  defaultProvider,
  MissingEnvironmentCredentials,
} from '../../infra/cdk/lambda-credentials';

describe('the credentials a bundled function signs with', () => {
  it('are the role credentials Lambda puts in the environment', () => {
    expect(
      credentialsFromEnvironment({
        AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'session',
      }),
    ).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' });
  });

  it('carry their expiry when the environment says it', () => {
    const credentials = credentialsFromEnvironment({
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_CREDENTIAL_EXPIRATION: '2030-01-01T00:00:00Z',
    });
    expect(credentials.expiration?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('missing ones fail the call with a clear error, not an unsigned request', async () => {
    expect(() => credentialsFromEnvironment({})).toThrow(MissingEnvironmentCredentials);
    const saved = { ...process.env };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      await expect(defaultProvider({})()).rejects.toThrow(/no AWS credentials/);
    } finally {
      process.env = saved;
    }
  });
});

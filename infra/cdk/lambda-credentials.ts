/**
 * What a bundled function uses in place of `@aws-sdk/credential-provider-node` (function.ts aliases
 * it here). Lambda hands a function its role's credentials in the environment, the first place the
 * SDK's default chain looks; the rest of that chain (SSO, shared ini files, web identity, instance
 * metadata, login) never answers in Lambda but carried ~100 KB into every bundle, with the STS, SSO
 * and sign-in clients it builds. Locally the handlers run unbundled, with the SDK's own chain.
 */

/** The shape the SDK's signers take (`AwsCredentialIdentity` in @smithy/types). */
export interface EnvironmentCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export class MissingEnvironmentCredentials extends Error {
  constructor() {
    super('no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
    this.name = 'MissingEnvironmentCredentials';
  }
}

export function credentialsFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): EnvironmentCredentials {
  const accessKeyId = environment.AWS_ACCESS_KEY_ID;
  const secretAccessKey = environment.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new MissingEnvironmentCredentials();
  const expiration = environment.AWS_CREDENTIAL_EXPIRATION;
  return {
    accessKeyId,
    secretAccessKey,
    ...(environment.AWS_SESSION_TOKEN ? { sessionToken: environment.AWS_SESSION_TOKEN } : {}),
    ...(expiration ? { expiration: new Date(expiration) } : {}),
  };
}

/** The SDK clients call `defaultProvider(config)` for their credential provider. */
export const defaultProvider =
  (_init?: unknown): (() => Promise<EnvironmentCredentials>) =>
  async () =>
    credentialsFromEnvironment();

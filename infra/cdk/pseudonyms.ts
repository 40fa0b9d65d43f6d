/**
 * The pseudonym key: the HMAC key of the one-way labels that stand for addresses and IPs (booking
 * ids, person keys, limit keys). A secret of its own, apart from the link-signing key, so either can
 * be replaced without the other.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Uses } from '../catalogue';
import { type AllianceFunction, bindSecret } from './function';

export function pseudonymKeySecret(scope: Construct, allianceName: string): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'PseudonymKey', {
    description: `${allianceName}: HMAC key of the one-way labels of addresses and IPs (booking ids, person keys, limit keys)`,
    generateSecretString: { passwordLength: 64, excludePunctuation: true },
    // Replacing it orphans every stored label: repeat bookings would no longer find the first.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The pseudonym key is not rotated automatically: a new key gives every address new labels, so bookings, attendance and limits made before would no longer be found as the same person (see README, "Keyed labels").',
  });
  return secret;
}

/** Who reads it: whoever declares it, and whoever writes the limits table (`consumeAllowance`
 * labels every allowance with it). */
export const readsPseudonymKey = (uses: Uses): boolean =>
  uses.pseudonymKey === true || uses.tables?.limits === 'write';

export const bindPseudonymKey = (fn: AllianceFunction, secret: secretsmanager.ISecret): void =>
  bindSecret(fn, secret, 'PSEUDONYM_KEY_ID');

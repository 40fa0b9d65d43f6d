/** The origin secret's binding: the env var the shared HTTP wrapper reads and the one read it needs. */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { type AllianceFunction, secretReadActions } from './function';

export function bindOriginSecret(fn: AllianceFunction, secret: secretsmanager.ISecret): void {
  fn.addEnvironment('ORIGIN_SECRET_ID', secret.secretArn);
  fn.grant(new iam.PolicyStatement({ actions: [...secretReadActions], resources: [secret.secretArn] }));
}

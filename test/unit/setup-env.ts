/** Environment a handler sees when CDK deploys it; unit tests mock the SDK behind it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tables } from '../../infra/catalogue';

const secretFile = path.join(mkdtempSync(path.join(tmpdir(), 'alliance-unit-')), 'token-secret');
writeFileSync(secretFile, 'unit-test-secret-that-is-long-enough-0123456789');
const pseudonymKeyFile = path.join(path.dirname(secretFile), 'pseudonym-key');
writeFileSync(pseudonymKeyFile, 'unit-test-pseudonym-key-long-enough-9876543210');

Object.assign(process.env, {
  AWS_REGION: 'eu-west-2',
  AWS_ACCESS_KEY_ID: 'unit',
  AWS_SECRET_ACCESS_KEY: 'unit',
  EVENT_BUS_NAME: 'alliance-test',
  TOKEN_SECRET_FILE: secretFile,
  PSEUDONYM_KEY_FILE: pseudonymKeyFile,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  ...Object.fromEntries(
    Object.values(tables).map((table) => [table.envVar, `test-${table.envVar.toLowerCase()}`]),
  ),
});

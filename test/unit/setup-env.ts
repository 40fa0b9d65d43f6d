/** Environment a handler sees when CDK deploys it; unit tests mock the SDK behind it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { routeAccessEntries } from '../../infra/catalogue';
import { bindRouteAccess } from '../../shared/http/access';
import { tableEnvVar, tableNames } from '../../shared/tables';

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
    tableNames.map((table) => [tableEnvVar(table), `test-${tableEnvVar(table).toLowerCase()}`]),
  ),
});

// Which groups may call each route, as the local runtime binds it (a Lambda bundle gets it at bundling).
bindRouteAccess(routeAccessEntries());

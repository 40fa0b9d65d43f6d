import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dynamoDbLocalCommand,
  dynamoDbLocalJarDir,
  exposedDynamoDbWarning,
  loopbackLauncher,
} from '../../infra/local/services';

describe('DynamoDB Local is started for this machine only', () => {
  it('runs the jar through the loopback launcher, which binds its connector to 127.0.0.1', () => {
    const jarDir = dynamoDbLocalJarDir();
    const args = dynamoDbLocalCommand(8000, '/data/dynamodb', jarDir, true);
    expect(args).toEqual([
      `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
      '-cp',
      path.join(jarDir, 'DynamoDBLocal.jar'),
      loopbackLauncher,
      '-port',
      '8000',
      '-dbPath',
      '/data/dynamodb',
      '-sharedDb',
      '-disableTelemetry',
    ]);
    expect(existsSync(path.join(jarDir, 'DynamoDBLocal.jar'))).toBe(true);
    expect(readFileSync(loopbackLauncher, 'utf8')).toMatch(/invoke\(connector, "127\.0\.0\.1"\)/);
  });

  it('falls back to the bare jar only with a loud warning that it is exposed', () => {
    const args = dynamoDbLocalCommand(8000, '/data/dynamodb', '/jar', false);
    expect(args.slice(1, 3)).toEqual(['-jar', path.join('/jar', 'DynamoDBLocal.jar')]);
    expect(args).toContain('-disableTelemetry');
    expect(exposedDynamoDbWarning(8000)).toMatch(/ALL network interfaces.*member data/);
  });
});

/** `npm run --silent token -- --group staff` prints a bearer token the local gateway accepts. */
import { parseArgs } from 'node:util';
import { signLocalToken } from './jwt';

const usage = 'usage: npm run --silent token -- --group staff|analyst [--group ...] [--sub NAME] [--hours N]';

try {
  const { values } = parseArgs({
    options: {
      group: { type: 'string', multiple: true, default: [] },
      sub: { type: 'string', default: 'local-user' },
      hours: { type: 'string', default: '8' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const groups = values.group ?? [];
  const unknown = groups.filter((group) => !['staff', 'analyst'].includes(group));
  const hours = Number(values.hours);
  if (groups.length === 0 || unknown.length > 0 || !Number.isFinite(hours) || hours <= 0) {
    console.error(unknown.length > 0 ? `unknown group: ${unknown.join(', ')}\n${usage}` : usage);
    process.exit(2);
  }
  console.log(
    await signLocalToken({ groups, subject: values.sub, expiresInSeconds: Math.round(hours * 3600) }),
  );
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(2);
}

#!/usr/bin/env node
/**
 * Runs the vitest projects as two processes side by side and merges their reports into
 * test-output/vitest.json (what .ci/run reads).
 *
 * Why: one vitest process runs the projects one after another (each integration project runs its
 * files one at a time against its own runtime, and vitest on 2 cores keeps one worker), yet the
 * integration tests mostly wait (on the bus, the relay, e-mail), so two runtimes side by side use
 * the machine far better. The chaos project is the longest; it gets a process of its own.
 *
 * Extra arguments go to both processes (e.g. `npm test -- -t "erasure"`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const groups = [
  { name: 'main', projects: ['unit', 'infra', 'e2e', 'integration'] },
  { name: 'chaos', projects: ['integration-chaos'] },
];
const extra = process.argv.slice(2);
mkdirSync('test-output', { recursive: true });
rmSync('test-output/vitest.json', { force: true });

const run = (group) =>
  new Promise((resolve) => {
    const output = `test-output/vitest-${group.name}.json`;
    rmSync(output, { force: true });
    const args = [
      'vitest',
      'run',
      ...group.projects.flatMap((project) => ['--project', project]),
      `--outputFile.json=${output}`,
      ...extra,
    ];
    const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Whole lines, each marked with its group, so the two streams stay readable side by side.
    for (const [stream, target] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      let pending = '';
      stream.on('data', (chunk) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) target.write(`[${group.name}] ${line}\n`);
      });
      stream.on('end', () => {
        if (pending) target.write(`[${group.name}] ${pending}\n`);
      });
    }
    child.on('close', (code) => resolve({ group, code: code ?? 1, output }));
  });

const results = await Promise.all(groups.map(run));

const counters = [
  'numTotalTestSuites',
  'numPassedTestSuites',
  'numFailedTestSuites',
  'numPendingTestSuites',
  'numTotalTests',
  'numPassedTests',
  'numFailedTests',
  'numPendingTests',
  'numTodoTests',
];
const merged = { success: true, testResults: [] };
for (const key of counters) merged[key] = 0;
merged.numRuntimeErrorTests = 0;
for (const { group, code, output } of results) {
  let report;
  try {
    report = JSON.parse(readFileSync(output, 'utf8'));
  } catch {
    console.error(`[${group.name}] no report: vitest exited with ${code} before writing one`);
    merged.success = false;
    merged.numRuntimeErrorTests += 1;
    continue;
  }
  for (const key of counters) merged[key] += report[key] ?? 0;
  merged.numRuntimeErrorTests += report.numRuntimeErrorTests ?? 0;
  merged.testResults.push(...(report.testResults ?? []));
  merged.startTime = Math.min(merged.startTime ?? report.startTime, report.startTime);
  if (!report.success || code !== 0) merged.success = false;
}
writeFileSync('test-output/vitest.json', JSON.stringify(merged));
console.log(
  `\nAll projects: ${merged.numPassedTests} passed, ${merged.numFailedTests} failed` +
    ` (${results.map(({ group, code }) => `${group.name} exit ${code}`).join(', ')})`,
);
const passed = results.every(({ code }) => code === 0) && merged.success;
if (!passed) {
  // The runtimes' own error lines (test/integration/global-setup.ts keeps their logs): a 5xx a test
  // saw is explained here, not only counted.
  for (const file of readdirSync('test-output').filter((name) => /^runtime-.*\.log$/.test(name))) {
    const errors = readFileSync(`test-output/${file}`, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"level":"ERROR"'));
    if (errors.length === 0) continue;
    console.error(`\n${file}: ${errors.length} error line(s), the last ${Math.min(errors.length, 10)}:`);
    for (const line of errors.slice(-10)) console.error(line.slice(0, 2000));
  }
}
process.exit(passed ? 0 : 1);

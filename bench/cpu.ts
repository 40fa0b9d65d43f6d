/**
 * Where the CPU went during a run: the runtime's processes (read from /proc on Linux) and this one.
 * CPU time per decision is what each path costs, and holds up when other work shares the machine;
 * the share of a core shows the bottleneck: a node process near 100% (it is single-threaded), or
 * everything together near the machine's core count.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface CpuSample {
  atMs: number;
  /** CPU seconds used so far, by process label. */
  seconds: Map<string, number>;
}

const ticksPerSecond = (() => {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
})();

interface ProcStat {
  pid: number;
  parent: number;
  name: string;
  cpuSeconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ... utime stime ...": comm may hold spaces, so split after the ')'.
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { pid, parent: Number(fields[1]), name, cpuSeconds: ticks / ticksPerSecond };
  } catch {
    return undefined;
  }
}

/** The runtime's process and everything under it, labelled by what it is. */
function runtimeProcesses(rootPid: number): Array<{ label: string; stat: ProcStat }> {
  const all = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readStat(Number(entry)))
    .filter((stat): stat is ProcStat => stat !== undefined);
  const inTree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const stat of all) {
      if (!inTree.has(stat.pid) && inTree.has(stat.parent)) {
        inTree.add(stat.pid);
        grew = true;
      }
    }
  }
  const cmdline = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  return all
    .filter((stat) => inTree.has(stat.pid))
    .map((stat) => {
      const command = cmdline(stat.pid);
      const label =
        stat.pid === rootPid
          ? 'runtime: gateway, handlers, bus (node)'
          : /DynamoDBLocal/.test(command)
            ? 'DynamoDB Local (java)'
            : /aws-ses-v2-local/.test(command)
              ? 'SES emulator (node)'
              : `other: ${stat.name}`;
      return { label, stat };
    });
}

export const cpuAccountingAvailable = (rootPid: number | undefined): rootPid is number =>
  rootPid !== undefined && existsSync(`/proc/${rootPid}/stat`);

export function sampleCpu(rootPid: number): CpuSample {
  const seconds = new Map<string, number>();
  for (const { label, stat } of runtimeProcesses(rootPid)) {
    seconds.set(label, (seconds.get(label) ?? 0) + stat.cpuSeconds);
  }
  const own = process.cpuUsage();
  seconds.set('bench client: HTTP and SDK calls (node)', (own.user + own.system) / 1e6);
  return { atMs: performance.now(), seconds };
}

export interface CpuUse {
  wallSeconds: number;
  /** CPU seconds each process used between two samples. */
  seconds: Map<string, number>;
}

export function cpuUsed(before: CpuSample, after: CpuSample): CpuUse {
  const seconds = new Map<string, number>();
  for (const [label, used] of after.seconds) {
    const delta = used - (before.seconds.get(label) ?? 0);
    if (delta > 0) seconds.set(label, delta);
  }
  return { wallSeconds: (after.atMs - before.atMs) / 1000, seconds };
}

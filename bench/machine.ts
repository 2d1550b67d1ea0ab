import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  uname: string;
  nproc: number;
  cpu: string;
  memoryGb: number;
  node: string;
  date: string;
  commit: string;
}

const run = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
};

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function machineInfo(): MachineInfo {
  // Other engineers share the checkout: name what was uncommitted when the run started.
  const dirtyFiles = run('git', ['status', '--porcelain', '--untracked-files=no'])
    .split('\n')
    .map((l) => l.replace(/^\s*\S+\s+/, '').trim())
    .filter((f) => f && f !== 'bench/RESULTS.md' && f !== 'unknown');
  return {
    uname: run('uname', ['-a']),
    nproc: Number(run('nproc', [])) || os.availableParallelism(),
    cpu: cpuModel(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
    commit:
      run('git', ['rev-parse', '--short', 'HEAD']) +
      (dirtyFiles.length ? ` (plus uncommitted changes in ${dirtyFiles.slice(0, 6).join(', ')}${dirtyFiles.length > 6 ? ', …' : ''})` : ''),
  };
}

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Review of branch svccost: commit 4f8e4dd (the ScheduleWriter batch join) also committed 16
// V8 log files (isolate-0x…-v8.log, 324 kB, ~8k lines) at the repository root: output of a
// `node --prof` run, not source. They are not ignored (.gitignore lists *.cpuprofile but not
// isolate-*.log), so they would land on main with the merge and every later profiling run
// would add more.
describe('the repository', () => {
  it.fails('tracks no V8 profiler logs (isolate-*-v8.log)', () => {
    const tracked = execFileSync('git', ['ls-files', '--', 'isolate-*.log', '**/isolate-*.log'], { encoding: 'utf8' });
    expect(tracked.split('\n').filter(Boolean)).toEqual([]);
  });
});

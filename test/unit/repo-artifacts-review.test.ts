import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Output of `node --prof` runs (isolate-*-v8.log) once landed at the repository root; .gitignore
// now lists them.
describe('the repository', () => {
  it('tracks no V8 profiler logs (isolate-*-v8.log)', () => {
    const tracked = execFileSync('git', ['ls-files', '--', 'isolate-*.log', '**/isolate-*.log'], { encoding: 'utf8' });
    expect(tracked.split('\n').filter(Boolean)).toEqual([]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkResultsFile } from '../../bench/report.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('checkResultsFile: a service section that lost its end marker is refused before a run', () => {
  it('accepts a missing file, a file without a section and a complete section', () => {
    expect(() => checkResultsFile(path.join(dir, 'none.md'))).not.toThrow();
    expect(() => checkResultsFile(file('plain.md', '# Benchmark results\n'))).not.toThrow();
    expect(() => checkResultsFile(file('ok.md', 'a\n<!-- service:start -->\nx\n<!-- service:end -->\nb\n'))).not.toThrow();
  });

  it('refuses a start marker with no end marker after it', () => {
    expect(() => checkResultsFile(file('lost.md', 'a\n<!-- service:start -->\nx\n'))).toThrow(/has no "<!-- service:end -->"/);
    expect(() => checkResultsFile(file('before.md', '<!-- service:end -->\n<!-- service:start -->\nx\n'))).toThrow(/restore the marker/);
  });
});

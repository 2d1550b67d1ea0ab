import { ensureWebBuilt } from '../../scripts/browser.ts';

// Global setup: the browser tests need web/dist current. Built once per run, before any test
// file starts (files run in parallel: two building at once would empty each other's output).
export default function setup(): void {
  ensureWebBuilt();
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  label: string;
  totalMs: number;
  /** Self time by function, largest first. */
  top: ProfileEntry[];
  /** Self time by package or source area (src/engine, node_modules/pg, node internals, …). */
  areas: ProfileEntry[];
}

function area(url: string): string {
  if (!url) return '(native / GC / idle)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `node_modules/${nm[1]}`;
  const src = /\/(src|bench|migrations)\/([^/]+)\//.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  if (/\/src\/[^/]+\.ts$/.test(url)) return 'src';
  if (url.startsWith('node:')) return 'node internals';
  return url.split('/').slice(-2).join('/');
}

const short = (url: string, line: number) => {
  if (!url) return '';
  const m = /(node_modules\/.*|src\/.*|bench\/.*)$/.exec(url);
  return `${m ? m[1] : url.replace(/^file:\/\//, '')}:${line + 1}`;
};

/**
 * Self time per function and per area from a V8 .cpuprofile (as written by --cpu-prof or the
 * inspector). `lastSeconds`: only the samples of the profile's last seconds (the load, not
 * the process start-up with its module compilation).
 */
export function summarizeProfile(label: string, profile: CpuProfile | string, topN = 12, lastSeconds = Infinity): ProfileSummary {
  const p: CpuProfile = typeof profile === 'string' ? (JSON.parse(readFileSync(profile, 'utf8')) as CpuProfile) : profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const from = p.endTime - lastSeconds * 1e6;
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t < from) continue;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, ProfileEntry>();
  const areas = new Map<string, ProfileEntry>();
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue; // waiting is not cost
    const ms = us / 1000;
    total += ms;
    const name = functionName || '(anonymous)';
    const key = `${name}@${url}:${lineNumber}`;
    const e = fn.get(key) ?? { name, where: short(url, lineNumber), selfMs: 0, share: 0 };
    e.selfMs += ms;
    fn.set(key, e);
    const a = name.startsWith('(') && !url ? name : area(url);
    const ae = areas.get(a) ?? { name: a, where: '', selfMs: 0, share: 0 };
    ae.selfMs += ms;
    areas.set(a, ae);
  }
  const rank = (m: Map<string, ProfileEntry>, k: number) =>
    [...m.values()]
      .sort((x, y) => y.selfMs - x.selfMs)
      .slice(0, k)
      .map((e) => ({ ...e, share: total ? e.selfMs / total : 0 }));
  return { label, totalMs: total, top: rank(fn, topN), areas: rank(areas, 10) };
}

/** The profile of a process's main thread: --cpu-prof writes one file per thread (one only for the compiled server; under tsx its loader has a worker too), CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile, the main thread's with tid 0. */
export function mainThreadProfile(dir: string): CpuProfile {
  const file = readdirSync(dir).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (!file) throw new Error(`no main-thread .cpuprofile in ${dir}`);
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
}

import { DrumBook } from '../../src/engine/drum-book.ts';
import { feasibleWorkload } from './workload.ts';
const w = feasibleWorkload(100000);
const t = process.hrtime.bigint(); const c = process.cpuUsage();
for (let i = 0; i < 10; i++) new DrumBook(w.wt, w.orders);
const cu = process.cpuUsage(c);
console.log('build wall', Number(process.hrtime.bigint() - t) / 10e6, 'ms cpu', (cu.user + cu.system) / 10e3, 'ms');

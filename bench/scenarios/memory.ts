import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { quotePlant, type BenchContext } from '../context.ts';
import { loadDrumOrders } from '../drum-orders.ts';
import { call, expectStatus } from '../http.ts';
import { hammer } from '../load.ts';
import { buildWorkingTime, DrumBook } from '../../src/engine/index.ts';
import { quoteBody } from './quote.ts';
import { setupPlant, threeShifts, TIME_ZONE } from '../seed.ts';
import { startService } from '../service.ts';

export interface MemoryResult {
  orders: number;
  rssStartedMb: number;
  rssEmptyPlantMb: number;
  rssLoadedMb: number;
  deltaMb: number;
  coldBuildMs: number;
  /** Heap retained by the engine book alone (this process, after a forced GC). */
  bookHeapMb: number;
  bytesPerOrder: number;
}

const MB = 2 ** 20;
const settle = () => new Promise((r) => setTimeout(r, 1_500));

function forceGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Resident size of a fresh service process: with an empty plant warmed by quotes, then with
 * the largest plant loaded too (its first quote builds the engine state) and quoted under load.
 */
export async function memoryScenario(ctx: BenchContext): Promise<MemoryResult> {
  const pgb = ctx.pg!;
  const n = Math.max(...ctx.opts.sizes);
  const big = quotePlant(n);
  await setupPlant(pgb.db, 'empty');
  const service = await startService({ name: 'memory', databaseUrl: pgb.url });
  let result: MemoryResult;
  try {
    await settle();
    const rssStarted = service.rss();
    const quoteLoad = (plant: string) =>
      hammer({
        title: `memory ${plant}`,
        url: `${service.url}/v1/plants/${plant}/quotes`,
        method: 'POST',
        token: pgb.keys.sales,
        body: quoteBody(),
        connections: 10,
        seconds: 2,
      });
    await expectStatus(call(service.url, 'POST', `/v1/plants/empty/quotes`, pgb.keys.sales, quoteBody()), 200, 'quote on the empty plant');
    await quoteLoad('empty');
    await settle();
    const rssEmpty = service.rss();
    const cold = await expectStatus(
      call(service.url, 'POST', `/v1/plants/${big}/quotes`, pgb.keys.sales, quoteBody()),
      200,
      `quote on ${big}`,
    );
    await quoteLoad(big);
    await settle();
    const rssLoaded = service.rss();
    result = {
      orders: n,
      rssStartedMb: rssStarted / MB,
      rssEmptyPlantMb: rssEmpty / MB,
      rssLoadedMb: rssLoaded / MB,
      deltaMb: (rssLoaded - rssEmpty) / MB,
      coldBuildMs: cold.ms,
      bookHeapMb: 0,
      bytesPerOrder: 0,
    };
  } finally {
    await service.stop();
  }

  // The engine's share, measured in this process: heap before and after building the book.
  const gc = forceGc();
  const wt = buildWorkingTime({ timeZone: TIME_ZONE, weekly: threeShifts, exceptions: [] });
  gc();
  const before = process.memoryUsage().heapUsed;
  const book = new DrumBook(wt, await loadDrumOrders(pgb.db, big));
  gc();
  const retained = process.memoryUsage().heapUsed - before;
  if (book.size !== n) throw new Error(`book has ${book.size} orders, expected ${n}`);
  result.bookHeapMb = retained / MB;
  result.bytesPerOrder = retained / n;
  ctx.log(
    `  RSS: started ${result.rssStartedMb.toFixed(0)} MB, empty plant ${result.rssEmptyPlantMb.toFixed(0)} MB, ` +
      `${n} orders ${result.rssLoadedMb.toFixed(0)} MB (+${result.deltaMb.toFixed(0)} MB); book heap ${result.bookHeapMb.toFixed(1)} MB (${result.bytesPerOrder.toFixed(0)} B/order)`,
  );
  return result;
}

/** What one `npm run bench` run does: quick (CI smoke, < 3 min) or full (every size). */
export interface BenchOptions {
  quick: boolean;
  /** Open orders per plant for the quote scenario. */
  sizes: number[];
  /** Seconds per autocannon run (each of no-op and quote, per size). */
  loadSeconds: number;
  /** Concurrent HTTP connections for the quote scenario. */
  quoteConnections: number;
  /** Seconds of the confirm scenario and of its commit floor. */
  confirmSeconds: number;
  /** Seconds of unmeasured order creation before the confirm runs (the services' JIT warm-up). */
  confirmWarmUpSeconds: number;
  /** Rounds of the confirm scenario (each: both commit floors and every confirm run, in alternating order); its figures are their medians. */
  confirmRounds: number;
  /** Seconds of the serial (1-client) commit floor: its rate is steady within a few seconds. */
  confirmSerialFloorSeconds: number;
  confirmClients: number;
  /** Orders pushed by the ERP scenario; 10 % of them are sent twice. */
  erpOrders: number;
  erpConcurrency: number;
  /** Profile a service under quote and confirm load with --cpu-prof, and the engine's capacity change. */
  profile: boolean;
  /** Run only these scenarios (quote, pglite, confirm, erp, reschedule, memory, eventloop, profile). */
  only: Set<string> | null;
  resultsFile: string | null;
  /** Run the services from source under tsx (the old way) instead of the compiled build, as production does. */
  fromSource: boolean;
}

export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const outArg = argv.find((a) => a.startsWith('--results='));
  const sizesArg = argv.find((a) => a.startsWith('--sizes='));
  const unknown = argv.filter(
    (a) =>
      !['--quick', '--profile', '--no-profile', '--no-results', '--from-source'].includes(a) &&
      a !== onlyArg &&
      a !== outArg &&
      a !== sizesArg,
  );
  if (unknown.length) {
    throw new Error(
      `unknown argument(s): ${unknown.join(' ')}; use [--quick] [--profile] [--only=quote,pglite,confirm,erp,reschedule,memory,eventloop] [--results=FILE|--no-results] [--from-source] [--sizes=10000,…]`,
    );
  }
  return {
    quick,
    // --sizes=10000: only those plant sizes (to iterate on one, e.g. the quote's extra CPU at 10k).
    sizes: sizesArg ? sizesArg.slice('--sizes='.length).split(',').map(Number) : quick ? [1_000, 10_000] : [1_000, 10_000, 100_000],
    loadSeconds: quick ? 3 : 10,
    quoteConnections: 10,
    confirmSeconds: quick ? 4 : 10,
    confirmWarmUpSeconds: quick ? 2 : 20,
    confirmRounds: quick ? 1 : 3,
    confirmSerialFloorSeconds: 3,
    confirmClients: 32,
    erpOrders: quick ? 1_000 : 10_000,
    erpConcurrency: 8,
    // Full runs profile by default (in separate processes, after the timed runs).
    profile: argv.includes('--profile') || (!quick && !argv.includes('--no-profile')),
    only: onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null,
    // A quick run prints its tables but leaves the committed full results alone.
    fromSource: argv.includes('--from-source'),
    resultsFile: argv.includes('--no-results') ? null : (outArg?.slice('--results='.length) ?? (quick ? null : 'bench/RESULTS.md')),
  };
}

export const wants = (o: BenchOptions, scenario: string) => o.only === null || o.only.has(scenario);

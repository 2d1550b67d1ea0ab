import type { Calendar } from '../../src/engine/calendar-types.ts';
import { sweepExpiredHolds } from '../../src/domain/schedule/hold-sweeper.ts';
import type { TestApp } from './app.ts';
import { atRiskLateness, checkPlan, describeViolations, type CheckerViolation } from './plan-checker.ts';
import { checkerInputFrom, minuteOf, type PublishedPlan } from './published-plan.ts';
import { ZONE } from './route-plant.ts';

/**
 * What a planner sees after a step, judged by the independent plan checker (keepability review,
 * test/integration/keepability-review.test.ts): the published plan of every open order, the
 * at-risk list, and which orders are unkeepable yet not flagged, or flagged yet keepable.
 */
export interface Audit {
  plan: PublishedPlan;
  atRisk: { orderId: string; reason?: string; lateByMinutes?: number }[];
  /** Violations of orders neither `late` on the plan nor in the at-risk list. */
  silent: CheckerViolation[];
  /** Orders flagged (plan `late` or at-risk list) whose plan ends on their promised day with at least `recovery` minutes to spare. */
  falseAlarms: { orderId: string; projectedFinish: string; due: string }[];
  /** Orders shown `late` on their plan but not in the at-risk list, or the reverse. */
  disagree: string[];
  describe(): string;
}

/**
 * Audits the plant at `P` at the clock's minute, after letting the background sweep run once
 * (time passing is judged by it as in production). `calendars` are the ones the test gave its
 * resources, with the exceptions it added.
 */
export async function auditPlant(
  t: TestApp,
  plantId: string,
  calendars: Record<string, Omit<Calendar, 'timeZone'>>,
  opts: { sweep?: boolean; recoveryMinutes?: number } = {},
): Promise<Audit> {
  if (opts.sweep !== false) await sweepExpiredHolds({ ...t.writer.deps, writer: t.writer });
  const P = `/v1/plants/${plantId}`;
  const get = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: t.as('planner') });
    if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const plan = (await get(`${P}/plan`)) as PublishedPlan;
  const atRisk = (await get(`${P}/at-risk`)).items as Audit['atRisk'];
  const now = minuteOf(t.clock.now().toISOString());
  const input = checkerInputFrom(plan, { now, timeZone: ZONE, drum: 'drum', calendars });
  const listed = new Set(atRisk.map((a) => a.orderId));
  const materialAfterRelease = input.orders.some(
    (o) => o.status === 'released' && o.materialAvailable !== null && o.release < o.materialAvailable,
  );
  const worked = materialAfterRelease ? await ordersWithReportedWork(get, P) : new Set<string>();
  for (const o of input.orders) {
    o.atRisk = o.atRisk || listed.has(o.id);
    // An overdue rope keeps its instant (README "Time passes honestly"); the work is held back instead.
    if (o.status === 'confirmed' || o.status === 'held') o.release = Math.max(o.release, now);
    // Released, then the ERP reported its material later (a fact; the release refuses material not yet there):
    // its work is released when the material arrives, so its plan must start no earlier.
    // Unless the floor reported work on it (its events say so): then, as for an order in progress, the date is recorded and the plan kept.
    if (o.status === 'released' && o.materialAvailable !== null && worked.has(o.id)) o.materialAvailable = null;
    if (o.status === 'released' && o.materialAvailable !== null) o.release = Math.max(o.release, o.materialAvailable);
    // In progress, then the ERP reported its material later (the release refuses material not yet there, so a
    // release before the material date means the date came after it): the work the material gates has begun,
    // and the plan keeps it (README "Orders already moving"). The date is recorded, not a rule for begun work.
    if (o.status === 'in_progress' && o.materialAvailable !== null && o.release < o.materialAvailable) o.materialAvailable = null;
  }
  const silent = checkPlan(input);
  const recovery = opts.recoveryMinutes ?? 240;
  const falseAlarms = atRiskLateness(input)
    .filter((l) => l.lateByMinutes === 0 && l.projectedFinish <= l.due - recovery)
    .map((l) => ({
      orderId: l.orderId,
      projectedFinish: new Date(l.projectedFinish * 60_000).toISOString(),
      due: new Date(l.due * 60_000).toISOString(),
    }));
  const disagree = plan.orders.filter((o) => o.late !== listed.has(o.orderId)).map((o) => o.orderId);
  return {
    plan,
    atRisk,
    silent,
    falseAlarms,
    disagree,
    describe: () =>
      [
        silent.length ? `unflagged violations:\n${describeViolations(silent)}` : '',
        falseAlarms.length ? `false alarms: ${JSON.stringify(falseAlarms)}` : '',
        disagree.length ? `plan late vs at-risk list disagree: ${disagree.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
  };
}

/** Orders the floor reported work on (`order.operation-progress` events), read from the plant's event log page by page. */
async function ordersWithReportedWork(
  get: (url: string) => Promise<{ items: { seq: number; type: string; orderId: string | null }[] }>,
  P: string,
) {
  const worked = new Set<string>();
  for (let after = 0; ;) {
    const page = (await get(`${P}/events?after=${after}&limit=1000`)).items;
    for (const e of page) if (e.type === 'order.operation-progress' && e.orderId) worked.add(e.orderId);
    if (page.length < 1000) return worked;
    after = page.at(-1)!.seq;
  }
}

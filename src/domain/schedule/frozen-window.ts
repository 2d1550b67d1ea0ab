import type { SequenceKey } from '../../engine/index.ts';
import type { WriteContext } from './write-context.ts';

/**
 * Orders whose planned drum start falls inside the plant's frozen window keep their place:
 * they are pinned at the head of the drum, in their current order, before any write of this
 * transaction can move them. Ranks grow with the schedule version, so orders frozen later
 * queue behind those frozen earlier. O(log n + orders in the window) per write when a window
 * is set (0 disables it).
 */
export async function freezeHead(ctx: WriteContext) {
  const { state, nowMinute } = ctx;
  const window = state.config.policy.frozenWindowMinutes;
  const book = state.book;
  if (window <= 0 || !book || book.size === 0) return;
  const horizon = nowMinute + window;
  // Planned starts never decrease along the drum sequence, so the walk stops at the first
  // page that reaches past the window: O(log n + orders in the window), not O(n).
  const entering: string[] = [];
  let after: SequenceKey | undefined;
  for (;;) {
    const page = book.schedulePage(nowMinute, state.config.policy.productionBufferDays, after, 256);
    for (const s of page.orders) if (!s.pinned && s.load > 0 && s.start < horizon) entering.push(s.id);
    const last = page.orders.at(-1);
    if (!page.next || !last || last.start >= horizon) break;
    after = page.next;
  }
  if (entering.length === 0) return;
  const rankBase = ctx.nextVersion * 100_000;
  for (const [i, id] of entering.entries()) await ctx.orders.update(id, { pinned: true, pin_rank: rankBase + i });
  ctx.emit({ type: 'schedule.frozen', data: { orderIds: entering, frozenWindowMinutes: window } });
}

import { z } from 'zod';
import { clockTime, code, isoInstant, localDate, slug, text } from './common.ts';
import { CapacityNeeded, CapacityProposal, Order } from './promising.ts';

const quantity = z.number().int().positive().meta({ example: 100 });

/** Free text a person reads (a note, a reason): at most 500 characters, not blank. */
const prose = text
  .max(500)
  .refine((s) => s.trim().length > 0, 'Must not be blank')
  .meta({ minLength: 1 });
const status = z.enum(['open', 'accepted', 'declined', 'withdrawn']);

export const CapacityRequestParams = z.strictObject({ plant: slug, id: z.uuid() });

export const CapacityRequestCreate = z
  .strictObject({
    quoteId: z.uuid().optional().meta({ description: 'The refused quote it comes from (its `quoteId`); stored as given, like a hold’s.' }),
    orderId: z.uuid().optional().meta({
      description: 'A live hold of yours to move to `requestedDate` (earlier than it holds): accepting the request re-promises it.',
    }),
    sku: code,
    quantity,
    requestedDate: localDate.meta({ description: 'The date the customer asked for, which the schedule refused.' }),
    note: prose.optional().meta({ description: 'For the planner (the customer, why the date matters).' }),
  })
  .meta({
    example: {
      quoteId: '0b4c1c39-5f0e-4d36-9b59-3c1a4b1f6c2e',
      sku: 'VALVE-50',
      quantity: 100,
      requestedDate: '2026-11-27',
      note: 'ACME: line stop if later',
    },
  });

const startMinute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** An end of "00:00" is midnight at the end of the day, as the calendars read it. */
const endMinute = (hhmm: string) => (hhmm === '00:00' ? 24 * 60 : startMinute(hhmm));

const Block = z.strictObject({
  resource: code,
  kind: z.enum(['overtime', 'extra_shift']),
  date: localDate,
  start: clockTime,
  end: clockTime,
});

export const CapacityRequestAccept = z
  .strictObject({
    proposalIndex: z.number().int().min(0).max(20).optional().meta({
      description: 'Which of the request’s `proposals` to apply (default 0, the best).',
    }),
    blocks: z.array(Block).min(1).max(400).optional().meta({
      description: 'Instead of a stored proposal: the planner’s own blocks (an edited proposal), checked the same way.',
    }),
    reason: prose.optional().meta({ description: 'Recorded on the capacity changes and the request (default: names the request).' }),
  })
  .superRefine((b, ctx) => {
    if (b.proposalIndex !== undefined && b.blocks !== undefined)
      ctx.addIssue({ code: 'custom', path: ['blocks'], message: 'Give `proposalIndex` or `blocks`, not both' });
    // The planner's own blocks are checked as input first: a backwards or overlapping block is a
    // 400 naming it, never a 409 "stale proposal" as if the plan had moved.
    const blocks = b.blocks ?? [];
    blocks.forEach((x, i) => {
      if (endMinute(x.end) <= startMinute(x.start))
        ctx.addIssue({ code: 'custom', path: ['blocks', i, 'end'], message: `${x.end} is not after ${x.start}` });
    });
    for (let j = 0; j < blocks.length; j++)
      for (let i = 0; i < j; i++) {
        const a = blocks[i]!;
        const c = blocks[j]!;
        if (
          a.resource === c.resource &&
          a.date === c.date &&
          startMinute(a.start) < endMinute(c.end) &&
          startMinute(c.start) < endMinute(a.end)
        ) {
          ctx.addIssue({ code: 'custom', path: ['blocks', j], message: `overlaps blocks[${i}] on ${a.date} (${a.resource})` });
          break;
        }
      }
  })
  .meta({ example: { proposalIndex: 0 } });

export const CapacityRequestDecline = z
  .strictObject({ reason: prose.meta({ example: 'No overtime in week 48: works council' }) })
  .meta({ example: { reason: 'No overtime in week 48: works council' } });

export const CapacityRequestWithdraw = z.strictObject({ reason: prose.optional() }).nullish();

export const CapacityRequestListQuery = z.strictObject({
  status: status.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const MovedOrder = z.object({
  id: z.uuid(),
  repromised: z.boolean(),
  promiseDate: localDate.meta({ description: 'Its promise after the acceptance.' }),
  note: z.string().meta({ description: 'Moved from which date, or why it stayed.' }),
});

export const CapacityRequest = z
  .object({
    id: z.uuid(),
    status,
    sku: z.string(),
    quantity: z.number().int(),
    requestedDate: localDate,
    quoteId: z.uuid().nullable(),
    orderId: z.uuid().nullable(),
    note: z.string().nullable(),
    owner: z.string().meta({ description: 'The principal who filed it: sees it and its events (GET /v1/me/events).' }),
    filedBy: z.string(),
    filedAt: isoInstant,
    filedAtVersion: z.number().int(),
    earliestPromiseDate: localDate.meta({ description: 'The earliest date the schedule could keep when it was filed.' }),
    capacityNeeded: CapacityNeeded.nullable(),
    proposals: z.array(CapacityProposal).meta({
      description: 'As the schedule computed them when the request was filed; costs for planners and admins only.',
    }),
    decidedBy: z.string().nullable(),
    decidedAt: isoInstant.nullable(),
    decisionReason: z.string().nullable().meta({ description: 'Why it was declined (or withdrawn, or the acceptance’s reason).' }),
    acceptedBlocks: z.array(Block).nullable(),
    changeIds: z.array(z.uuid()).nullable().meta({ description: 'The capacity changes its acceptance made (GET …/capacity-changes).' }),
    outcome: z.object({ requestedDateKeepable: z.boolean(), totalMinutes: z.number().int(), order: MovedOrder.nullable() }).nullable(),
    scheduleVersion: z.number().int().optional(),
  })
  .meta({ id: 'CapacityRequest' });

export const CapacityRequestList = z.object({ items: z.array(CapacityRequest), scheduleVersion: z.number().int() });

const SkippedBlock = z.object({
  resource: z.string(),
  kind: z.enum(['overtime', 'extra_shift']),
  date: localDate,
  start: z.string().nullable(),
  end: z.string().nullable(),
  why: z.string(),
});

export const CapacityRequestAccepted = z.object({
  request: CapacityRequest,
  changes: z
    .array(
      z.object({
        id: z.uuid(),
        resource: z.string(),
        kind: z.enum(['overtime', 'extra_shift', 'downtime', 'holiday']),
        blocks: z.array(z.object({ date: localDate, start: z.string().nullable(), end: z.string().nullable() })).optional(),
        minutesDelta: z.number().int(),
        movedCount: z.number().int(),
        skippedDays: z
          .array(z.object({ date: localDate, start: z.string().nullable(), end: z.string().nullable(), why: z.string() }))
          .meta({ description: 'Blocks of this change left out, and why (as GET …/capacity-changes names them).' }),
      }),
    )
    .meta({ description: 'One capacity change per resource and kind of the blocks, linked to the request and its order.' }),
  skippedDays: z.array(SkippedBlock).meta({
    description:
      'Blocks left out because they would add no working minute (the resource already works then): not applied, not in `request.acceptedBlocks`.',
  }),
  requestedDateKeepable: z.boolean(),
  order: MovedOrder.nullable().meta({ description: 'The held order of the request: re-promised to the requested date, or why not.' }),
  scheduleVersion: z.number().int(),
  capacityRevision: z.number().int(),
});

const OfferedRevocation = z.object({
  capacityRequestId: z.uuid(),
  changeId: z.uuid(),
  resource: z.string(),
  kind: z.string(),
  minutesDelta: z.number().int().meta({ description: 'Working minutes revoking it would take away (negative).' }),
  movedCount: z.number().int(),
  wouldMakeLate: z.number().int().meta({ description: 'Orders revoking it would make late (then refused unless re-promised).' }),
  lateOrders: z
    .array(z.object({ orderId: z.uuid(), promiseDate: localDate, earliestPromiseDate: z.string() }))
    .optional()
    .meta({ description: 'Planners and admins: which, with the earliest date each could be re-promised for.' }),
});

export const CancelledOrder = Order.extend({
  offeredRevocations: z.array(OfferedRevocation).optional().meta({
    description:
      'Capacity added for this order by an accepted capacity request, still in force: what revoking each change would do now (a preview; nothing is revoked). A planner revokes with DELETE …/capacity-changes/{changeId}.',
  }),
}).meta({ id: 'CancelledOrder' });

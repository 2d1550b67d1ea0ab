import { z } from 'zod';
import { isoInstant, text } from './common.ts';

export const CustomerErasureBody = z.strictObject({
  customer: text.min(1).max(200).meta({ description: "The customer's name exactly as orders and quotes carry it.", example: 'ACME' }),
});

export const CustomerErasure = z.object({
  plant: z.string(),
  pseudonym: z
    .string()
    .meta({ description: 'What the name became everywhere (`customer-` and 12 hex digits).', example: 'customer-3f9a0c12ab47' }),
  orders: z.number().int().meta({ description: 'Orders that named the customer.' }),
  events: z.number().int().meta({ description: 'Events that named the customer.' }),
  quotes: z.number().int().meta({ description: 'Quote records that named the customer.' }),
  scheduleVersion: z.number().int().meta({ description: 'The version the `customer.erased` event was committed as.' }),
});

export const EventExportQuery = z.strictObject({
  before: isoInstant.meta({ description: 'Export the events that happened before this instant.' }),
  after: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .meta({ description: 'Start after this sequence number (resume an interrupted export).' }),
});

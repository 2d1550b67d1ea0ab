import { z } from 'zod';
import { EVENT_SCHEMAS } from '../domain/schedule/event-types.ts';
import { isoInstant, slug, text } from './common.ts';

const eventTypeNames = Object.keys(EVENT_SCHEMAS) as [keyof typeof EVENT_SCHEMAS, ...(keyof typeof EVENT_SCHEMAS)[]];

/** Event types from the registry (domain/schedule/event-types.ts): an unknown one is a 400 naming it. */
const EventTypes = z
  .array(z.enum(eventTypeNames))
  .min(1)
  .max(eventTypeNames.length)
  .refine((types) => new Set(types).size === types.length, { message: 'List each event type once' })
  .meta({
    description: "Event types to deliver (see the event feed for each one's `data`).",
    example: ['order.pushed', 'order.repromised'],
  });

const WebhookUrl = text
  .max(2000)
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), { message: 'Use an absolute http or https URL' })
  // The URL is shown back to every admin and ERP key of the plant and kept in the audit log: a
  // password in it would be a secret in clear. The signature (the subscription's secret) is how a
  // receiver knows the sender.
  .refine((u) => !URL.canParse(u) || (new URL(u).username === '' && new URL(u).password === ''), {
    message: 'No user or password in the URL: the receiver checks the signature (webhook-signature) instead',
  })
  .meta({
    description:
      'Where deliveries are POSTed. Loopback, private, link-local and unique-local addresses (also as what the host resolves to) are refused unless allow-listed by the operator (WEBHOOK_ALLOW_HOSTS). No user or password in the URL (it is shown back and audited); receivers authenticate deliveries by their signature. Do not put tokens in the query string for the same reason.',
    example: 'https://erp.example.com/drumbeat/webhooks',
  });

/** A Standard Webhooks secret: whsec_ and 24–64 random bytes in base64. */
const Secret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'Use whsec_ followed by base64')
  .refine(
    (s) => {
      const n = Buffer.from(s.slice('whsec_'.length), 'base64').length;
      return n >= 24 && n <= 64;
    },
    { message: 'The secret must hold 24 to 64 bytes' },
  )
  .meta({
    description: 'The signing secret (Standard Webhooks `whsec_…`); omit it to have one generated.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  });

const Description = text.max(500).meta({ example: 'SAP S/4 order confirmations' });

export const WebhookCreate = z.strictObject({
  url: WebhookUrl,
  eventTypes: EventTypes,
  description: Description.optional(),
  secret: Secret.optional(),
  fromSeq: z
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .meta({ description: "The first event sequence to deliver (a backfill); omitted: the plant's next event." }),
});

export const WebhookPatch = z.strictObject({
  url: WebhookUrl.optional(),
  eventTypes: EventTypes.optional(),
  description: Description.nullable().optional(),
  secret: Secret.optional().meta({ description: 'A new signing secret (rotation); it is not shown again.' }),
});

export const WebhookReplay = z.strictObject({
  fromSeq: z
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .meta({ description: "Deliver again from this event sequence (at most the plant's last event + 1)." }),
});

export const WebhookParams = z.strictObject({ plant: slug, id: z.uuid() });

export const Webhook = z.object({
  id: z.uuid(),
  plant: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  description: z.string().nullable(),
  status: z.enum(['active', 'paused']),
  pausedReason: z.enum(['failures', 'manual']).nullable().meta({
    description: '`failures`: paused after the configured number of consecutive failed attempts; `manual`: paused through the API.',
  }),
  cursor: z
    .number()
    .int()
    .meta({ description: 'The last event sequence of the plant this subscription is done with; delivery continues after it, in order.' }),
  consecutiveFailures: z.number().int(),
  nextAttemptAt: isoInstant.meta({ description: 'Not before this time is the next attempt made (retry backoff).' }),
  lastError: z.string().nullable(),
  createdBy: z.string(),
  createdAt: isoInstant,
  updatedAt: isoInstant,
});

export const WebhookCreated = Webhook.extend({
  secret: z.string().meta({ description: 'The signing secret: shown in this answer only (and in an Idempotency-Key replay of it).' }),
});

export const WebhookList = z.object({ items: z.array(Webhook) });

export const DeliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .meta({ description: 'Page: attempts older than this id.' }),
});

export const DeliveryPage = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      eventSeq: z.number().int(),
      eventId: z
        .string()
        .meta({ description: 'The `webhook-id` header of the delivery: receivers dedupe by it.', example: 'evt_plant-1_42' }),
      eventType: z.string(),
      attempt: z.number().int().meta({ description: '1 for the first attempt at this event, 2 for the first retry, …' }),
      at: isoInstant,
      durationMs: z.number().int(),
      statusCode: z
        .number()
        .int()
        .nullable()
        .meta({ description: "The receiver's HTTP status; null when none came (connection error, timeout)." }),
      error: z.string().nullable(),
      succeeded: z.boolean(),
    }),
  ),
  nextBefore: z.number().int().nullable().meta({ description: 'Send as `before` for the next (older) page; null at the end.' }),
});

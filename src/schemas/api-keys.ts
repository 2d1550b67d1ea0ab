import { z } from 'zod';
import { ROLES } from '../domain/actor.ts';
import { isoInstant, principal, slug, text } from './common.ts';

export const ApiKeyCreate = z
  .strictObject({
    name: text.min(1).max(100).meta({ example: 'ERP connector' }),
    role: z.enum(ROLES),
    principal: principal.optional().meta({
      description:
        'The person or system the key belongs to; their holds, orders and idempotency records follow it across keys. Rotate a key by creating one for the same principal, then revoking the old one. Omitted: the new key is a principal of its own (its id).',
    }),
    plants: z.array(slug).min(1).max(1000).optional().meta({ description: 'Limit the key to these plants; omit for all plants.' }),
  })
  .meta({ example: { name: 'Anna (sales)', role: 'sales', principal: 'anna.berg', plants: ['plant-1'] } });

export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  principal: z.string().meta({ example: 'anna.berg' }),
  plants: z.array(z.string()).nullable(),
  createdAt: isoInstant,
  revokedAt: isoInstant.nullable().optional(),
});

export const ApiKeyCreated = ApiKey.extend({
  key: z.string().meta({ description: 'The secret. Shown once; only its hash is stored.' }),
});

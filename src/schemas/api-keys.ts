import { z } from 'zod';
import { ROLES } from '../domain/actor.ts';
import { isoInstant, slug, text } from './common.ts';

export const ApiKeyCreate = z
  .strictObject({
    name: text.min(1).max(100).meta({ example: 'ERP connector' }),
    role: z.enum(ROLES),
    plants: z.array(slug).min(1).max(1000).optional().meta({ description: 'Limit the key to these plants; omit for all plants.' }),
  })
  .meta({ example: { name: 'Anna (sales)', role: 'sales', plants: ['plant-1'] } });

export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  plants: z.array(z.string()).nullable(),
  createdAt: isoInstant,
  revokedAt: isoInstant.nullable().optional(),
});

export const ApiKeyCreated = ApiKey.extend({
  key: z.string().meta({ description: 'The secret. Shown once; only its hash is stored.' }),
});

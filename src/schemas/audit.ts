import { z } from 'zod';
import { AUDIT_ACTIONS } from '../domain/audit.ts';
import { isoInstant } from './common.ts';

export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().meta({ description: 'Page: entries older than this id.' }),
});

const AuditEntry = z.object({
  id: z.number().int(),
  at: isoInstant,
  actor: z.string().meta({ example: 'admin:Alice (key_0123456789ab)' }),
  action: z.enum(AUDIT_ACTIONS),
  plant: z.string().nullable(),
  target: z.string().meta({ description: 'The key id, plant id, resource id, SKU or webhook subscription id changed.' }),
  data: z.record(z.string(), z.unknown()),
});

export const AuditPage = z.object({
  items: z.array(AuditEntry),
  nextBefore: z.number().int().nullable().meta({ description: 'Send as `before` for the next (older) page; null at the end.' }),
});

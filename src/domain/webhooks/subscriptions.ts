import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import {
  deleteWebhookSubscription,
  findWebhookSubscription,
  insertWebhookSubscription,
  lastEventSeq,
  listWebhookDeliveries,
  listWebhookSubscriptions,
  updateWebhookSubscription,
  type WebhookDeliveryRow,
  type WebhookSubscriptionRow,
} from '../../db/repos/webhooks.ts';
import { actorLabel, type Actor } from '../actor.ts';
import { recordAudit } from '../audit.ts';
import type { Clock } from '../clock.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { idempotencyHooks, type IdempotentRequest } from '../idempotency-keys.ts';
import { eventId } from './message.ts';
import { open, seal } from './secret-box.ts';
import type { WebhookSettings } from './settings.ts';
import { checkTarget, TargetRefused } from './target-guard.ts';

export interface WebhookDeps {
  db: Db;
  clock: Clock;
  settings: WebhookSettings;
  /** Tells this process's deliverer there may be work now (after a create, resume or replay). */
  wake(): void;
}

export interface NewWebhookSubscription {
  url: string;
  eventTypes: string[];
  description?: string | undefined;
  /** whsec_…; omitted: the server generates one. */
  secret?: string | undefined;
  /** First event sequence to deliver; omitted: the plant's next event. */
  fromSeq?: number | undefined;
}

export interface WebhookSubscriptionChange {
  url?: string | undefined;
  eventTypes?: string[] | undefined;
  description?: string | null | undefined;
  secret?: string | undefined;
}

/** What a sealed secret is bound to: its subscription (the row's secret) or its creation's stored answer. */
export const secretContext = (plantId: string, id: string) => `webhook/${plantId}/${id}`;
const answerContext = (plantId: string, id: string) => `webhook-answer/${plantId}/${id}`;

function webhookView(r: WebhookSubscriptionRow) {
  return {
    id: r.id,
    plant: r.plant_id,
    url: r.url,
    eventTypes: r.event_types,
    description: r.description,
    status: r.status,
    pausedReason: r.paused_reason,
    cursor: r.cursor_seq,
    consecutiveFailures: r.failures,
    nextAttemptAt: r.next_attempt_at.toISOString(),
    lastError: r.last_error,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function sealingKey(deps: WebhookDeps): Buffer {
  const key = deps.settings.secretKey;
  if (!key) {
    throw new DomainError(
      'service-unavailable',
      'Webhook secrets cannot be stored encrypted: this service has no WEBHOOK_SECRET_KEY (see "Webhooks" in the README).',
    );
  }
  return key;
}

async function refuseUnsafeTarget(deps: WebhookDeps, url: string) {
  try {
    await checkTarget(new URL(url), deps.settings.allowHosts);
  } catch (e) {
    if (e instanceof TargetRefused) throw invalid([{ field: 'body.url', message: e.message }], e.message);
    throw e;
  }
}

async function plantLastSeq(deps: WebhookDeps, plantId: string): Promise<number> {
  const last = await lastEventSeq(deps.db, plantId);
  if (last === undefined) throw notFound(`Plant "${plantId}"`);
  return last;
}

function checkFromSeq(fromSeq: number, last: number) {
  if (fromSeq > last + 1) {
    throw invalid([{ field: 'body.fromSeq', message: `The plant's last event is ${last}; start at ${last + 1} at the latest.` }]);
  }
}

/**
 * Creates a subscription; the answer carries the secret, the only time it is ever shown. With
 * an Idempotency-Key the answer is stored in the same transaction with the secret sealed
 * (never in clear), and a replay opens it (openStoredAnswer).
 */
export async function createWebhookSubscription(
  deps: WebhookDeps,
  plantId: string,
  actor: Actor,
  input: NewWebhookSubscription,
  idem?: IdempotentRequest,
) {
  const key = sealingKey(deps);
  const last = await plantLastSeq(deps, plantId);
  if (input.fromSeq !== undefined) checkFromSeq(input.fromSeq, last);
  await refuseUnsafeTarget(deps, input.url);
  const id = randomUUID();
  const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
  const now = deps.clock.now();
  const created = await deps.db.transaction().execute(async (tx) => {
    const row = await insertWebhookSubscription(tx, {
      plant_id: plantId,
      id,
      url: input.url,
      event_types: JSON.stringify(input.eventTypes),
      description: input.description ?? null,
      secret_sealed: seal(key, secret, secretContext(plantId, id)),
      status: 'active',
      paused_reason: null,
      cursor_seq: input.fromSeq !== undefined ? input.fromSeq - 1 : last,
      next_attempt_at: now,
      last_error: null,
      created_by: actorLabel(actor),
      created_at: now,
      updated_at: now,
    });
    await recordAudit(
      tx,
      actor,
      'webhook.created',
      { plantId, id },
      {
        url: input.url,
        eventTypes: input.eventTypes,
        description: input.description ?? null,
        cursor: row.cursor_seq,
        secretChosen: input.secret !== undefined,
      },
      now,
    );
    const answer = { ...webhookView(row), secret };
    await idempotencyHooks(idem, () => ({
      ...answer,
      secret: null,
      secretSealed: seal(key, secret, answerContext(plantId, id)),
    })).succeeded?.(tx, { result: answer, version: 0 });
    return answer;
  });
  deps.wake();
  return created;
}

/** A stored creation answer as the client first got it: the sealed secret opened again. */
export function openStoredAnswer(deps: WebhookDeps, body: unknown): unknown {
  const b = body as { plant?: string; id?: string; secretSealed?: string } | null;
  if (!b?.secretSealed || !b.plant || !b.id || !deps.settings.secretKey) return body;
  const { secretSealed, ...rest } = b;
  return { ...rest, secret: open(deps.settings.secretKey, secretSealed, answerContext(b.plant, b.id)) };
}

async function existing(deps: WebhookDeps, plantId: string, id: string) {
  await plantLastSeq(deps, plantId);
  const row = await findWebhookSubscription(deps.db, plantId, id);
  if (!row) throw notFound(`Webhook subscription "${id}"`);
  return row;
}

export async function listWebhooks(deps: WebhookDeps, plantId: string) {
  await plantLastSeq(deps, plantId);
  return { items: (await listWebhookSubscriptions(deps.db, plantId)).map(webhookView) };
}

export async function getWebhook(deps: WebhookDeps, plantId: string, id: string) {
  return webhookView(await existing(deps, plantId, id));
}

/** A change through the API and its audit record (which never holds a secret), in one transaction. */
async function change(
  deps: WebhookDeps,
  plantId: string,
  id: string,
  actor: Actor,
  set: Parameters<typeof updateWebhookSubscription>[3],
  audit: Record<string, unknown>,
) {
  await existing(deps, plantId, id);
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const row = await updateWebhookSubscription(tx, plantId, id, { ...set, updated_at: now });
    if (!row) throw notFound(`Webhook subscription "${id}"`);
    await recordAudit(tx, actor, 'webhook.changed', { plantId, id }, audit, now);
    return webhookView(row);
  });
}

export async function changeWebhook(deps: WebhookDeps, plantId: string, actor: Actor, id: string, input: WebhookSubscriptionChange) {
  if (input.url !== undefined) await refuseUnsafeTarget(deps, input.url);
  const { secret, ...visible } = input;
  return change(
    deps,
    plantId,
    id,
    actor,
    {
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.eventTypes !== undefined ? { event_types: JSON.stringify(input.eventTypes) } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(secret !== undefined ? { secret_sealed: seal(sealingKey(deps), secret, secretContext(plantId, id)) } : {}),
    },
    { operation: 'update', ...visible, ...(secret !== undefined ? { secretRotated: true } : {}) },
  );
}

export async function deleteWebhook(deps: WebhookDeps, plantId: string, actor: Actor, id: string) {
  const row = await existing(deps, plantId, id);
  await deps.db.transaction().execute(async (tx) => {
    if (!(await deleteWebhookSubscription(tx, plantId, id))) throw notFound(`Webhook subscription "${id}"`);
    await recordAudit(
      tx,
      actor,
      'webhook.deleted',
      { plantId, id },
      { url: row.url, eventTypes: row.event_types, cursor: row.cursor_seq },
      deps.clock.now(),
    );
  });
}

export async function pauseWebhook(deps: WebhookDeps, plantId: string, actor: Actor, id: string) {
  return change(deps, plantId, id, actor, { status: 'paused', paused_reason: 'manual' }, { operation: 'pause' });
}

/** Resumes at the cursor: the event that failed (or the next one) is sent first, so order is kept. */
export async function resumeWebhook(deps: WebhookDeps, plantId: string, actor: Actor, id: string) {
  const view = await change(
    deps,
    plantId,
    id,
    actor,
    { status: 'active', paused_reason: null, failures: 0, next_attempt_at: deps.clock.now() },
    { operation: 'resume' },
  );
  deps.wake();
  return view;
}

/** Sets the cursor back (or forward) so delivery continues with event `fromSeq`; the status is kept. */
export async function replayWebhook(deps: WebhookDeps, plantId: string, actor: Actor, id: string, fromSeq: number) {
  checkFromSeq(fromSeq, await plantLastSeq(deps, plantId));
  const view = await change(
    deps,
    plantId,
    id,
    actor,
    { cursor_seq: fromSeq - 1, failures: 0, next_attempt_at: deps.clock.now() },
    { operation: 'replay', fromSeq },
  );
  deps.wake();
  return view;
}

const deliveryView = (r: WebhookDeliveryRow) => ({
  id: r.id,
  eventSeq: r.event_seq,
  eventId: eventId(r.plant_id, r.event_seq),
  eventType: r.event_type,
  attempt: r.attempt,
  at: r.at.toISOString(),
  durationMs: r.duration_ms,
  statusCode: r.status_code,
  error: r.error,
  succeeded: r.succeeded,
});

export async function webhookDeliveries(
  deps: WebhookDeps,
  plantId: string,
  id: string,
  page: { limit: number; before?: number | undefined },
) {
  await existing(deps, plantId, id);
  const rows = await listWebhookDeliveries(deps.db, plantId, id, page.limit, page.before);
  return {
    items: rows.map(deliveryView),
    nextBefore: rows.length === page.limit ? rows.at(-1)!.id : null,
  };
}

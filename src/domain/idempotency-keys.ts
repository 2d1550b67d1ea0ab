import type { Db } from '../db/database.ts';
import {
  deleteStaleIdempotencyRecord,
  findIdempotencyRecord,
  insertIdempotencyRecord,
  purgeIdempotencyRecords,
  type IdempotencyRow,
} from '../db/repos/idempotency-keys.ts';
import { DomainError } from './errors.ts';
import type { WriteHooks } from './schedule/schedule-writer.ts';

/** Idempotency keys are honoured for 24 hours, then forgotten. */
const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

export async function purgeIdempotencyKeys(db: Db, now: Date) {
  await purgeIdempotencyRecords(db, new Date(now.getTime() - IDEMPOTENCY_TTL_MS));
}

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * A creating request made with an Idempotency-Key: its answer is stored in the write's own
 * transaction (a success with the write, a refusal beside the rolled-back write), so a crash
 * can never leave a key half-claimed, and a retry gets the stored answer.
 */
export interface IdempotentRequest {
  apiKeyId: string;
  /** Whose request it is: the answer is kept per principal, so a retry with a rotated key replays it. */
  principal: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
  at: Date;
  /** The answer to a success, from the use case's result. */
  answer(value: unknown): Answer;
  /** The answer to a refusal. */
  refusal(e: DomainError): Answer;
  /** Set once an answer is stored. */
  stored?: boolean;
}

/** The stored answer for this key, after forgetting one past its time; undefined when there is none. */
export async function storedAnswer(db: Db, req: Omit<IdempotentRequest, 'answer' | 'refusal'>): Promise<IdempotencyRow | undefined> {
  await deleteStaleIdempotencyRecord(db, req.principal, req.key, new Date(req.at.getTime() - IDEMPOTENCY_TTL_MS));
  const stored = await findIdempotencyRecord(db, req.principal, req.key);
  if (stored && stored.request_hash !== req.requestHash) {
    throw new DomainError(
      'idempotency-key-reused',
      `Idempotency-Key "${req.key}" was used with a different request; use a new key for a new request.`,
    );
  }
  return stored;
}

const rowOf = (req: IdempotentRequest, a: Answer) => ({
  api_key_id: req.apiKeyId,
  principal: req.principal,
  key: req.key,
  method: req.method,
  path: req.path,
  request_hash: req.requestHash,
  status_code: a.status,
  response: JSON.stringify(a.body),
  created_at: req.at,
});

/** Stores a refusal made outside a schedule write (nothing was written, so nothing can disagree with it). */
export async function storeRefusal(db: Db, req: IdempotentRequest, e: DomainError) {
  if (req.stored) return;
  await insertIdempotencyRecord(db, rowOf(req, req.refusal(e)));
  req.stored = true;
}

/**
 * Hooks that store the answer in the write's transaction. A twin request with the same key
 * that got there first (same batch or another process) wins: this write is then undone and
 * answered 409, and a retry replays the twin's answer.
 */
export function idempotencyHooks<T>(
  req: IdempotentRequest | undefined,
  view: (outcome: { result: T; version: number }) => unknown,
): WriteHooks<T> {
  if (!req) return {};
  return {
    succeeded: async (tx, outcome) => {
      if (!(await insertIdempotencyRecord(tx, rowOf(req, req.answer(view(outcome)))))) {
        throw new DomainError('conflict', `A request with Idempotency-Key "${req.key}" was answered meanwhile; retry to get its answer.`);
      }
      req.stored = true;
    },
    refused: async (tx, e) => {
      await insertIdempotencyRecord(tx, rowOf(req, req.refusal(e)));
      req.stored = true;
    },
  };
}

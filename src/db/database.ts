import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { Calendar } from '../engine/calendar-types.ts';
import type { ResourceCapacityPolicy } from '../engine/capacity-policy.ts';
import type { AtRiskReason } from '../planning-rules/at-risk.ts';

/** Timestamps arrive as Date on both drivers; writes accept Date or ISO strings. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a database default: optional on insert. */
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** `date` columns are parsed as 'YYYY-MM-DD' strings on both drivers (see connect.ts). */
type DateOnly = string;

export interface PlantsTable {
  id: string;
  name: string;
  time_zone: string;
  schedule_version: Generated<number>;
  event_seq: Generated<number>;
  order_seq: Generated<number>;
  version_txid: number | null;
  config_version: Generated<number>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface BufferPoliciesTable {
  plant_id: string;
  production_buffer_days: number;
  shipping_buffer_days: number;
  standard_lead_time_days: number;
  hold_ttl_seconds: number;
  /** A hold asking for a longer TTL is refused (hold-policy). */
  hold_max_ttl_seconds: Generated<number>;
  /** Most drum minutes one principal may hold at once in the plant; null: no cap. */
  hold_cap_drum_minutes: number | null;
  frozen_window_minutes: Generated<number>;
  at_risk_tolerance_minutes: Generated<number>;
  at_risk_recovery_minutes: Generated<number>;
  revision: Generated<number>;
  updated_at: DefaultedTimestamp;
}

export interface ResourcesTable {
  plant_id: string;
  id: string;
  name: string;
  is_drum: boolean;
  calendar: ColumnType<Calendar, string, string>;
  revision: Generated<number>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface ProductsTable {
  plant_id: string;
  sku: string;
  name: string;
  production_buffer_days: number | null;
  shipping_buffer_days: number | null;
  /** Working days; null: the plant's standard lead time. */
  standard_lead_time_days: number | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface ProductOperationsTable {
  plant_id: string;
  sku: string;
  position: number;
  resource_id: string;
  setup_minutes: number;
  run_minutes_per_unit: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  role: 'admin' | 'planner' | 'sales' | 'erp' | 'floor';
  plant_ids: string[] | null;
  /** The person or system the key belongs to; holds, orders and idempotency records belong to it. */
  principal: string;
  key_hash: string;
  created_at: DefaultedTimestamp;
  revoked_at: Timestamp | null;
}

export type OrderStatus = 'held' | 'confirmed' | 'released' | 'in_progress' | 'completed' | 'shipped' | 'cancelled' | 'expired';

export interface OrdersTable {
  plant_id: string;
  id: string;
  status: OrderStatus;
  sku: string;
  quantity: number;
  customer: string | null;
  external_id: string | null;
  requested_date: DateOnly | null;
  promise_date: DateOnly;
  drum_deadline: Timestamp;
  drum_load_minutes: number;
  drum_done_minutes: Generated<number>;
  production_buffer_days: number;
  shipping_buffer_days: number;
  seq: number;
  pinned: Generated<boolean>;
  /** Position among the frozen orders at the head of the drum (null: in progress or not frozen). */
  pin_rank: number | null;
  changed_version: number;
  hold_expires_at: Timestamp | null;
  released_at: Timestamp | null;
  completed_at: Timestamp | null;
  shipped_at: Timestamp | null;
  promise_kept: boolean | null;
  penetration_at_completion: number | null;
  created_by: string;
  /** The API key that created the order; sales keys see and act on their own orders only. */
  created_by_key: string | null;
  /** The principal that owns the order (sales see and act on their own); moved by a hand-over. */
  owner_principal: string | null;
  /** The ERP's customer number, beside the free-text customer name. */
  customer_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The order's place in the drum's sequence (gapped integers; null: not committed, or committed before keys). */
  drum_key: number | null;
  /** Ready time ρ: the end of its last upstream operation (else its release). */
  ready_at: Timestamp | null;
  /** The rope's release instant r (changed only by commit, re-promise or a buffer change). */
  planned_release_at: Timestamp | null;
  /** When the order's material is available: no operation starts earlier. */
  material_available_at: Timestamp | null;
  /** Effective drum deadline D̂ ≥ drum_deadline (later once a fact made the order late). */
  effective_deadline: Timestamp | null;
  /** At risk (migration 0013): changed only by a schedule write, with the projection and the reason. */
  at_risk: Generated<boolean>;
  at_risk_reason: AtRiskReason | null;
  /** With reason 'resource': the resource the order waits on longest. */
  at_risk_resource: string | null;
  at_risk_projected_finish: Timestamp | null;
  /** The promise the order was judged against when flagged. */
  at_risk_promise_date: DateOnly | null;
  at_risk_since: Timestamp | null;
  /** The promise date the order was first confirmed for (null: never confirmed); KPIs measure reliability against it. */
  original_promise_date: DateOnly | null;
  /** Set when shipped: shipped by the end of the original promise day. */
  original_promise_kept: boolean | null;
  /** When the order was entered (created confirmed, or its hold confirmed): flow time starts here. */
  confirmed_at: Timestamp | null;
  /** The recorded quote the order came from, as its creator said (not checked against quote_log). */
  quote_id: string | null;
}

/** One operation of an order's routing snapshot with its planned interval (null until planned). */
export interface OrderOperationsTable {
  plant_id: string;
  order_id: string;
  position: number;
  resource_id: string;
  minutes: number;
  start_at: Timestamp | null;
  end_at: Timestamp | null;
  /** Cumulative minutes the floor reported done (migration 0016); what remains is minutes − done_minutes. */
  done_minutes: Generated<number>;
  started_at: Timestamp | null;
  reported_at: Timestamp | null;
  completed_at: Timestamp | null;
}

export interface ScheduleEventsTable {
  plant_id: string;
  seq: number;
  schedule_version: number;
  type: string;
  actor: string;
  at: Timestamp;
  order_id: string | null;
  data: ColumnType<Record<string, unknown>, string, string>;
}

export interface QuoteLogTable {
  plant_id: string;
  id: string;
  at: Timestamp;
  actor: string;
  sku: string;
  quantity: number;
  requested_date: DateOnly | null;
  earliest_promise_date: DateOnly;
  requested_feasible: boolean | null;
  drum_load_minutes: number;
  schedule_version: number;
  /** The key that asked (the salesperson; null for records written before migration 0012). */
  owner: string | null;
  customer: string | null;
}

/** Quote records past the retention, counted per plant-local day and per key the KPIs read (migration 0020). */
export interface QuoteDailyTable {
  plant_id: string;
  day: DateOnly;
  sku: string;
  customer: string | null;
  owner: string | null;
  lead_time_days: number;
  converted: boolean;
  quotes: number;
}

export interface IdempotencyKeysTable {
  /** The key that made the request (a record); the answer belongs to the principal. */
  api_key_id: string;
  principal: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status_code: number;
  response: ColumnType<unknown, string, string>;
  created_at: DefaultedTimestamp;
}

export interface CapacityChangesTable {
  plant_id: string;
  id: string;
  resource_id: string;
  kind: 'overtime' | 'extra_shift' | 'downtime' | 'holiday';
  date: DateOnly;
  start_time: string | null;
  end_time: string | null;
  reason: string;
  created_by: string;
  created_at: Timestamp;
  schedule_version: number;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  /** Set on the downtime a breakdown stands for (one per local day): changed only through the breakdown. */
  breakdown_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Set on the days of a ranged change (one row per block): changed only through that change. */
  ranged_change_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One block of a ranged change as requested or stored: local date and "HH:MM" times (none: the whole day). */
export interface CapacityBlockJson {
  date: string;
  start: string | null;
  end: string | null;
}

export interface CapacityPatternJson {
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  except: string[];
  start: string | null;
  end: string | null;
}

export interface SkippedDayJson extends CapacityBlockJson {
  why: string;
}

export interface RangedCapacityChangesTable {
  plant_id: string;
  id: string;
  resource_id: string;
  kind: CapacityChangesTable['kind'];
  from_date: DateOnly;
  to_date: DateOnly;
  pattern: ColumnType<CapacityPatternJson | null, string | null, string | null>;
  blocks: ColumnType<CapacityBlockJson[] | null, string | null, string | null>;
  skipped: ColumnType<SkippedDayJson[], string, string>;
  reason: string;
  created_by: string;
  created_at: Timestamp;
  schedule_version: number;
  ended_from: DateOnly | null;
  ended_at: Timestamp | null;
  ended_by: string | null;
  end_reason: string | null;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  /** Set on capacity a planner added by accepting a capacity request (migration 0021), and the held order it was for. */
  capacity_request_id: ColumnType<string | null, string | null | undefined, string | null>;
  for_order_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A block of capacity as a capacity request stores it (a proposal's, or a planner's edit). */
export interface RequestedBlockJson {
  resource: string;
  kind: 'overtime' | 'extra_shift';
  source?: 'overtime' | 'extra_shift' | 'night_shift';
  date: string;
  start: string;
  end: string;
  minutes?: number;
  cost?: number;
}

/** A capacity request's proposal as computed when it was filed (costs included; redacted for sales when shown). */
export interface StoredProposalJson {
  resource: string;
  totalMinutes: number;
  totalCost?: number;
  currency?: string;
  earliestPromiseDate?: string;
  readyBy: string;
  leavesShippingBuffer: boolean;
  blocks: RequestedBlockJson[];
}

export type CapacityRequestStatus = 'open' | 'accepted' | 'declined' | 'withdrawn';

export interface CapacityRequestsTable {
  plant_id: string;
  id: string;
  status: CapacityRequestStatus;
  sku: string;
  quantity: number;
  requested_date: DateOnly;
  quote_id: string | null;
  order_id: string | null;
  note: string | null;
  earliest_promise_date: DateOnly;
  capacity_needed: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  proposals: ColumnType<StoredProposalJson[], string, string>;
  owner_principal: string;
  filed_by: string;
  filed_at: Timestamp;
  schedule_version: number;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_reason: string | null;
  accepted_blocks: ColumnType<RequestedBlockJson[] | null, string | null | undefined, string | null>;
  change_ids: ColumnType<string[] | null, string | null | undefined, string | null>;
  outcome: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface CapacityPoliciesTable {
  plant_id: string;
  /** ISO 4217 code of every cost in the policy. */
  currency: string;
  defaults: ColumnType<ResourceCapacityPolicy, string, string>;
  /** Per resource id; a resource not listed follows `defaults`. */
  resources: ColumnType<Record<string, ResourceCapacityPolicy>, string, string>;
  revision: number;
  updated_by: string;
  updated_at: Timestamp;
}

/** A what-if scenario (issue 15 item 6): its operations are JSON the API validated, read whole. */
export interface ScenariosTable {
  plant_id: string;
  id: string;
  name: string;
  operations: ColumnType<unknown[], string, string>;
  /** Moves on every change: the scenario's own If-Match. */
  revision: number;
  status: 'open' | 'promoted' | 'expired';
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  expires_at: Timestamp;
  promoted_at: Timestamp | null;
  promoted_by: string | null;
  promoted_version: number | null;
}

export interface BreakdownsTable {
  plant_id: string;
  id: string;
  resource_id: string;
  started_at: Timestamp;
  expected_end_at: Timestamp;
  ended_at: Timestamp | null;
  reason: string;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  schedule_version: number;
}

export interface BufferChangesTable {
  plant_id: string;
  id: string;
  sku: string | null;
  from_days: number;
  to_days: number;
  reason: string;
  actor: string;
  at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Date;
  actor: string;
  action: string;
  plant_id: string | null;
  target: string;
  data: Record<string, unknown>;
}

export interface WebhookSubscriptionsTable {
  plant_id: string;
  id: string;
  url: string;
  event_types: ColumnType<string[], string, string>;
  description: string | null;
  /** The signing secret, AES-256-GCM sealed (domain/webhooks/secret-box.ts); never returned after creation. */
  secret_sealed: string;
  status: 'active' | 'paused';
  paused_reason: 'failures' | 'manual' | null;
  /** The last event sequence of the plant this subscription is done with (delivered or not subscribed). */
  cursor_seq: number;
  /** Consecutive failed attempts at the event after the cursor. */
  failures: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  lease_token: string | null;
  lease_until: Timestamp | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  plant_id: string;
  subscription_id: string;
  event_seq: number;
  event_type: string;
  attempt: number;
  at: Timestamp;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  succeeded: boolean;
}

/** A web board session: the browser's cookie stands for an API key until expires_at. */
export interface WebSessionsTable {
  /** SHA-256 (hex) of the cookie's random token; the token itself is never stored. */
  token_hash: string;
  key_id: string;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface Database {
  plants: PlantsTable;
  buffer_policies: BufferPoliciesTable;
  resources: ResourcesTable;
  products: ProductsTable;
  product_operations: ProductOperationsTable;
  api_keys: ApiKeysTable;
  orders: OrdersTable;
  order_operations: OrderOperationsTable;
  schedule_events: ScheduleEventsTable;
  quote_log: QuoteLogTable;
  quote_daily: QuoteDailyTable;
  idempotency_keys: IdempotencyKeysTable;
  capacity_changes: CapacityChangesTable;
  ranged_capacity_changes: RangedCapacityChangesTable;
  capacity_requests: CapacityRequestsTable;
  breakdowns: BreakdownsTable;
  capacity_policies: CapacityPoliciesTable;
  buffer_changes: BufferChangesTable;
  audit_log: AuditLogTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  scenarios: ScenariosTable;
  web_sessions: WebSessionsTable;
}

export type Db = Kysely<Database>;
/** A Kysely handle that may be inside a transaction; repositories accept either. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;

import type { Migration } from 'kysely';
import * as m0001 from './0001_master_data.ts';
import * as m0002 from './0002_orders_and_events.ts';
import * as m0003 from './0003_planning.ts';
import * as m0004 from './0004_gate_checks_last_event.ts';
import * as m0005 from './0005_pin_rank.ts';
import * as m0006 from './0006_order_owner.ts';
import * as m0007 from './0007_gate_completed.ts';
import * as m0008 from './0008_audit_log.ts';
import * as m0009 from './0009_whole_route.ts';
import * as m0010 from './0010_product_lead_time.ts';
import * as m0011 from './0011_principals.ts';
import * as m0012 from './0012_honest_kpis.ts';
import * as m0013 from './0013_at_risk_orders.ts';
import * as m0015 from './0015_breakdowns.ts';
import * as m0016 from './0016_operation_progress.ts';
import * as m0017 from './0017_capacity_policies.ts';
import * as m0018 from './0018_ranged_capacity_changes.ts';
import * as m0019 from './0019_webhooks.ts';
import * as m0020 from './0020_retention_and_erasure.ts';
import * as m0021 from './0021_capacity_requests.ts';
import * as m0022 from './0022_scenarios.ts';
import * as m0023 from './0023_web_sessions.ts';
import * as m0024 from './0024_batch_write_functions.ts';
import * as m0025 from './0025_lean_quote_log.ts';
import * as m0026 from './0026_gate_hardening.ts';
import * as m0027 from './0027_plans_without_statistics.ts';
import * as m0029 from './0029_record_array_rows.ts';
import * as m0030 from './0030_request_lookups_without_statistics.ts';
import * as m0031 from './0031_at_risk_material.ts';

/** Static list: no file-system scanning, so migrations run the same under tsx, vitest and a bundle. */
export const migrations: Record<string, Migration> = {
  '0001_master_data': m0001,
  '0002_orders_and_events': m0002,
  '0003_planning': m0003,
  '0004_gate_checks_last_event': m0004,
  '0005_pin_rank': m0005,
  '0006_order_owner': m0006,
  '0007_gate_completed': m0007,
  '0008_audit_log': m0008,
  '0009_whole_route': m0009,
  '0010_product_lead_time': m0010,
  '0011_principals': m0011,
  '0012_honest_kpis': m0012,
  '0013_at_risk_orders': m0013,
  '0015_breakdowns': m0015,
  '0016_operation_progress': m0016,
  '0017_capacity_policies': m0017,
  '0018_ranged_capacity_changes': m0018,
  '0019_webhooks': m0019,
  '0020_retention_and_erasure': m0020,
  '0021_capacity_requests': m0021,
  '0022_scenarios': m0022,
  '0023_web_sessions': m0023,
  '0024_batch_write_functions': m0024,
  '0025_lean_quote_log': m0025,
  '0026_gate_hardening': m0026,
  '0027_plans_without_statistics': m0027,
  '0029_record_array_rows': m0029,
  '0030_request_lookups_without_statistics': m0030,
  '0031_at_risk_material': m0031,
};

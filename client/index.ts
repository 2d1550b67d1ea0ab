import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.ts';

// A typed client of the Drumbeat API: the types are generated from openapi/openapi.json
// (client/schema.ts, rewritten by `npm run openapi`; a test fails when it is stale) and
// openapi-fetch makes the calls. Every path, parameter, body and answer is checked by the
// compiler, the 409 a client must handle included (`ScheduleInfeasibleProblem`).

export type DrumbeatClient = Client<paths>;

type Schemas = components['schemas'];
export type Order = Schemas['Order'];
export type Quote = Schemas['Quote'];
export type ScheduleEntry = Schemas['ScheduleEntry'];
export type Event = Schemas['Event'];
export type Problem = Schemas['Problem'];
export type ScheduleInfeasibleProblem = Schemas['ScheduleInfeasibleProblem'];

export const PROBLEM_TYPES = {
  scheduleInfeasible: 'https://drumbeat.dev/problems/schedule-infeasible',
} as const;

/** A client for the service at `baseUrl` (e.g. http://localhost:3000) calling with `apiKey`. */
export function drumbeatClient(baseUrl: string, apiKey: string, fetchImpl?: typeof fetch): DrumbeatClient {
  return createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${apiKey}` }, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
}

/** Narrows an error answer to the schedule's refusal of a date, with its typed members. */
export function isScheduleInfeasible(error: unknown): error is ScheduleInfeasibleProblem {
  return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === PROBLEM_TYPES.scheduleInfeasible;
}

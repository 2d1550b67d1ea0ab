import { rawJson } from './api.ts';

// Capacity requests: a salesperson asks the planner for the capacity a refused date needs; the
// planner accepts one of the priced proposals or declines. Sales never applies capacity itself.

export interface ProposalBlock {
  resource: string;
  kind: string;
  date: string;
  start: string;
  end: string;
  minutes: number;
  cost?: number;
}

export interface Proposal {
  resource: string;
  totalMinutes: number;
  totalCost?: number;
  currency?: string;
  earliestPromiseDate?: string;
  blocks: ProposalBlock[];
}

export interface CapacityRequest {
  id: string;
  status: 'open' | 'accepted' | 'declined' | 'withdrawn';
  sku: string;
  quantity: number;
  requestedDate: string;
  earliestPromiseDate: string;
  quoteId?: string | null;
  orderId?: string | null;
  note?: string | null;
  proposals: Proposal[];
  filedBy?: string;
  filedAt?: string;
  decidedBy?: string | null;
  decidedAt?: string | null;
  decisionReason?: string | null;
  outcome?: {
    requestedDateKeepable: boolean;
    totalMinutes: number;
    order: { id: string; repromised: boolean; promiseDate: string; note: string } | null;
  } | null;
}

const base = (plant: string) => `/v1/plants/${encodeURIComponent(plant)}/capacity-requests`;

export const fileCapacityRequest = (
  plant: string,
  body: { sku: string; quantity: number; requestedDate: string; quoteId?: string; orderId?: string; note?: string },
  idempotencyKey: string,
) => rawJson<CapacityRequest>('POST', base(plant), body, { 'idempotency-key': idempotencyKey });

export const listCapacityRequests = (plant: string) => rawJson<{ items: CapacityRequest[] }>('GET', base(plant)).then((r) => r.items);

export const acceptCapacityRequest = (plant: string, id: string, proposalIndex: number) =>
  rawJson<{ request: CapacityRequest; requestedDateKeepable: boolean }>('POST', `${base(plant)}/${id}/accept`, { proposalIndex });

export const declineCapacityRequest = (plant: string, id: string, reason: string) =>
  rawJson<CapacityRequest>('POST', `${base(plant)}/${id}/decline`, { reason });

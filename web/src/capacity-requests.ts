import type { components } from '../../client/schema.ts';
import { api, ok } from './api.ts';

// Capacity requests: a salesperson asks the planner for the capacity a refused date needs; the
// planner accepts one of the priced proposals or declines. Sales never applies capacity itself.

export type CapacityRequest = components['schemas']['CapacityRequest'];

const path = (plant: string) => ({ params: { path: { plant } } });
const one = (plant: string, id: string) => ({ params: { path: { plant, id } } });

export const fileCapacityRequest = (
  plant: string,
  body: { sku: string; quantity: number; requestedDate: string; quoteId?: string; orderId?: string; note?: string },
  idempotencyKey: string,
) =>
  ok(
    api.POST('/v1/plants/{plant}/capacity-requests', {
      params: { path: { plant }, header: { 'idempotency-key': idempotencyKey } },
      body,
    }),
  );

export const listCapacityRequests = async (plant: string) => (await ok(api.GET('/v1/plants/{plant}/capacity-requests', path(plant)))).items;

export const acceptCapacityRequest = (plant: string, id: string, proposalIndex: number) =>
  ok(api.POST('/v1/plants/{plant}/capacity-requests/{id}/accept', { ...one(plant, id), body: { proposalIndex } }));

export const declineCapacityRequest = (plant: string, id: string, reason: string) =>
  ok(api.POST('/v1/plants/{plant}/capacity-requests/{id}/decline', { ...one(plant, id), body: { reason } }));

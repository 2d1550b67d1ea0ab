import type { Role } from './api.ts';

// Which screens and actions each role sees: the same matrix the API enforces (README roles
// table), so a button is shown only when pressing it can succeed.

export type ScreenId = 'board' | 'floor' | 'sales' | 'capacity' | 'timeline' | 'kpis';

export const SCREENS: Record<ScreenId, { title: string; roles: readonly Role[] }> = {
  board: { title: 'Buffer board', roles: ['planner', 'floor', 'erp'] },
  floor: { title: 'Release & floor', roles: ['planner', 'floor', 'erp'] },
  sales: { title: 'Quotes & my orders', roles: ['sales'] },
  capacity: { title: 'Capacity', roles: ['planner'] },
  timeline: { title: 'Timeline', roles: ['planner'] },
  kpis: { title: 'KPIs', roles: ['planner', 'admin'] },
};

export const screensFor = (role: Role): ScreenId[] => (Object.keys(SCREENS) as ScreenId[]).filter((id) => SCREENS[id].roles.includes(role));

/** Actions beyond reading a screen. */
export const can = {
  release: (r: Role) => r === 'planner' || r === 'floor' || r === 'erp',
  progress: (r: Role) => r === 'planner' || r === 'floor' || r === 'erp',
  repromise: (r: Role) => r === 'planner',
  listOrders: (r: Role) => r === 'planner' || r === 'sales' || r === 'erp',
};

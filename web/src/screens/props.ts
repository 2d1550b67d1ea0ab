import type { Role } from '../api.ts';

export interface ScreenProps {
  role: Role;
  plant: string;
  timeZone: string;
}

import { describe, expect, it } from 'vitest';
import { DrumBook, workingTimeFromIntervals } from '../../src/engine/index.ts';
import { PlantState } from '../../src/domain/schedule/plant-cache.ts';
import type { PlantConfig } from '../../src/domain/schedule/plant-config.ts';
import { journalState } from '../../src/domain/schedule/state-journal.ts';

const wt = workingTimeFromIntervals([[0, 100_000]]);
const order = (id: string, load: number, deadline: number, seq: number) => ({ id, load, deadline, seq });
const snapshot = (s: PlantState) => ({ orders: s.book!.orders(), expiry: [...s.holdExpiry].sort() });

function aState() {
  const book = new DrumBook(wt, [order('a', 10, 500, 1), order('b', 20, 800, 2), order('c', 5, 300, 3)]);
  const state = new PlantState({} as PlantConfig, wt, book, 7);
  state.holdExpiry.set('a', 50);
  return state;
}

describe('the state journal', () => {
  it('undoes inserts, removals, updates and hold expiries in any mix', () => {
    const state = aState();
    const before = snapshot(state);
    const j = journalState(state);
    state.book!.insert(order('d', 30, 900, 4));
    state.book!.remove('a');
    state.book!.update(order('b', 25, 700, 2));
    state.book!.remove('missing');
    state.holdExpiry.delete('a');
    state.holdExpiry.set('d', 60);
    state.holdExpiry.set('d', 70);
    j.undo();
    expect(snapshot(state)).toEqual(before);
    expect(state.book!.earliestDeadline(0, 40)).toBe(new DrumBook(wt, before.orders).earliestDeadline(0, 40));
  });

  it('keeps changes once stopped, and stops journaling', () => {
    const state = aState();
    const j = journalState(state);
    state.book!.insert(order('d', 30, 900, 4));
    j.stop();
    state.book!.remove('c');
    expect(state.book!.has('d')).toBe(true);
    expect(Object.hasOwn(state.book!, 'insert')).toBe(false);
    expect(state.holdExpiry.set).toBe(Map.prototype.set);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CowMap } from '../../src/engine/cow-map.ts';
import { runs } from './helpers/runs.ts';

type Op = { side: number; kind: 'set' | 'delete' | 'share' | 'sweep'; key: number; value: number };

const arbOp: fc.Arbitrary<Op> = fc.record({
  side: fc.nat({ max: 3 }),
  kind: fc.constantFrom<Op['kind']>('set', 'set', 'delete', 'share', 'sweep'),
  key: fc.nat({ max: 40 }),
  value: fc.integer({ min: -1, max: 5 }),
});

describe('CowMap', () => {
  it('every shared copy answers as its own Map would, whatever the others write (folds included)', () => {
    fc.assert(
      fc.property(fc.array(arbOp, { maxLength: 3000 }), (ops) => {
        const maps = [new CowMap<number, number>()];
        const models = [new Map<number, number>()];
        for (const op of ops) {
          const i = op.side % maps.length;
          const m = maps[i]!;
          const model = models[i]!;
          if (op.kind === 'set') {
            m.set(op.key, op.value);
            model.set(op.key, op.value);
          } else if (op.kind === 'delete') expect(m.delete(op.key)).toBe(model.delete(op.key));
          else if (op.kind === 'sweep') {
            m.deleteWhere((v) => v === -1);
            for (const [k, v] of model) if (v === -1) model.delete(k);
          } else if (maps.length < 4) {
            maps.push(m.share());
            models.push(new Map(model));
          }
          for (let j = 0; j < maps.length; j++) {
            expect(maps[j]!.size).toBe(models[j]!.size);
            for (let k = 0; k <= 40; k++) expect(maps[j]!.get(k)).toBe(models[j]!.get(k));
          }
        }
      }),
      runs(30),
    );
  });
});

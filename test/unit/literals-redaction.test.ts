import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteLiteral, withoutLiterals } from '../../src/db/literals.ts';

// A traced statement whose values were written into its text leaves with its literals as `?`
// (tracing.ts); the scan must read quoteLiteral's output to its end whatever the value holds.
describe('withoutLiterals', () => {
  it('leaves no value of a script built with quoteLiteral, whatever the values hold', () => {
    const value = fc.string({ unit: 'binary' }).filter((s) => !s.includes('\u0000') && s.length > 0);
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), (values) => {
        const script = values
          .map((v, i) => `INSERT INTO orders (id, customer) VALUES (${quoteLiteral(`o-${i}`)}, ${quoteLiteral(v)}::jsonb)`)
          .join(';\n');
        const masked = withoutLiterals(script);
        expect(masked).toBe(values.map(() => 'INSERT INTO orders (id, customer) VALUES (?, ?::jsonb)').join(';\n'));
      }),
    );
  });

  it('masks the E form and keeps the statement around it', () => {
    expect(withoutLiterals(`UPDATE t SET a =${quoteLiteral("O'Brien \\ co")}, b = ${quoteLiteral("it's")} WHERE n = 3`)).toBe(
      'UPDATE t SET a = ?, b = ? WHERE n = 3',
    );
  });

  it('keeps text without literals as it is', () => {
    const text = 'SELECT "id" FROM "orders" WHERE "plant_id" = $1 AND version > 3';
    expect(withoutLiterals(text)).toBe(text);
  });

  it('gives only the first word of text it cannot read to the end', () => {
    expect(withoutLiterals("SELECT 'a' -- don't\n, 'Jane Doe'")).toBe('SELECT /* statement text withheld */');
    expect(withoutLiterals("'Jane")).toBe(' /* statement text withheld */');
  });
});

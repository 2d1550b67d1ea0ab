import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertQuoteLog, type QuoteLogInsert } from '../../src/db/repos/quote-log.ts';
import { timeOrderedId } from '../../src/domain/promising/quotes.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';

// insertQuoteLog escapes text for PostgreSQL's array syntax by hand (quote-log-columns.ts). Any
// text the API accepts (no NUL, no unpaired surrogate) must read back exactly: never NULL,
// never split, never trimmed, whatever the neighbouring records hold (the quoter keeps the
// previous value).
const wellFormed = (s: string) => /^[^\0\p{Cs}]*$/u.test(s);
const tricky = fc.constantFrom(
  'NULL',
  'null',
  'NuLl',
  '',
  ' ',
  '"',
  '\\',
  '{',
  '}',
  ',',
  '{a,b}',
  '"NULL"',
  '\\"',
  ' x ',
  '\t',
  '\n',
  '\r\n',
);
const text = fc.oneof(
  tricky,
  fc.string({ unit: 'binary', maxLength: 12 }).filter(wellFormed),
  fc.array(fc.oneof(tricky, fc.string({ maxLength: 3 })), { maxLength: 4 }).map((a) => a.join('')),
);
const maybe = fc.option(text, { nil: null });

describe.each(databaseKinds())('quote_log text round-trip on %s (review)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind });
    await seedPlant(t, 'plant-1');
  });
  afterAll(async () => t.close());

  it('stores every text exactly as given, and null as null', async () => {
    let day = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ actor: text, sku: text, owner: maybe, customer: maybe, repeat: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
        }),
        async (specs) => {
          const base = Date.UTC(2030, 0, 1) + day++ * 86_400_000;
          const rows: QuoteLogInsert[] = [];
          specs.forEach((s, i) => {
            const prev = rows.at(-1);
            const at = new Date(base + i * 1000);
            rows.push({
              plantId: 'plant-1',
              id: timeOrderedId(at),
              at,
              actor: s.repeat && prev ? prev.actor : s.actor,
              sku: s.sku,
              quantity: 1,
              requestedDate: null,
              earliestPromiseDate: '2030-02-01',
              requestedFeasible: null,
              drumLoadMinutes: 1,
              scheduleVersion: 1,
              owner: s.owner,
              customer: s.repeat && prev ? prev.customer : s.customer,
            });
          });
          await insertQuoteLog(t.db.db, rows, { mayExist: false });
          const stored = await t.db.db
            .selectFrom('quote_log')
            .select(['actor', 'sku', 'owner', 'customer'])
            .where('at', '>=', new Date(base))
            .where('at', '<', new Date(base + 86_400_000))
            .orderBy('at')
            .execute();
          expect(stored).toEqual(rows.map((r) => ({ actor: r.actor, sku: r.sku, owner: r.owner, customer: r.customer })));
        },
      ),
      { numRuns: 150 },
    );
  });
});

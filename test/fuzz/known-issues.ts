import type { Finding } from './harness.ts';

/**
 * 5xx answers the fuzz harness found whose fix lies outside the HTTP layer, with the file
 * where the fix belongs. A finding matching one is counted and printed but does not fail
 * the run; delete the entry when the fix lands (the harness then fails if it comes back).
 */
export interface KnownIssue {
  id: string;
  summary: string;
  fixIn: string;
  matches: (f: Finding) => boolean;
}

export const knownIssues: KnownIssue[] = [
  {
    id: 'nul-in-text',
    summary:
      'A NUL character (U+0000) in a free-text field that is stored (resource or product name, customer, reason, calendar exception note, …) passes validation and PostgreSQL refuses it: "invalid byte sequence for encoding UTF8: 0x00" (text) or "unsupported Unicode escape sequence" (jsonb) answers 500.',
    fixIn: 'src/schemas (the shared text schema rejects NUL and unpaired surrogates: issue 14 item 3, branch keys)',
    matches: (f) =>
      f.status === 500 && /invalid byte sequence for encoding "UTF8": 0x00|unsupported Unicode escape sequence/.test(f.cause ?? ''),
  },
  {
    id: 'unpaired-surrogate-in-json',
    summary:
      'An unpaired UTF-16 surrogate (e.g. "\\udc00") in a text that ends up in a jsonb column (the reason of a cancellation or re-promise, stored in the event data) passes validation; PostgreSQL refuses the JSON: "invalid input syntax for type json" answers 500. In text columns the surrogate is silently replaced by U+FFFD.',
    fixIn: 'src/schemas (the shared text schema rejects NUL and unpaired surrogates: issue 14 item 3, branch keys)',
    matches: (f) => f.status === 500 && /invalid input syntax for type json/.test(f.cause ?? ''),
  },
  {
    id: 'date-beyond-year-9999',
    summary:
      'A date near the end of year 9999 (e.g. promiseDate 9999-12-31 on POST orders) passes validation; the engine walks the calendar towards it (10 s on one core) and throws RangeError "instant … is outside the supported years 1–9999", answered 500.',
    fixIn:
      'src/schemas (planning-horizon bound on every date: issue 14 item 2, branch keys); the engine should also refuse rather than throw: src/engine/local-time.ts ZoneOffsets.cover, reached from src/engine/buffer-days.ts drumDeadlineDate',
    matches: (f) => f.status === 500 && /outside the supported years/.test(f.cause ?? ''),
  },
  {
    id: 'report-range-to-year-9999',
    summary:
      'A report range ending on 9999-12-31 (GET kpis?to=9999-12-31) passes validation; the end of that day is computed as the start of "10000-01-01" and the engine throws RangeError "not a valid date", answered 500.',
    fixIn:
      'src/schemas (planning-horizon bound on report ranges: issue 14 item 2, branch keys); src/domain/planning/kpis.ts via src/engine/buffer-days.ts endOfLocalDate should not step past year 9999',
    matches: (f) => f.status === 500 && /"10000-01-01" is not a valid date/.test(f.cause ?? ''),
  },
  {
    id: 'promise-no-working-day',
    summary:
      'Quotes, holds and orders (POST quotes, holds, orders; PUT orders/by-external-id) on a plant whose drum calendar has no working day after today (an empty weekly pattern, at most a few dated exceptions): the engine throws RangeError "the calendar has no working day after …" while computing the promise date, answered 500.',
    fixIn:
      'src/engine/quote.ts quoteOnBook → src/engine/buffer-days.ts capacityPromiseDateFor should report "no capacity" as a value, and src/domain/promising/evaluate.ts map it to a 409 (no capacity within the horizon, issue 14 item 2)',
    matches: (f) => f.status === 500 && /no working day after/.test(f.cause ?? '') && /quote\.ts|evaluate\.ts/.test(f.cause ?? ''),
  },
  {
    id: 'dbm-no-working-day',
    summary:
      'Buffer suggestions on a plant whose drum calendar has no working day in the look-back window: the engine throws RangeError "the calendar has no working day before …" and DBM lets it escape as a 500 (GET buffer-suggestions, POST buffer-suggestions/apply).',
    fixIn:
      'src/domain/planning/dbm.ts (judge/suggestionsFor: no working day means no suggestion, or a 409), engine error raised in src/engine/calendar-working-time.ts addWorkingDays',
    matches: (f) => f.status === 500 && /no working day before/.test(f.cause ?? '') && /dbm\.ts/.test(f.cause ?? ''),
  },
];

export const matchKnownIssue = (f: Finding) => knownIssues.find((k) => k.matches(f));

import { z } from 'zod';

/**
 * Every free-text string the API accepts. NUL cannot be stored in a PostgreSQL text column
 * and an unpaired UTF-16 surrogate cannot be encoded as UTF-8: both used to reach the
 * database and come back as a 500. With the u flag a surrogate pair is one code point, so
 * \p{Cs} matches only an unpaired half. The OpenAPI document states the NUL rule alone as its
 * pattern: JSON Schema validators read patterns without the u flag, where \p{Cs} means the
 * letters p, C, s (every example with an "s" failed Spectral) and no unflagged pattern can
 * tell a lone surrogate from half of a pair; the description says the rest.
 * Strings with their own pattern (slug, code, dates, times) exclude both already.
 */
export const text = z
  .string()
  .regex(/^[^\0\p{Cs}]*$/u, 'Must not contain NUL characters or unpaired UTF-16 surrogates')
  .meta({ pattern: '^[^\\u0000]*$', description: 'Text without NUL characters or unpaired UTF-16 surrogates.' });

export const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Use 1–63 lowercase letters, digits and dashes, starting with a letter or digit');

export const code = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** A person or system id (e.g. "anna.berg", "erp-sap"): what owns holds and orders across key rotations. */
export const principal = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'Use 1–100 letters, digits, ".", "_", "@" or "-", starting with a letter or digit')
  .meta({ example: 'anna.berg' });

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Arithmetic check of a YYYY-MM-DD string: cheaper than parsing dates on every dated request. */
export function isCalendarDate(s: string): boolean {
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}

export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a calendar date YYYY-MM-DD')
  .refine(isCalendarDate, { message: 'Not a real calendar date' })
  .meta({ example: '2026-12-04' });

export const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use HH:MM (00:00–24:00)');

function isIanaTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = text
  .refine(isIanaTimeZone, { message: 'Unknown IANA time zone (e.g. Europe/Berlin)' })
  .meta({ example: 'Europe/Berlin' });

export const PlantParams = z.strictObject({ plant: slug });

export const isoInstant = z.iso.datetime({ offset: true }).meta({ example: '2026-11-23T12:00:00.000Z' });

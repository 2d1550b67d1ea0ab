import { z } from 'zod';
import { invalid } from '../domain/errors.ts';
import { text } from '../schemas/common.ts';

export const IfMatchHeaders = z.looseObject({
  'if-match': text
    .optional()
    .meta({ description: 'The revision (ETag) you last read; the write is refused with 412 when it is stale.', example: '"3"' }),
});

export const IfNoneMatchHeaders = z.looseObject({
  'if-none-match': text
    .optional()
    .meta({ description: 'The ETag you last read: the answer is 304 with no body when nothing changed since.', example: '"7"' }),
});

/** Parses `If-Match: "3"` (weak or strong) into a revision number. */
export function ifMatchRevision(headers: { 'if-match'?: string | undefined }): number | undefined {
  const raw = headers['if-match'];
  if (raw === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(raw.trim());
  if (!m) throw invalid([{ field: 'headers.if-match', message: 'Use the ETag value you read, e.g. "3"' }]);
  return Number(m[1]);
}

/**
 * Whether an If-None-Match header matches `etag` (RFC 9110 §13.1.2): `*`, or any entity tag of
 * its comma-separated list compared weakly (`W/"7"` matches `"7"`: a proxy that compresses
 * the answer marks its ETag weak).
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

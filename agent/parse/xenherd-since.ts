import * as z from 'zod';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * `data/xenherd/since` as the agent writes it into a domU's xenstore area: a UTC moment to the
 * millisecond, exactly as Date#toISOString gives it ("2026-12-06T21:00:00.000Z"). Read back it is
 * outside input (a guest may write its own area, an operator may edit it by hand), so anything
 * else, a calendar date that does not exist ("…-02-30…") included, is refused rather than read
 * loosely.
 */
const SinceSchema = z.iso
  .datetime({ precision: 3 })
  .refine((v) => !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v, { message: 'no such moment' });

/** RAW, as xenstore-read printed it and the adapter decoded it, as ms since the epoch; an error quotes what it is. */
export function parseXenherdSince(raw: string): Result<number, string> {
  if (!SinceSchema.safeParse(raw).success) return err(`${JSON.stringify(raw.slice(0, 40))}${raw.length > 40 ? '…' : ''} is not a time as the agent writes it (like 2026-12-06T21:00:00.000Z)`);
  return ok(Date.parse(raw));
}

import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { firstRealIssue, readTolerantly } from '../../../controller/ctl/tolerant-read.js';

// The answer schemas hold no plain z.union today (discriminated unions report the chosen option's
// issues as their own); these pin how a plain one, and zod's issue shapes, are read.
describe('readTolerantly: unknown keys dropped at any depth, anything else refused', () => {
  const Row = z.strictObject({ name: z.string(), memory: z.strictObject({ totalMiB: z.number() }) });
  const Answer = z.strictObject({ at: z.number(), rows: z.array(Row) });

  it('drops keys at the top, in array items and deeper, and leaves the raw value alone', () => {
    const raw = { at: 1, extra: true, rows: [{ name: 'a', tag: 'x', memory: { totalMiB: 2, sharedMiB: 1 } }] };
    const r = readTolerantly(Answer, raw);
    expect(r.success && r.data).toEqual({ at: 1, rows: [{ name: 'a', memory: { totalMiB: 2 } }] });
    expect(raw.extra).toBe(true);
  });

  it('a known field of the wrong type is refused, and named before any unknown key', () => {
    const r = readTolerantly(Answer, { at: 1, extra: true, rows: [{ name: 'a', memory: { totalMiB: 'two' } }] });
    expect(r.success).toBe(false);
    expect(!r.success && firstRealIssue(r.error)?.path).toEqual(['rows', 0, 'memory', 'totalMiB']);
  });

  it('a plain union whose options both fail only by unknown keys (an invalid_union issue): the one that knows most of the value is read', () => {
    const U = z.strictObject({ v: z.union([z.strictObject({ a: z.number() }), z.strictObject({ a: z.number(), b: z.string().optional() })]) });
    const raw = { v: { a: 1, b: 'x', c: 2 } };
    expect(U.safeParse(raw).error?.issues[0]?.code).toBe('invalid_union');
    const r = readTolerantly(U, raw);
    expect(r.success && r.data).toEqual({ v: { a: 1, b: 'x' } });
  });

  it('a discriminated union with no option for its discriminator stays refused', () => {
    const D = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('a') }), z.strictObject({ kind: z.literal('b'), n: z.number() })]);
    expect(readTolerantly(D, { kind: 'b', n: 1, more: 1 }).success).toBe(true);
    expect(readTolerantly(D, { kind: 'c' }).success).toBe(false);
  });
});

import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { parseJsonLine } from '../../shared/protocol/json-line.js';

const Msg = z.strictObject({ v: z.literal(1), op: z.enum(['status', 'reload']) });

describe('parseJsonLine', () => {
  it('returns the checked message', () => {
    expect(parseJsonLine('{"v":1,"op":"status"}', Msg)).toEqual({ ok: true, value: { v: 1, op: 'status' } });
  });
  it('says "not JSON" for a line that is not JSON', () => {
    expect(parseJsonLine('{"v":1,', Msg)).toEqual({ ok: false, error: { kind: 'not-json' } });
  });
  it('names the field and the problem for a message of the wrong shape', () => {
    const r = parseJsonLine('{"v":1,"op":"rm -rf","x":2}', Msg);
    expect(r.ok).toBe(false);
    if (!r.ok && r.error.kind === 'schema') {
      expect(r.error.issues).toMatch(/op: /);
      expect(r.error.issues).toMatch(/x/);
    } else throw new Error('expected a schema problem');
  });
  it('refuses a key given twice: JSON.parse would keep the last, so {"op":"status","op":"stop"} meant stop', () => {
    expect(parseJsonLine('{"v":1,"op":"status","op":"reload"}', Msg)).toEqual({ ok: false, error: { kind: 'schema', issues: '"op": given twice' } });
  });
});

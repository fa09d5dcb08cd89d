import fc from 'fast-check';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { AgentMessageReader } from '../../controller/core/agent-message-reader.js';
import { baseNamesOf, isRowsDomU, LinkDomainSchema } from '../../shared/protocol/agent-link-values.js';
import { AgentMessageSchema } from '../../shared/protocol/agent-link.js';
import { quickDelta, quickLinkDomain } from '../../shared/protocol/delta-quick-read.js';
import { hostileValue, mutatedJsonDeep, runs } from '../fuzz/fuzz-kit.js';
import { heapAfterGc } from '../fuzz/heap-after-gc.js';
import { dom } from '../controller/states.js';

// The usual delta (a changed row or two and the host's memory) is read by hand to the schemas'
// rules. Whatever the frame, that reading must be the schema's own answer, to the order of its
// keys, or no answer at all, so the schema judges it and names the place of what is wrong.

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

const row = fc.record({
  name: fc.constantFrom('web1', 'db-2', 'a.b_c', 'web1--incoming', 'web1--migratedaway', 'migrating-web1', 'Zombie-web1', 'Domain-0'),
  baseName: fc.constantFrom('web1', 'db-2', 'a.b_c', 'Domain-0', 'migrating-web1'),
  domid: fc.oneof(fc.nat(70_000), fc.constant(null)),
  state: fc.constantFrom('running', 'blocked', 'paused', 'shutdown', 'crashed', 'dying', 'idle', 'stopped'),
  memMiB: fc.nat(1 << 20),
  vcpus: fc.nat(512),
  migration: fc.constantFrom(null, 'incoming', 'migratedaway'),
  startedAt: fc.option(fc.constantFrom('2025-01-01T00:00:00.070Z', '1', ''), { nil: undefined }),
});

const memory = fc.record({ totalMiB: fc.oneof(fc.nat(1 << 20), fc.constant(null)), freeMiB: fc.oneof(fc.nat(1 << 21), fc.constant(null)) });

/** A delta as agents send it (rows and memory, or the domains whole), mostly valid. */
const delta: fc.Arbitrary<unknown> = fc
  .record({
    seq: fc.nat(),
    at: fc.nat(),
    memory: fc.option(memory, { nil: undefined }),
    whole: fc.boolean(),
    set: fc.array(row, { maxLength: 3 }),
    gone: fc.array(fc.constantFrom('web9', 'web1', 'x--incoming'), { maxLength: 2 }),
    count: fc.nat(30),
  })
  .map(({ seq, at, memory, whole, set, gone, count }) =>
    clone({ type: 'delta', seq, at, state: { ...(memory !== undefined ? { memory } : {}), ...(whole ? { domains: set } : {}) }, ...(whole ? {} : { rows: { set, gone, count } }) }),
  );

const BASE = clone({ type: 'delta', seq: 7, at: 1_700_000_000_000, state: { memory: { totalMiB: 4096, freeMiB: 1024 } }, rows: { set: [dom('web1'), dom('web2', { migration: 'incoming' })], gone: ['db1'], count: 3 } });
const WHOLE = clone({ type: 'delta', seq: 8, at: 1, state: { domains: [dom('web1'), dom('web2')], memory: { totalMiB: 10, freeMiB: 20 } } });

/** What the quick reading gives is the schema's answer, keys in its order; when it gives nothing, the schema is left to judge. */
function agrees(raw: unknown): boolean {
  const quick = quickDelta(clone(raw), quickLinkDomain);
  const want = AgentMessageSchema.safeParse(clone(raw));
  if (quick === undefined) return false;
  expect(want.success, JSON.stringify(raw)).toBe(true);
  if (want.success) expect(JSON.stringify(quick)).toBe(JSON.stringify(want.data));
  return true;
}

describe('the quick reading of a delta', () => {
  it("reads the agents' usual deltas as the schema does, and reads nearly all of them itself", () => {
    let read = 0;
    let valid = 0;
    fc.assert(
      fc.property(delta, (raw) => {
        if (agrees(raw)) read++;
        if (AgentMessageSchema.safeParse(raw).success) valid++;
      }),
      runs(500),
    );
    expect(read).toBe(valid);
    expect(valid).toBeGreaterThan((runs(500).numRuns ?? 0) / 4);
  });

  it('gives no answer but the schema\'s for a delta changed anywhere, to any value', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedJsonDeep(BASE), mutatedJsonDeep(WHOLE), hostileValue), (raw) => void agrees(raw)),
      runs(1_500),
    );
    // the mutations of a valid delta that stay valid are read by hand, not all left to the schema
    expect(agrees(BASE) && agrees(WHOLE)).toBe(true);
  });

  it('leaves to the schema what it alone says: an unknown key, a row name twice, a refused row, free memory over total capped', () => {
    const cases: unknown[] = [
      { ...BASE, extra: 1 },
      { ...BASE, rows: { set: [dom('web1')], gone: ['web1'], count: 1 } },
      { ...BASE, rows: { set: [dom('web1', { baseName: 'web2' })], gone: [], count: 1 } },
      { ...BASE, state: { memory: { totalMiB: 4096, freeMiB: 1024 }, domains: [] } },
      { ...BASE, state: {}, rows: undefined },
      { ...BASE, seq: -1 },
      { ...BASE, at: 8.64e15 + 1 },
      JSON.parse('{"type":"delta","seq":1,"at":1,"state":{"memory":{"totalMiB":1,"freeMiB":1,"__proto__":{}}}}'),
    ];
    for (const raw of cases) {
      expect(quickDelta(clone(raw), quickLinkDomain), JSON.stringify(raw)).toBeUndefined();
      const reader = new AgentMessageReader();
      const got = reader.read(clone(raw));
      const want = AgentMessageSchema.safeParse(clone(raw));
      expect(got.success).toBe(want.success);
      if (!got.success && !want.success) expect(got.error.issues).toEqual(want.error.issues);
    }
    const capped = quickDelta(clone({ ...BASE, state: { memory: { totalMiB: 10, freeMiB: 20 } } }), quickLinkDomain);
    expect(capped?.state.memory).toEqual({ totalMiB: 10, freeMiB: 10 });
  });

  it("spares the agent link's reader the schema for the usual delta, after as before a snapshot", () => {
    const reader = new AgentMessageReader();
    const schema = vi.spyOn(AgentMessageSchema, 'safeParse');
    onTestFinished(() => schema.mockRestore());
    const got = reader.read(clone(BASE));
    expect(got.success && got.data).toEqual(AgentMessageSchema.parse(clone(BASE)));
    schema.mockClear();
    expect(reader.read(clone(WHOLE)).success).toBe(true);
    expect(reader.read(clone(BASE)).success).toBe(true);
    expect(schema).not.toHaveBeenCalled();
  });

  it("takes a row's domU as baseNamesOf lists them, without making the list", () => {
    const names = fc.oneof(
      fc.constantFrom('a', 'web1', 'Domain-0', '--incoming', 'x--incoming', 'x--migratedaway', 'migrating-', 'migrating-x', 'Zombie-x', 'Zombie-migrating-x', 'migrating-x--incoming'),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(names, names, (name, baseName) => {
        const listed = (b: string): boolean => name === 'Domain-0' || baseNamesOf(name).includes(b);
        const trimmed = name.replace(/^(migrating-|Zombie-)|--(incoming|migratedaway)$/, '');
        expect(isRowsDomU(name, baseName)).toBe(listed(baseName));
        expect(isRowsDomU(name, trimmed)).toBe(listed(trimmed));
      }),
      runs(2_000),
    );
    expect(quickLinkDomain(clone(dom('web1')))).toEqual(LinkDomainSchema.parse(clone(dom('web1'))));
  });

  it('reads a row with a start time into an object the size of one without: the fleet view holds each until its next change', async () => {
    const T = '2025-01-01T00:00:00.070Z';
    const N = 20_000;
    const kept = new Array<unknown>(N);
    const before = await heapAfterGc();
    // the same strings in every row: what is measured is the row object alone
    for (let i = 0; i < N; i++) kept[i] = quickLinkDomain({ ...dom('web1', { startedAt: T }), memMiB: i });
    const perRow = ((await heapAfterGc()) - before) / N;
    expect(kept[N - 1]).toEqual(LinkDomainSchema.parse({ ...dom('web1', { startedAt: T }), memMiB: N - 1 }));
    // some 90 bytes as one literal; the row spread with startedAt added was some 400
    expect(perRow).toBeLessThan(150);
  });
});

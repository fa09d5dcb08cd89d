import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentMessageReader } from '../../../controller/core/agent-message-reader.js';
import { LINK_LIMITS, type LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { AgentMessageSchema } from '../../../shared/protocol/agent-link.js';
import { hostileValue, runs } from '../../fuzz/fuzz-kit.js';
import { heapAfterGc } from '../../fuzz/heap-after-gc.js';
import { dom, hostState } from '../states.js';

// The reader answers a frame with the held object for every row the link sent before; what it
// answers must still be exactly the schema's answer for that frame, whatever came before it.

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const rowsOf = (m: unknown): LinkDomain[] | undefined => {
  const s = (m as { type?: string; state?: { domains?: LinkDomain[] } } | null)?.state;
  return s?.domains;
};

/** Reads RAW with the reader and with the schema alone (each on its own copy): both answers. */
function both(reader: AgentMessageReader, raw: unknown): { got: ReturnType<AgentMessageReader['read']>; want: ReturnType<typeof AgentMessageSchema.safeParse> } {
  const mine = raw === undefined ? undefined : clone(raw);
  const got = reader.read(mine);
  const want = AgentMessageSchema.safeParse(raw === undefined ? undefined : clone(raw));
  expect(mine).toEqual(raw === undefined ? undefined : clone(raw)); // the frame itself is left as it came
  return { got, want };
}

/** Mostly valid (so that links hold rows), sometimes not; `undefined` removes the key. */
const ROW_CHANGES: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 40, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.constant({ memMiB: 2048 }) },
  { weight: 3, arbitrary: fc.constant({ state: 'paused' }) },
  { weight: 3, arbitrary: fc.constant({ domid: null }) },
  fc.constant({ vcpus: undefined }),
  fc.constant({ migration: undefined }),
  fc.record({ memMiB: hostileValue }),
  fc.record({ name: hostileValue }),
  fc.record({ state: hostileValue }),
  fc.constant({ extra: 1 }),
  fc.constant({ ['__proto__']: { memMiB: 1 } }),
  fc.constant({ migration: 'incoming', name: 'a--incoming' }),
);

/** A report frame: rows a..e picked, reordered, changed or left out, maybe with a row that is not an object. */
const frame: fc.Arbitrary<unknown> = fc
  .record({
    type: fc.constantFrom('snapshot', 'delta'),
    rows: fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd', 'e'), change: ROW_CHANGES }), { minLength: 1, maxLength: 6 }),
    odd: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostileValue }),
    seq: fc.oneof({ weight: 8, arbitrary: fc.nat(5) }, { weight: 1, arbitrary: hostileValue }),
  })
  .map(({ type, rows, odd, seq }) => {
    const domains: unknown[] = rows.map(({ name, change }) => {
      const row: Record<string, unknown> = { ...dom(name) };
      for (const [k, v] of Object.entries(change)) {
        if (v === undefined) delete row[k];
        else Object.defineProperty(row, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return row;
    });
    if (odd !== undefined) domains.push(odd);
    const state = type === 'snapshot' ? { ...hostState(), domains } : { domains };
    return JSON.parse(JSON.stringify({ type, seq, at: 1, state })) as unknown;
  });

describe('the agent message reader', () => {
  it('answers every frame of any sequence exactly as the schema does', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 8, arbitrary: frame }, { weight: 1, arbitrary: hostileValue }), { minLength: 1, maxLength: 12 }), (frames) => {
        const reader = new AgentMessageReader();
        for (const raw of frames) {
          const { got, want } = both(reader, raw);
          if (got.success && (rowsOf(got.data)?.length ?? 0) > 0) accepted++;
          expect(got.success).toBe(want.success);
          if (got.success && want.success) expect(got.data).toEqual(want.data);
          if (!got.success && !want.success) expect(got.error.issues).toEqual(want.error.issues);
        }
      }),
      runs(400),
    );
    // the property means something only if many frames were accepted with rows held from before
    expect(accepted).toBeGreaterThan(runs(400).numRuns ?? 0);
  });

  it('answers the rows a link sent before with the objects it answered then, and new or changed rows with new ones', () => {
    const reader = new AgentMessageReader();
    const first = reader.read(clone({ type: 'snapshot', seq: 1, at: 1, state: hostState({ domains: [dom('a'), dom('b'), dom('c')] }) }));
    const held = first.success ? rowsOf(first.data) : undefined;
    expect(held).toHaveLength(3);
    const next = reader.read(clone({ type: 'delta', seq: 2, at: 2, state: { domains: [dom('c'), dom('a'), dom('b', { memMiB: 1 }), dom('d')] } }));
    const rows = next.success ? rowsOf(next.data) : undefined;
    expect(rows?.[0]).toBe(held?.[2]);
    expect(rows?.[1]).toBe(held?.[0]);
    expect(rows?.[2]).toEqual(dom('b', { memMiB: 1 }));
    expect(rows?.[2]).not.toBe(held?.[1]);
    expect(rows?.[3]).toEqual(dom('d'));
    // a delta without domains leaves the held rows as they were
    expect(reader.read(clone({ type: 'delta', seq: 3, at: 3, state: { memory: { totalMiB: 1, freeMiB: 1 } } })).success).toBe(true);
    const again = reader.read(clone({ type: 'delta', seq: 4, at: 4, state: { domains: [dom('c')] } }));
    expect(again.success ? rowsOf(again.data)?.[0] : undefined).toBe(rows?.[0]);
  });

  it("answers a held row with a start time (link feature domain-started) as that row, and a row whose start time arrives as a new one", () => {
    const reader = new AgentMessageReader();
    const T = '2025-01-01T00:00:00.070Z';
    const first = reader.read(clone({ type: 'snapshot', seq: 1, at: 1, state: hostState({ domains: [dom('a', { startedAt: T }), dom('b')] }) }));
    const held = first.success ? rowsOf(first.data) : undefined;
    const next = reader.read(clone({ type: 'delta', seq: 2, at: 2, state: { domains: [dom('a', { startedAt: T }), dom('b', { startedAt: T })] } }));
    const rows = next.success ? rowsOf(next.data) : undefined;
    expect(rows?.[0]).toBe(held?.[0]);
    expect(rows?.[1]).toEqual(dom('b', { startedAt: T }));
    expect(rows?.[1]).not.toBe(held?.[1]);
  });

  it('refuses what the schema refuses even when every row is one it holds: too many rows, a bad section beside them', () => {
    const reader = new AgentMessageReader();
    expect(reader.read(clone({ type: 'snapshot', seq: 1, at: 1, state: hostState({ domains: [dom('a')] }) })).success).toBe(true);
    const many = Array.from({ length: LINK_LIMITS.domains + 1 }, () => dom('a'));
    const tooMany = reader.read(clone({ type: 'delta', seq: 2, at: 2, state: { domains: many } }));
    expect(tooMany.success).toBe(false);
    expect(tooMany.error?.issues[0]?.path).toEqual(['state', 'domains']);
    const badBeside = reader.read(clone({ type: 'delta', seq: 2, at: 2, state: { domains: [dom('a')], toolstack: 'xm2' } }));
    expect(badBeside.success).toBe(false);
    expect(badBeside.error?.issues[0]?.path).toEqual(['state', 'toolstack']);
    const unknownKey = reader.read(clone({ type: 'delta', seq: 2, at: 2, state: { domains: [{ ...dom('a'), extra: 1 }] } }));
    expect(unknownKey.success).toBe(false);
  });

  it("keeps of a delta's changed row only the row: its name, base name and start time are the strings of the row the link holds", async () => {
    const reader = new AgentMessageReader();
    const T = '2025-01-01T00:00:00.070Z';
    const names = Array.from({ length: 20 }, (_, i) => `web-frontend-${i}`);
    expect(reader.read(clone({ type: 'snapshot', seq: 1, at: 1, state: hostState({ domains: names.map((n) => dom(n, { startedAt: T })) }) })).success).toBe(true);
    const N = 20_000;
    // as the fleet view holds them: each until its host's next report, through scavenges
    const kept: LinkDomain[] = new Array<LinkDomain>(N);
    const before = await heapAfterGc();
    for (let i = 0; i < N; i++) {
      const row = dom(names[i % names.length] ?? '', { startedAt: T, memMiB: i });
      // parsed from its own text, as each frame is: its strings are its own
      const m = reader.read(JSON.parse(JSON.stringify({ type: 'delta', seq: i + 2, at: 2, state: {}, rows: { set: [row], gone: [], count: names.length } })));
      const changed = m.success && m.data.type === 'delta' ? m.data.rows?.set[0] : undefined;
      if (changed === undefined) throw new Error(`delta ${i} not read as rows`);
      kept[i] = changed;
    }
    const perRow = ((await heapAfterGc()) - before) / N;
    expect(kept[N - 1]).toEqual(dom(names[(N - 1) % names.length] ?? '', { startedAt: T, memMiB: N - 1 }));
    // the row alone is some 90 bytes; with the frame's three strings, some 200
    expect(perRow).toBeLessThan(140);
  });
});

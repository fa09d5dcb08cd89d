import { describe, expect, it } from 'vitest';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { moveExplains, type MoveUnderWay } from '../../../controller/fleet/moves-under-way.js';
import { dom, guarded, hostState, primary, record } from '../states.js';

const NOW = 1_000_000;
const kinds = (records: Parameters<typeof mergeFleet>[0], moves?: MoveUnderWay[]) =>
  mergeFleet(records, { now: NOW, staleAfterMs: 15_000, ...(moves !== undefined ? { moves } : {}) }).findings.map((f) => [f.kind, f.subject, f.hosts]);

// a move into an xm Dom0 as the reports show it mid-copy: plain web01 on both, the receiver's paused, r0 Primary on both
const side = (host: string, peer: string, state: 'running' | 'paused') =>
  record(host, hostState({ domains: [dom('web01', { state })], guarded: [guarded('web01', ['r0'])], drbd: { availability: 'ok', resources: [primary('r0', peer, 'Primary', 'Primary')] } }));
const mid = [side('xm1', 'xm2', 'running'), side('xm2', 'xm1', 'paused')];

describe('a move this controller makes is no conflict between its two ends', () => {
  it('without a move in flight two plain copies and the dual Primary are raised', () => {
    expect(kinds(mid)).toEqual([
      ['drbd-primary-on-both', 'r0@xm1+xm2', ['xm1', 'xm2']],
      ['running-on-two-hosts', 'web01', ['xm1', 'xm2']],
    ]);
    expect(kinds(mid, [])).toHaveLength(2);
  });

  it('with its move in flight between those two Dom0s, neither is', () => {
    expect(kinds(mid, [{ name: 'web01', from: 'xm1', to: 'xm2' }])).toEqual([]);
    // the agent picks the target (its partner, or a reverse's home)
    expect(kinds(mid, [{ name: 'web01', from: 'xm1', to: null }])).toEqual([]);
  });

  it('a move of another domU, or between other Dom0s, explains nothing here', () => {
    expect(kinds(mid, [{ name: 'db01', from: 'xm1', to: 'xm2' }])).toHaveLength(2);
    expect(kinds(mid, [{ name: 'web01', from: 'xm1', to: 'xm3' }])).toHaveLength(2);
    expect(kinds(mid, [{ name: 'web01', from: 'xm3', to: 'xm2' }])).toHaveLength(2);
    expect(kinds(mid, [{ name: 'web01', from: 'xm3', to: null }])).toHaveLength(2);
  });

  it('a third copy is raised whatever move runs', () => {
    const three = [...mid, record('xen9', hostState({ domains: [dom('web01')] }))];
    expect(kinds(three, [{ name: 'web01', from: 'xm1', to: 'xm2' }]).filter((k) => k[0] === 'running-on-two-hosts')).toEqual([['running-on-two-hosts', 'web01', ['xen9', 'xm1', 'xm2']]]);
  });

  it('moveExplains: only the two ends of the move, named once each', () => {
    const m: MoveUnderWay[] = [{ name: 'a', from: 'h1', to: 'h2' }];
    expect(moveExplains(m, 'a', ['h1', 'h2'])).toBe(true);
    expect(moveExplains(m, 'a', ['h2', 'h1'])).toBe(true);
    expect(moveExplains(m, 'a', ['h1'])).toBe(false);
    expect(moveExplains(m, 'a', ['h1', 'h2', 'h3'])).toBe(false);
    expect(moveExplains(m, 'b', ['h1', 'h2'])).toBe(false);
    expect(moveExplains(undefined, 'a', ['h1', 'h2'])).toBe(false);
    expect(moveExplains([{ name: 'a', from: 'h1', to: 'h1' }], 'a', ['h1', 'h2'])).toBe(false);
    expect(moveExplains([{ name: 'a', from: 'h1', to: null }], 'a', ['h1', 'h1'])).toBe(false);
  });
});

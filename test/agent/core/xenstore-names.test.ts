import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../agent/core/effects.js';
import { reduce } from '../../../agent/core/reduce.js';
import { startedAgent, T0 } from './host-read.js';

// The domUs one batched xenstore-write could not name: a run that failed whole (xenstored down)
// fails each of its domUs with the same cause, said in one warning, not one per domU.

const warnings = (fx: readonly Effect[]) => fx.flatMap((e) => (e.e === 'log' && e.level === 'warn' ? [{ msg: e.msg, domu: e.fields['domu'] }] : []));

describe("the domUs a xenstore-write could not name", () => {
  it('one warning per cause, naming each domU with its domain id; a lone domU is its own field', () => {
    const down = 'xenstore-write /local/domain/3/data/xenherd/dom0 … (the pairs of 2 domUs): cannot connect to xenstore';
    const refused = 'xenstore-write could not write /local/domain/7/data/xenherd/dom0 (xenstored refused it; the tool prints no reason)';
    const r = reduce(startedAgent(), { t: 'xenstore-written', failed: [{ domid: 3, name: 'web1', problem: down }, { domid: 4, name: 'web2', problem: down }, { domid: 7, name: 'db1', problem: refused }] }, T0);
    expect(warnings(r.effects)).toEqual([
      { msg: `cannot name this Dom0 in the xenstore areas of web1 (domain 3) and web2 (domain 4): ${down}`, domu: undefined },
      { msg: `cannot name this Dom0 in db1's xenstore area (domain 7): ${refused}`, domu: 'db1' },
    ]);
    expect(warnings(reduce(startedAgent(), { t: 'xenstore-written', failed: [] }, T0).effects)).toEqual([]);
  });
});

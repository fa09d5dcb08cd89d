import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../agent/core/events.js';
import type { Effect } from '../../../agent/core/effects.js';
import { reduce } from '../../../agent/core/reduce.js';
import type { AgentState } from '../../../agent/core/state.js';
import type { InventoryDomain } from '../../../shared/inventory.js';
import { migrationRow } from '../listed-domains.js';
import { startedAgent, T0 } from './host-read.js';

// This Dom0's name written into each running domU's xenstore area, on the injected clock: a write
// that failed is tried again at the list read after its wait, and the domUs a run could not name
// are said once per cause, when the quick tries are over.

const running = (domains: InventoryDomain[]): AgentState => ({ ...startedAgent(), phase: 'running', toolstack: 'xl', domains });
const row = (name: string, domid: number): InventoryDomain => migrationRow(name, null, domid);
const writes = (fx: readonly Effect[]) => fx.flatMap((e) => (e.e === 'xenstore-write' ? [e.domus.map((d) => `${d.name}@${d.domid} ${Object.values(d.values).join(' ')}`)] : []));
const said = (fx: readonly Effect[]) => fx.flatMap((e) => (e.e === 'log' && e.level !== 'debug' && e.msg.includes('this Dom0') ? [{ level: e.level, msg: e.msg, domu: e.fields['domu'] }] : []));
const timer = (fx: readonly Effect[]) => fx.flatMap((e) => (e.e === 'timer' && e.name === 'xenstore-names' ? [e.ms] : []));
const listReads = (fx: readonly Effect[]) => fx.filter((e) => e.e === 'read-domains').length;

const DOWN = 'xenstore-write /local/domain/3/data/xenherd/dom0 … (the pairs of 2 domUs): cannot connect to xenstore';
const SINCE = new Date(T0).toISOString();

/** the agent driven by events, each at its time on the clock */
function driven(domains: InventoryDomain[]) {
  let s = running(domains);
  return {
    state: () => s,
    at(ms: number, ev: AgentEvent): readonly Effect[] {
      const r = reduce(s, ev, T0 + ms);
      s = r.state;
      return r.effects;
    },
    list: (ds = domains): AgentEvent => ({ t: 'domains-read', read: { ok: true, domains: ds }, tookMs: 10 }),
  };
}

const failedAll = (problem: string, ...ds: [string, number][]): AgentEvent => ({ t: 'xenstore-written', named: [], failed: ds.map(([name, domid]) => ({ domid, name, problem })) });
const namedAll = (...ds: [string, number][]): AgentEvent => ({ t: 'xenstore-written', named: ds.map(([name, domid]) => ({ domid, name })), failed: [] });

describe("this Dom0's name in the domUs' xenstore areas", () => {
  // A write that failed was marked done before it ran: the domU was never named until its id
  // changed, and went on reading the Dom0 it ran on before.
  it('a failed write is tried again after 5, 20 and 60 s, then every 10 minutes, said once given up and once named', () => {
    const a = driven([row('web1', 3), row('web2', 4)]);
    expect(writes(a.at(0, a.list()))).toEqual([[`web1@3 xen1 ${SINCE}`, `web2@4 xen1 ${SINCE}`]]);
    let tried = 1;
    let t = 0;
    for (const wait of [5_000, 20_000, 60_000, 600_000, 600_000]) {
      // the run times out 5 s after it began
      t += 5_000;
      const fx = a.at(t, failedAll(DOWN, ['web1', 3], ['web2', 4]));
      expect(timer(fx)).toEqual([wait]);
      // said once, when the fourth try failed
      expect(said(fx)).toEqual(tried === 4 ? [{ level: 'warn', msg: `cannot name this Dom0 in the xenstore areas of web1 (domain 3) and web2 (domain 4) after 4 tries, tried again every 10 minutes: ${DOWN}`, domu: undefined }] : []);
      // a list read before the wait is over writes nothing
      expect(writes(a.at(t + wait - 1, a.list()))).toEqual([]);
      // the timer asks for a list read; the read writes both in one run, with the first `since`
      t += wait;
      expect(listReads(a.at(t, { t: 'timer', name: 'xenstore-names' }))).toBe(1);
      expect(writes(a.at(t, a.list()))).toEqual([[`web1@3 xen1 ${SINCE}`, `web2@4 xen1 ${SINCE}`]]);
      tried++;
    }
    const fx = a.at(t + 100, namedAll(['web1', 3], ['web2', 4]));
    expect(said(fx)).toEqual([{ level: 'info', msg: 'named this Dom0 in the xenstore areas of web1 (domain 3) and web2 (domain 4) at last: their guests read it from data/xenherd/dom0', domu: undefined }]);
    expect(a.state().timers.has('xenstore-names')).toBe(false);
    // named: not written again
    expect(writes(a.at(t + 700_000, a.list()))).toEqual([]);
  });

  it('a domU given up rides along with the next write, and a retry within the quick tries is not said', () => {
    const a = driven([row('web1', 3)]);
    a.at(0, a.list());
    for (const [at, wait] of [[5_000, 5_000], [15_000, 20_000], [40_000, 60_000], [105_000, 0]] as const) {
      expect(said(a.at(at, failedAll(DOWN, ['web1', 3])))).toHaveLength(wait > 0 ? 0 : 1);
      if (wait > 0) expect(writes(a.at(at + wait, a.list()))).toHaveLength(1);
    }
    // given up at 105 s (its slow try due at 705 s): db1 arrives at 200 s, and web1 goes with it
    const withDb1 = [row('web1', 3), row('db1', 7)];
    const fx = a.at(200_000, a.list(withDb1));
    expect(writes(fx)).toEqual([[`db1@7 xen1 ${new Date(T0 + 200_000).toISOString()}`, `web1@3 xen1 ${SINCE}`]]);
    // db1 named at its first try: nothing said for it
    expect(said(a.at(205_000, namedAll(['db1', 7], ['web1', 3])))).toEqual([{ level: 'info', msg: "named this Dom0 in web1's xenstore area (domain 3) at last: its guest reads it from data/xenherd/dom0", domu: 'web1' }]);
  });

  it('one warning per cause, naming each domU with its domain id; a lone domU is its own field; a domU gone is not tried again', () => {
    const a = driven([row('web1', 3), row('web2', 4), row('db1', 7)]);
    a.at(0, a.list());
    const refused = 'xenstore-write could not write /local/domain/7/data/xenherd/dom0 (xenstored refused it; the tool prints no reason)';
    let fx: readonly Effect[] = [];
    for (const [at, wait] of [[5_000, 5_000], [15_000, 20_000], [40_000, 60_000], [105_000, 0]] as const) {
      fx = a.at(at, { t: 'xenstore-written', named: [], failed: [{ domid: 3, name: 'web1', problem: DOWN }, { domid: 4, name: 'web2', problem: DOWN }, { domid: 7, name: 'db1', problem: refused }] });
      if (wait > 0) a.at(at + wait, a.list());
    }
    expect(said(fx)).toEqual([
      { level: 'warn', msg: `cannot name this Dom0 in the xenstore areas of web1 (domain 3) and web2 (domain 4) after 4 tries, tried again every 10 minutes: ${DOWN}`, domu: undefined },
      { level: 'warn', msg: `cannot name this Dom0 in db1's xenstore area (domain 7) after 4 tries, tried again every 10 minutes: ${refused}`, domu: 'db1' },
    ]);
    // db1 and web2 gone: web1 alone at its slow try
    expect(writes(a.at(705_000, a.list([row('web1', 3)])))).toEqual([[`web1@3 xen1 ${SINCE}`]]);
    expect([...a.state().xenstoreNamed.keys()]).toEqual([3]);
  });
});

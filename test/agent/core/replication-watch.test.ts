import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { parseEvents2Line } from '../../../agent/parse/events2.js';
import type { InventoryDomain } from '../../../shared/inventory.js';

// db1 runs on xen2 on r2, whose .res names xen1 and xen2. The journal hears of its link going and
// coming back once each, however many reads see it so. Pure: events2 lines through the reducer.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({});
const db1: InventoryDomain = { name: 'db1', baseName: 'db1', domid: 3, state: 'blocked', stateLetters: '-b----', shutdownReason: null, cpuTimeS: 1, memMiB: 1024, vcpus: 1, migration: null };

function state(): AgentState {
  const s = initialState({ config, host: 'xen2', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return {
    ...s,
    phase: 'running',
    toolstack: 'xl',
    domains: [db1],
    guarded: [{ name: 'db1', configPath: '/etc/xen/drbd-auto/db1.cfg', drbdResources: ['r2'], error: null }],
    domus: [{ name: 'db1', source: 'guarded', memMiB: 1024, vcpus: 1, resources: [{ name: 'r2', hosts: ['xen1', 'xen2'] }] }],
    drbd: { ...s.drbd, availability: 'ok', watcher: { ...s.drbd.watcher, gen: 1, running: true } },
  };
}

/** LINES through the reducer, then the queue running dry (settled): the logs that gives */
function feed(s: AgentState, lines: string, peer = 'xen1'): { state: AgentState; logs: Extract<Effect, { e: 'log' }>[] } {
  let n = s;
  const fx: Effect[] = [];
  for (const text of lines.replaceAll('PEER', peer).split('\n').filter((l) => l.trim() !== '')) {
    const p = parseEvents2Line(text);
    if (!p.ok) throw new Error(p.error.message);
    const r = reduce(n, { t: 'watch-line', watcher: 'drbd', gen: n.drbd.watcher.gen, line: p.value }, T0);
    n = r.state;
    fx.push(...r.effects);
  }
  const r = reduce(n, { t: 'settled' }, T0);
  fx.push(...r.effects);
  return { state: r.state, logs: fx.filter((e): e is Extract<Effect, { e: 'log' }> => e.e === 'log' && e.fields['event'] !== undefined && String(e.fields['event']).startsWith('replication-')) };
}

const CONNECTED = `
exists resource name:r2 role:Primary suspended:no
exists connection name:r2 peer-node-id:0 conn-name:PEER connection:Connected role:Secondary
exists device name:r2 volume:0 minor:2 disk:UpToDate
exists peer-device name:r2 peer-node-id:0 conn-name:PEER volume:0 replication:Established peer-disk:UpToDate resync-suspended:no
exists -
`;
const CUT = `
change connection name:r2 peer-node-id:0 conn-name:PEER connection:Connecting role:Unknown
change peer-device name:r2 peer-node-id:0 conn-name:PEER volume:0 replication:Off peer-disk:DUnknown
`;
const BACK = `
change connection name:r2 peer-node-id:0 conn-name:PEER connection:Connected role:Secondary
change peer-device name:r2 peer-node-id:0 conn-name:PEER volume:0 replication:Established peer-disk:UpToDate
`;

describe("the journal on a DRBD link of a domU this Dom0 runs", () => {
  it('lost: one warning naming the domU and the peer Dom0; still lost: nothing more; back: one info line', () => {
    const up = feed(state(), CONNECTED);
    expect(up.logs).toEqual([]);
    const cut = feed(up.state, CUT);
    expect(cut.logs.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'DRBD r2 of db1 lost its connection to xen1 (Connecting): nothing replicates its writes until it is back; check xen1 and the network between them'],
    ]);
    expect(cut.logs[0]?.fields).toMatchObject({ resource: 'r2', domus: ['db1'], peer: 'xen1', connection: 'Connecting' });
    // more reads of the same cut link (a disk state moving, a poll) say nothing again
    expect(feed(cut.state, 'change device name:r2 volume:0 minor:2 disk:UpToDate').logs).toEqual([]);
    const back = feed(cut.state, BACK);
    expect(back.logs.map((l) => [l.level, l.msg])).toEqual([['info', 'DRBD r2 of db1 is connected to xen1 again: its writes replicate again (after a resync, if one runs)']]);
    expect(feed(back.state, BACK).logs).toEqual([]);
  });

  it('DRBD 8.4 (its peer called "peer"): the peer Dom0 is the other host the .res file names, the state in 8.4\'s word', () => {
    const up = feed(state(), CONNECTED, 'peer');
    expect(feed(up.state, CUT, 'peer').logs.map((l) => l.msg)).toEqual(['DRBD r2 of db1 lost its connection to xen1 (WFConnection): nothing replicates its writes until it is back; check xen1 and the network between them']);
  });
});

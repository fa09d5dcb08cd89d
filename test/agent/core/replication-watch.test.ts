import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { reduce } from '../../../agent/core/reduce.js';
import { REPLICATION_GRACE_MS } from '../../../agent/core/replication-watch.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { parseEvents2Line } from '../../../agent/parse/events2.js';
import type { InventoryDomain } from '../../../shared/inventory.js';

// db1 runs on xen2 on r2, whose .res names xen1 and xen2. The journal hears of its link going and
// coming back once each, however many reads see it so, and nothing of a link that has not come up
// yet at boot. Pure: events2 lines through the reducer.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({});
const db1: InventoryDomain = { name: 'db1', baseName: 'db1', domid: 3, state: 'blocked', stateLetters: '-b----', shutdownReason: null, cpuTimeS: 1, memMiB: 1024, vcpus: 1, migration: null };

function state(running = true): AgentState {
  const s = initialState({ config, host: 'xen2', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return {
    ...s,
    phase: 'running',
    toolstack: 'xl',
    domains: running ? [db1] : [],
    guarded: [{ name: 'db1', configPath: '/etc/xen/drbd-auto/db1.cfg', drbdResources: ['r2'], error: null }],
    domus: [{ name: 'db1', source: 'guarded', memMiB: 1024, vcpus: 1, resources: [{ name: 'r2', hosts: ['xen1', 'xen2'] }] }],
    drbd: { ...s.drbd, availability: 'ok', watcher: { ...s.drbd.watcher, gen: 1, running: true } },
  };
}

type Fed = { state: AgentState; logs: Extract<Effect, { e: 'log' }>[]; effects: Effect[] };

/** LINES through the reducer at NOW, then the queue running dry (settled): the logs that gives */
function feed(s: AgentState, lines: string, peer = 'xen1', now = T0): Fed {
  let n = s;
  const fx: Effect[] = [];
  for (const text of lines.replaceAll('PEER', peer).split('\n').filter((l) => l.trim() !== '')) {
    const p = parseEvents2Line(text);
    if (!p.ok) throw new Error(p.error.message);
    const r = reduce(n, { t: 'watch-line', watcher: 'drbd', gen: n.drbd.watcher.gen, line: p.value }, now);
    n = r.state;
    fx.push(...r.effects);
  }
  return settle(n, fx, now);
}

function settle(s: AgentState, fx: Effect[], now: number): Fed {
  const r = reduce(s, { t: 'settled' }, now);
  const effects = [...fx, ...r.effects];
  return { state: r.state, effects, logs: effects.filter((e): e is Extract<Effect, { e: 'log' }> => e.e === 'log' && e.fields['event'] !== undefined && String(e.fields['event']).startsWith('replication-')) };
}

/** The `replication` timer firing at NOW, as the loop posts it, then settled. */
function timer(s: AgentState, now: number): Fed {
  const r = reduce(s, { t: 'timer', name: 'replication' }, now);
  return settle(r.state, [...r.effects], now);
}

const CONNECTED = `
exists resource name:r2 role:Primary suspended:no
exists connection name:r2 peer-node-id:0 conn-name:PEER connection:Connected role:Secondary
exists device name:r2 volume:0 minor:2 disk:UpToDate
exists peer-device name:r2 peer-node-id:0 conn-name:PEER volume:0 replication:Established peer-disk:UpToDate resync-suspended:no
exists -
`;
/** events2's initial dump on a Dom0 whose r2 is not up yet, then r2 coming up and trying its peer (the boot handshake) */
const NOT_UP = 'exists -';
const UP_TRYING = `
create resource name:r2 role:Secondary suspended:no
create device name:r2 volume:0 minor:2 disk:UpToDate
create connection name:r2 peer-node-id:0 conn-name:PEER connection:Connecting role:Unknown
create peer-device name:r2 peer-node-id:0 conn-name:PEER volume:0 replication:Off peer-disk:DUnknown
`;
/** r2 up and trying its peer in the initial dump: an agent started beside a link that is down */
const TRYING = `
exists resource name:r2 role:Primary suspended:no
exists connection name:r2 peer-node-id:0 conn-name:PEER connection:Connecting role:Unknown
exists device name:r2 volume:0 minor:2 disk:UpToDate
exists peer-device name:r2 peer-node-id:0 conn-name:PEER volume:0 replication:Off peer-disk:DUnknown
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

  it('at boot, r2 not up, then trying its peer, then connected: nothing; its link cut after that: the warning', () => {
    const notUp = feed(state(false), NOT_UP);
    const trying = feed(notUp.state, UP_TRYING);
    const up = feed(trying.state, BACK, 'xen1', T0 + 5_000);
    expect([notUp.logs, trying.logs, up.logs]).toEqual([[], [], []]);
    const cut = feed(up.state, CUT, 'xen1', T0 + 90_000);
    expect(cut.logs.map((l) => [l.level, l.fields['event'], l.fields['resource']])).toEqual([['warn', 'replication-lost', 'r2']]);
    expect(feed(cut.state, BACK, 'xen1', T0 + 95_000).logs.map((l) => l.fields['event'])).toEqual(['replication-back']);
  });

  it('a guarded domU not running here whose r2 never connects: no warning, however long (check says it)', () => {
    const trying = feed(state(false), TRYING);
    expect(trying.logs).toEqual([]);
    expect(trying.effects.filter((e) => e.e === 'timer' && e.name === 'replication')).toEqual([]);
    expect(feed(trying.state, 'change device name:r2 volume:0 minor:2 disk:UpToDate', 'xen1', T0 + 10 * REPLICATION_GRACE_MS).logs).toEqual([]);
  });

  it('db1 running here beside r2 never connected: nothing within the grace, one warning once it has passed, an info line when it connects', () => {
    const trying = feed(state(), TRYING);
    expect(trying.logs).toEqual([]);
    expect(trying.effects).toContainEqual({ e: 'timer', name: 'replication', ms: REPLICATION_GRACE_MS });
    expect(feed(trying.state, 'change device name:r2 volume:0 minor:2 disk:UpToDate', 'xen1', T0 + REPLICATION_GRACE_MS - 1).logs).toEqual([]);
    const due = timer(trying.state, T0 + REPLICATION_GRACE_MS);
    expect(due.logs.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'DRBD r2 of db1 has not connected to xen1 in the 60 s db1 ran here (Connecting): nothing replicates its writes until it does; check xen1 and the network between them'],
    ]);
    expect(due.logs[0]?.fields).toMatchObject({ resource: 'r2', domus: ['db1'], peer: 'xen1', connection: 'Connecting', event: 'replication-not-connected' });
    expect(timer(due.state, T0 + 3 * REPLICATION_GRACE_MS).logs).toEqual([]);
    expect(feed(due.state, BACK, 'xen1', T0 + 4 * REPLICATION_GRACE_MS).logs.map((l) => [l.level, l.msg])).toEqual([['info', 'DRBD r2 of db1 is connected to xen1: its writes replicate (after a resync, if one runs)']]);
  });

  it('the grace counts while db1 runs here: stopped before it ends, nothing', () => {
    const trying = feed(state(), TRYING);
    const stopped = settle({ ...trying.state, domains: [], dirty: true }, [], T0 + 30_000);
    expect(timer(stopped.state, T0 + REPLICATION_GRACE_MS).logs).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { changedSections, hostStateOf } from '../../../agent/core/host-state.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { snapshotOf } from '../../../agent/core/status.js';
import { decideAll } from '../../../agent/decide/autostart-all.js';
import { parseEvents2Line } from '../../../agent/parse/events2.js';
import type { DrbdResourceView } from '../../../shared/inventory.js';
import { HostStateSchema, type LinkDomuConfig } from '../../../shared/protocol/agent-link-state.js';

// The DRBD state an agent reports holds the resources of its standby replicas too: web1 is homed on
// xen1 (its config only in xen2's config dir, its .res naming both), and xen2 reports r1 beside its
// own db1's r2, so `check` can judge the pair from xen2 while xen1 is down. Guarded autostart
// still decides on the guarded resources alone. Pure: events through the reducer.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({});

const domu = (name: string, source: LinkDomuConfig['source'], resources: [string, string[]][]): LinkDomuConfig => ({
  name,
  source,
  memMiB: 1024,
  vcpus: 1,
  resources: resources.map(([n, hosts]) => ({ name: n, hosts })),
});

const DOMUS: LinkDomuConfig[] = [
  domu('db1', 'guarded', [['r2', ['xen1', 'xen2']]]),
  // a standby replica: its resource names this host
  domu('web1', 'config-dir', [['r1', ['xen1', 'xen2']]]),
  // a config of a domU whose disks live elsewhere (r9's .res names xen3 and xen4), and one with no .res here
  domu('far1', 'config-dir', [['r9', ['xen3', 'xen4']]]),
  domu('old1', 'config-dir', [['r8', []]]),
];

function state(mode: 'events' | 'polling', domus: readonly LinkDomuConfig[] = DOMUS): AgentState {
  const s = initialState({ config, host: 'xen2', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  const watcher = mode === 'events' ? { ...s.drbd.watcher, gen: 1, running: true } : { ...s.drbd.watcher, mode: 'polling' as const, pollingWhy: 'events.drbd is "poll" in the config' };
  return {
    ...s,
    phase: 'running',
    toolstack: 'xl',
    domains: [],
    guarded: [{ name: 'db1', configPath: '/etc/xen/drbd-auto/db1.cfg', drbdResources: ['r2'], error: null }],
    domus,
    drbd: { ...s.drbd, availability: 'ok', watcher },
  };
}

function feed(s: AgentState, lines: string): AgentState {
  let n = s;
  for (const text of lines.split('\n').filter((l) => l.trim() !== '')) {
    const p = parseEvents2Line(text);
    if (!p.ok) throw new Error(p.error.message);
    n = reduce(n, { t: 'watch-line', watcher: 'drbd', gen: n.drbd.watcher.gen, line: p.value }, T0).state;
  }
  return n;
}

// xen1 is down: r1 (standby) and r2 (db1, guarded here) both wait for it
const XEN1_DOWN = `
exists resource name:r2 role:Secondary suspended:no
exists connection name:r2 peer-node-id:0 conn-name:xen1 connection:Connecting role:Unknown
exists device name:r2 volume:0 minor:2 disk:UpToDate
exists peer-device name:r2 peer-node-id:0 conn-name:xen1 volume:0 replication:Off peer-disk:DUnknown resync-suspended:no
exists resource name:r1 role:Secondary suspended:no
exists connection name:r1 peer-node-id:0 conn-name:xen1 connection:Connecting role:Unknown
exists device name:r1 volume:0 minor:1 disk:UpToDate
exists peer-device name:r1 peer-node-id:0 conn-name:xen1 volume:0 replication:Off peer-disk:DUnknown resync-suspended:no
exists -
`;

const reported = (s: AgentState) => hostStateOf(s).drbd.resources;
const polls = (fx: readonly Effect[]) => fx.flatMap((e) => (e.e === 'poll-drbd' ? [e.names] : []));

type Role = DrbdResourceView['role'];
const view = (name: string, role: Role, peerRole: Role, connection: DrbdResourceView['connection']): DrbdResourceView => ({
  name,
  up: true,
  role,
  peerRole,
  connection,
  disk: 'UpToDate',
  peerDisk: connection === 'Connected' ? 'UpToDate' : 'DUnknown',
  peers: [{ name: 'xen1', role: peerRole, connection, disk: connection === 'Connected' ? 'UpToDate' : 'DUnknown', replication: connection === 'Connected' ? 'Established' : 'Off', syncedPercent: null }],
});

describe("the DRBD state an agent reports: its standby replicas' resources too", () => {
  it('events2: the snapshot holds the guarded r2 and the standby r1, not a resource whose .res does not name this host', () => {
    const s = feed(state('events'), XEN1_DOWN);
    expect(reported(s).map((r) => r.name)).toEqual(['r2', 'r1']);
    expect(reported(s).find((r) => r.name === 'r1')).toEqual({ name: 'r1', role: 'Secondary', disk: 'UpToDate', peers: [{ name: 'xen1', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null }] });
    expect(HostStateSchema.safeParse(JSON.parse(JSON.stringify(hostStateOf(s)))).success).toBe(true);
  });

  it("events2: a change of the standby's resource alone is a delta of the drbd section", () => {
    const before = feed(state('events'), XEN1_DOWN);
    const after = feed(before, 'change connection name:r1 peer-node-id:0 conn-name:xen1 connection:Connected role:Primary');
    const delta = changedSections(hostStateOf(before), hostStateOf(after));
    expect(Object.keys(delta)).toEqual(['drbd']);
    expect(delta.drbd?.resources.find((r) => r.name === 'r1')?.peers[0]).toMatchObject({ role: 'Primary', connection: 'Connected' });
  });

  it('polling: the poll asks for the standby resource too, and the report shows what it read', () => {
    const fx = reduce(state('polling'), { t: 'timer', name: 'poll:drbd' }, T0).effects;
    expect(polls(fx)).toEqual([['r2', 'r1']]);
    const polled = new Map([
      ['r2', view('r2', 'Secondary', 'Unknown', 'Connecting')],
      ['r1', view('r1', 'Secondary', 'Unknown', 'Connecting')],
    ]);
    const s = reduce(state('polling'), { t: 'drbd-polled', views: polled, problems: [] }, T0).state;
    expect(reported(s).map((r) => r.name)).toEqual(['r2', 'r1']);
  });

  it('a standby resource is not what guarded autostart decides on: same input, same decisions as without it', () => {
    const guardedOnly = DOMUS.filter((d) => d.source === 'guarded');
    // the home xen1 Primary on r1 (web1 runs there) and the peer gone from r2: neither may move db1's decision
    const peerPrimary = 'change connection name:r1 peer-node-id:0 conn-name:xen1 connection:Connected role:Primary';
    for (const [withStandby, without] of [
      [feed(state('events'), XEN1_DOWN), feed(state('events', guardedOnly), XEN1_DOWN)],
      [feed(state('events'), `${XEN1_DOWN}\n${peerPrimary}`), feed(state('events', guardedOnly), `${XEN1_DOWN}\n${peerPrimary}`)],
    ] as const) {
      const snap = snapshotOf(withStandby, T0);
      expect([...snap.drbd.resources.keys()]).toEqual(['r2']);
      expect(snap).toEqual(snapshotOf(without, T0));
      expect(decideAll(snap)).toEqual(decideAll(snapshotOf(without, T0)));
      expect([...decideAll(snap).keys()]).toEqual(['db1']);
    }
    // polled: r1 read, yet not in the decisions' view
    const polled = new Map([
      ['r2', view('r2', 'Secondary', 'Unknown', 'Connecting')],
      ['r1', view('r1', 'Secondary', 'Primary', 'Connected')],
    ]);
    const s = reduce(state('polling'), { t: 'drbd-polled', views: polled, problems: [] }, T0).state;
    expect([...snapshotOf(s, T0).drbd.resources.keys()]).toEqual(['r2']);
  });
});

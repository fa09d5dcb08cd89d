import { describe, expect, it } from 'vitest';
import { decideAutostart } from '../../agent/decide/autostart.js';
import { buildResourceView } from '../../agent/state/resource-view.js';
import { drbdNotReady } from '../../shared/drbd-readiness.js';
import type { DrbdResourceView } from '../../shared/inventory.js';
import { connectionAsPrinted, DRBD84_CONN_STATES, type Drbd84ConnState, type DrbdConnectionWord, type DrbdReplicationWord } from '../../shared/drbd-words.js';

/**
 * What DRBD 8.4 and drbd-utils make of one volume's state X (/proc/drbd `cs:X`, `drbdadm cstate`):
 * the 8.4 kernel reports the connection-wide state, which conn_request_state sets and which stays
 * at WFReportParams once the link is up (drbd_state.c conn_set_state), and each volume's
 * replication as max(WFReportParams, X) (drbd_nl.c peer_device_to_info); drbd-utils' v84
 * drbdsetup prints them through drbd_conn_str9 and drbd_repl_str9. DRBD84_CONN_STATES is in the
 * kernel's enum order.
 */
const rank = (w: Drbd84ConnState): number => DRBD84_CONN_STATES.indexOf(w);
const WF_REPORT_PARAMS = rank('WFReportParams');
const CONNECTION_WIDE: ReadonlySet<Drbd84ConnState> = new Set(['StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError', 'WFConnection', 'WFReportParams', 'TearDown']);
const connStr9 = (w: Drbd84ConnState): DrbdConnectionWord => (w === 'WFConnection' ? 'Connecting' : w === 'WFReportParams' ? 'Connected' : w);
const replStr9 = (w: Drbd84ConnState): DrbdReplicationWord => (w === 'WFReportParams' ? 'Off' : w === 'Connected' ? 'Established' : w);

/** The agent's view of the 8.4 peer when its only volume is in X, from events2 or (terse) from `drbdadm status`. */
function viewedPeer(x: Drbd84ConnState, terse: boolean) {
  const connection = connStr9(CONNECTION_WIDE.has(x) ? x : 'WFReportParams');
  const replicationState = rank(x) > WF_REPORT_PARAMS ? x : 'WFReportParams';
  // terse status prints replication only past WFReportParams
  const replication = terse && replicationState === 'WFReportParams' ? null : replStr9(replicationState);
  const view = buildResourceView({ name: 'r0', role: 'Secondary', disks: ['UpToDate'], peers: [{ name: 'peer', connection, role: 'Secondary', peerDisks: ['UpToDate'], replications: [replication], donePercents: [null] }] });
  const peer = view.peers[0];
  if (peer === undefined || peer.connection === null) throw new Error(`no peer connection for ${x}`);
  return peer;
}

describe('an 8.4 peer worded as /proc/drbd and drbdadm cstate print it', () => {
  it.each(DRBD84_CONN_STATES.map((x) => [x]))('cs:%s', (x) => {
    for (const terse of [false, true]) {
      const p = viewedPeer(x, terse);
      expect(connectionAsPrinted(p.name, p.connection ?? '', p.replication)).toBe(x);
    }
  });

  it('a DRBD 9 peer keeps the words DRBD 9 prints', () => {
    expect(connectionAsPrinted('host2', 'Connecting', null)).toBe('Connecting');
    expect(connectionAsPrinted('host2', 'Connected', null)).toBe('Connected');
    expect(connectionAsPrinted('host2', 'Connected', 'Off')).toBe('Connected');
    expect(connectionAsPrinted('host2', 'Connected', 'SyncTarget')).toBe('Connected');
  });
});

// an 8.4 pair in the handshake, as events2 shows it: the connection Connected, the volume Off
describe('where xenherd words an 8.4 peer in the handshake, it says WFReportParams', () => {
  const handshake: DrbdResourceView = {
    name: 'r0', up: true, role: 'Secondary', peerRole: 'Secondary', connection: 'Connected', disk: 'UpToDate', peerDisk: 'UpToDate',
    peers: [{ name: 'peer', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Off', syncedPercent: null }],
  };
  it('autostart defers, naming the state', () => {
    const d = decideAutostart({
      name: 'web1', drbdResources: ['r0'], domains: [], maintenance: false, awayTo: null, unsettled: null, fleetRunningOn: null, localHost: 'xen1',
      drbd: { availability: 'ok', resources: new Map([['r0', handshake]]) },
    });
    expect(d).toMatchObject({ kind: 'defer', reason: 'syncing', detail: 'DRBD resource r0: WFReportParams with peer' });
  });
  it('a migration is refused, naming the state', () => {
    expect(drbdNotReady('xen1', 'xen2', handshake, 'source')).toMatchObject({ state: 'WFReportParams', clearsUp: true, text: expect.stringMatching(/^r0 on xen1 is WFReportParams \(disk UpToDate, peer UpToDate\)/) });
  });
});


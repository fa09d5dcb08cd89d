import { describe, expect, it } from 'vitest';
import { decideAutostart, type AutostartInput } from '../../../agent/decide/autostart.js';
import type { DrbdResourceView } from '../../../shared/inventory.js';

// Each DRBD defer an operator can end says what is wrong and what to type about it, in words true
// for DRBD 8.4 and 9 alike: the line is read at 3 a.m. in `autostart status` and the journal.

const resource = (over: Partial<DrbdResourceView>): DrbdResourceView => ({
  name: 'r1',
  up: true,
  role: 'Secondary',
  peerRole: 'Secondary',
  connection: 'Connected',
  disk: 'UpToDate',
  peerDisk: 'UpToDate',
  peers: [{ name: 'xen2', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established', syncedPercent: null }],
  ...over,
});

const input = (drbd: AutostartInput['drbd'], drbdResources = ['r1']): AutostartInput => ({
  name: 'web1',
  drbdResources,
  domains: [],
  maintenance: false,
  awayTo: null,
  unsettled: null,
  fleetRunningOn: null,
  localHost: 'xen1',
  drbd,
});
const withResource = (r: DrbdResourceView): AutostartInput => input({ availability: 'ok', resources: new Map([['r1', r]]) });

describe('a DRBD defer says what the operator does about it', () => {
  it('resource-not-up: drbdadm up, and where boot does it: drbd.service before drbd-utils 9.31 (which disables it), drbd@RES.target since', () => {
    const d = decideAutostart(withResource(resource({ up: false, role: null, disk: null, peers: [] })));
    expect(d).toEqual({
      kind: 'defer',
      reason: 'resource-not-up',
      detail:
        'DRBD resource r1 is not up here: bring it up (`drbdadm up r1`; at boot drbd.service does with drbd-utils before 9.31, drbd@r1.target from 9.31 on once enabled, `systemctl enable drbd@r1.target`: `systemctl status drbd drbd@r1.target` says whether either ran), then it is decided again',
    });
  });

  it('drbd-tools-missing: install drbd-utils, then reload', () => {
    const d = decideAutostart(input({ availability: 'tools-missing', resources: new Map() }));
    expect(d).toMatchObject({ reason: 'drbd-tools-missing', detail: 'the DRBD tools (drbdadm, drbdsetup) are not installed: install drbd-utils (`apt-get install drbd-utils`), then `xenherd-agent autostart reload`' });
  });

  it("drbd-module-not-loaded: modprobe, then up the domU's own resources (the agent never loads the module)", () => {
    const d = decideAutostart(input({ availability: 'module-not-loaded', resources: new Map() }, ['r1', 'r2']));
    expect(d).toMatchObject({
      reason: 'drbd-module-not-loaded',
      detail: "the DRBD kernel module is not loaded (no /proc/drbd), and the agent never loads it: `modprobe drbd`, bring up the domU's resources (`drbdadm up r1 r2`), then `xenherd-agent autostart reload`",
    });
  });

  it('local-primary: who may hold it, how to find it, and how to give it back', () => {
    const d = decideAutostart(withResource(resource({ role: 'Primary' })));
    expect(d).toMatchObject({ kind: 'defer', reason: 'local-primary' });
    const detail = d.detail;
    expect(detail).toMatch(/^DRBD resource r1 is already Primary here without the domU running: something else holds it \(/);
    expect(detail).toContain('`xl block-list` of each domain');
    expect(detail).toMatch(/then `drbdadm secondary r1`$/);
  });

  it('no-peer: that the peer cannot be seen, and drbdadm adjust after checking the .res file', () => {
    const d = decideAutostart(withResource(resource({ peers: [], peerRole: null, connection: null, peerDisk: null })));
    expect(d).toEqual({
      kind: 'defer',
      reason: 'no-peer',
      detail:
        'DRBD resource r1 shows no peer connection: whether the peer holds it Primary cannot be seen from here; check that its .res file in /etc/drbd.d names the peer, then `drbdadm adjust r1` connects it as configured (a split brain the kernel log shows is resolved first)',
    });
  });
});

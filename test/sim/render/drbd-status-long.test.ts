import { describe, expect, it } from 'vitest';
import { readFixture } from '../../fixture.js';
import { drbdViewFor } from '../model/drbd-view.js';
import type { Sim } from '../sim.js';
import { simPerTest } from '../sim-per-test.js';
import { statusLong84, type DrbdCounters } from './drbd-status-long.js';

/**
 * `drbdsetup status --verbose [--statistics]`. On DRBD 8.4 the lab captured it (drbd-utils 9.22.0
 * hands status to its v84 drbdsetup): the sim's state through the printer, with the captured
 * counters (I/O is measurement, not state; the sim does none), must give the capture byte for
 * byte. For DRBD 9 no capture exists: the expected text is worked out from 9.22.0's
 * user/v9/drbdsetup.c status printers and user/shared/wrap_printf.c (80 columns off a terminal).
 */
const LAB = `
host dom0a mem=1023 dom0mem=512 overhead=15 cpus=1 toolstack=xl xen=4.17.7 drbd=8.4.11
host dom0b mem=1023 dom0mem=512 overhead=15 cpus=1 toolstack=xl xen=4.17.7 drbd=8.4.11
domu tiny mem=128 vcpus=1 home=dom0a peer=dom0b drbd=r0 type=pvh running=no
`;
const NINE = `option connect-delay=1000
host n1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=9
host n2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=9
domu vm1 mem=512 vcpus=1 home=n1 peer=n2 drbd=r0 running=n1
`;

const start = simPerTest();

const FILE = 'drbdsetup-status-r0-verbose-statistics';
function captured(state: string, host: string): { text: string; counters: DrbdCounters } {
  const text = readFixture(`real-xen-4.17/${state}/${host}.${FILE}.stdout`).body;
  const n = (k: string): number => Number(new RegExp(` ${k}:(\\d+)`).exec(text)?.[1] ?? 0);
  return {
    text,
    counters: { sizeKiB: n('size'), readKiB: n('read'), writtenKiB: n('written'), alWrites: n('al-writes'), bmWrites: n('bm-writes'), receivedKiB: n('received'), sentKiB: n('sent'), outOfSyncKiB: n('out-of-sync') },
  };
}

const r0DownOn = (s: Sim, host: string): void =>
  s.force(`r0 down on ${host}`, (st) => {
    const r = st.drbd.r0!;
    return { ...st, drbd: { ...st.drbd, r0: { ...r, replicas: Object.fromEntries(Object.entries(r.replicas).filter(([h]) => h !== host)), link: 'connecting' } } };
  });

describe('drbdsetup status --verbose --statistics on DRBD 8.4 (the v84 printer), against the lab', () => {
  type SetUp = (s: Sim) => Promise<void>;
  const none: SetUp = async () => {};
  const aPrimary: SetUp = async (s) => void (await s.run('dom0a', 'drbdadm', ['primary', 'r0']));
  const peerDown: SetUp = async (s) => r0DownOn(s, 'dom0b');
  const splitBrain: SetUp = async (s) => void s.drbd('r0', 'split-brain');
  const cases: readonly (readonly [string, string, SetUp])[] = [
    ['06-connected-secondary', 'dom0a', none],
    ['06-connected-secondary', 'dom0b', none],
    ['07-a-primary', 'dom0a', aPrimary],
    ['07-a-primary', 'dom0b', aPrimary],
    ['16-peer-down', 'dom0a', peerDown],
    ['17-peer-down-a-primary', 'dom0a', async (s) => (await aPrimary(s), await peerDown(s))],
    ['20-split-brain-standalone', 'dom0a', splitBrain],
    ['20-split-brain-standalone', 'dom0b', splitBrain],
  ];
  it.each(cases)('%s on %s', async (state, host, setUp) => {
    const s = await start({ fleet: LAB });
    await setUp(s);
    const want = captured(state, host);
    const view = drbdViewFor(s.state(), host)!.resources[0]!;
    expect(statusLong84(view, { verbose: true, statistics: true }, want.counters)).toBe(want.text);
    // the tool prints the same with the sim's own counters, the options before or after the name
    const got = await s.run(host, 'drbdsetup', ['status', 'r0', '--verbose', '--statistics']);
    expect(got.stdout).toBe(statusLong84(view, { verbose: true, statistics: true }));
    expect((await s.run(host, 'drbdsetup', ['status', '-v', '-s', 'r0'])).stdout).toBe(got.stdout);
    expect((await s.run(host, 'drbdsetup', ['status', '-vs', 'r0'])).stdout).toBe(got.stdout);
  });
});

describe('drbdsetup status --verbose / --statistics on DRBD 9 (9.22.0 user/v9/drbdsetup.c)', () => {
  it('connected, Secondary next to a Primary', async () => {
    const s = await start({ fleet: NINE });
    const run = async (...flags: string[]): Promise<string> => (await s.run('n2', 'drbdsetup', ['status', 'r0', ...flags])).stdout;
    expect(await run('--verbose')).toBe(
      'r0 node-id:1 role:Secondary suspended:no force-io-failures:no\n' +
        '  volume:0 minor:0 disk:UpToDate backing_dev:/dev/vg0/r0 quorum:yes blocked:no\n' +
        '  n1 node-id:0 connection:Connected role:Primary congested:no ap-in-flight:0\n' +
        '      rs-in-flight:0\n' +
        '    volume:0 replication:Established peer-disk:UpToDate resync-suspended:no\n' +
        '\n',
    );
    expect(await run('--verbose', '--statistics')).toBe(
      'r0 node-id:1 role:Secondary suspended:no force-io-failures:no\n' +
        '    write-ordering:flush\n' +
        '  volume:0 minor:0 disk:UpToDate backing_dev:/dev/vg0/r0 quorum:yes\n' +
        '      size:10485436 read:0 written:0 al-writes:0 bm-writes:0 upper-pending:0\n' +
        '      lower-pending:0 al-suspended:no blocked:no\n' +
        '  n1 node-id:0 connection:Connected role:Primary congested:no ap-in-flight:0\n' +
        '      rs-in-flight:0\n' +
        '    volume:0 replication:Established peer-disk:UpToDate resync-suspended:no\n' +
        '        received:0 sent:0 out-of-sync:0 pending:0 unacked:0\n' +
        '\n',
    );
    expect(await run('--statistics')).toBe('r0 role:Secondary\n  disk:UpToDate\n      read:0 written:0\n  n1 role:Primary\n    peer-disk:UpToDate\n        received:0 sent:0\n\n');
    expect(await run()).toBe('r0 role:Secondary\n  disk:UpToDate\n  n1 role:Primary\n    peer-disk:UpToDate\n\n');
  });

  it('the peer gone: the connection and, verbose, its peer device with replication Off', async () => {
    const s = await start({ fleet: NINE });
    s.power('n1', 'off');
    expect((await s.run('n2', 'drbdsetup', ['status', 'r0', '--verbose'])).stdout).toBe(
      'r0 node-id:1 role:Secondary suspended:no force-io-failures:no\n' +
        '  volume:0 minor:0 disk:UpToDate backing_dev:/dev/vg0/r0 quorum:yes blocked:no\n' +
        '  n1 node-id:0 connection:Connecting role:Unknown congested:no ap-in-flight:0\n' +
        '      rs-in-flight:0\n' +
        '    volume:0 replication:Off peer-disk:DUnknown resync-suspended:no\n' +
        '\n',
    );
    expect((await s.run('n2', 'drbdsetup', ['status', 'r0'])).stdout).toBe('r0 role:Secondary\n  disk:UpToDate\n  n1 connection:Connecting\n\n');
  });
});

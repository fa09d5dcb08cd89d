import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { alive, gone } from '../agent/adapters/fake-tools.js';
import { until } from '../helpers/until.js';
import { liveProcessesMentioning } from '../agent/run/agent-process.js';
import { startSshdPair, type SshdPair } from './sshd-pair.js';
import { tcpProxy } from './tcp-proxy.js';
import { pairFleet } from '../harness/pair-fleet.js';

// `xenherd-agent reverse web1` on xen1 whose ssh connection to xen2's real OpenSSH sshd is cut
// (a TCP proxy between them destroys both ends) while xen2's migrate2 is moving web1: the reverse
// has no exit status, asks xen2 where web1 is over a new connection, and says what it found;
// sshd does not stop a command whose client went away (no pty, no signal), so xen2's migrate2
// goes on to the end of its migration, unheard, and records it on xen2.
const FLEET = pairFleet({ bandwidth: 65536 });
let pair: SshdPair;

describe('a reverse whose connection to a real sshd is cut mid-migrate2', () => {
  beforeAll(async () => {
    pair = await startSshdPair(FLEET);
  }, 120_000);

  afterAll(async () => pair?.stop());

  it('says no exit status, asks xen2 where web1 is (still there: 83, unsettled); xen2 moves it on, unheard', async () => {
    const { sim } = pair;
    expect((await pair.cli('xen1', ['migrate', 'web1'])).code).toBe(0);
    const proxy = await tcpProxy(pair.sshd['xen2']?.port ?? 0);
    pair.writePeerEndpoint('xen1', proxy.port);
    // xen2's xl migrate waits at this gate: the cut comes while it runs, whatever the machine's speed
    const openGate = sim.holdTool('xen2', 'xl', { argvPrefix: ['migrate'], times: 1 });
    const forced = `${pair.agentPath} migrate2 --peer xen1`;
    onTestFinished(async () => {
      openGate();
      sim.clearToolFaults();
      // sshd's session leader: its group holds the xl it started too
      for (const p of liveProcessesMentioning(forced)) process.kill(-Number(p.split(':')[0]), 'SIGKILL');
      await proxy.close();
      pair.writePeerEndpoint('xen1', pair.sshd['xen2']?.port ?? 0);
    });

    const before = sim.commandLog.length;
    const reverse = pair.cli('xen1', ['reverse', 'web1']);
    await until(() => sim.commandLog.slice(before).some((c) => c.host === 'xen2' && c.argv[0] === 'migrate'), "xen2's xl migrate of web1", { limitMs: 30_000 });
    const pids = liveProcessesMentioning(forced).map((p) => Number(p.split(':')[0]));
    expect(pids).toHaveLength(1);
    proxy.cut();

    const r = await reverse;
    expect(r.stderr).toMatch(
      /^xenherd-agent: XH_ERR_MIGRATION_UNKNOWN: xen2's migrate2 ended without an exit status \(the connection to xen2 dropped while `migrate2 web1` ran there \(.+\): it may have ended there or still run\): web1 still runs on xen2, not on xen1; its migrate2 may still be running there, so the ledger is unchanged: run `xenherd-agent status web1` on xen2 until it shows web1 running there with no migration, then the reverse again; xen1's ledger keeps it as unsettled until `xenherd-agent reconcile web1` on xen1\n$/,
    );
    expect(r.code).toBe(83);
    expect(pair.ledger('xen1').away['web1']).toMatchObject({ currentHost: 'xen2' });
    expect(pair.ledger('xen1').unsettled['web1']).toMatchObject({ peer: 'xen2', operation: 'reverse' });
    // sshd let the forced command run on: the reverse's where-check found it mid-migration
    expect(pids.filter(alive)).toEqual(pids);

    openGate();
    expect(await gone(pids, 30_000)).toEqual([]);
    expect(sim.state().domains.filter((d) => d.name.startsWith('web1')).map((d) => `${d.host}:${d.name}`)).toEqual(['xen1:web1']);
    expect(pair.ledger('xen2').visitors).toEqual({});
    // xen1 learns it by hand, as its ALARM says: reconcile records what xl list shows and settles it
    expect((await pair.cli('xen1', ['reconcile', 'web1'])).code).toBe(0);
    expect(pair.ledger('xen1').unsettled).toEqual({});
    expect(pair.ledger('xen1').away).toEqual({});
    expect((await pair.cli('xen1', ['status', 'ALL'])).code).toBe(0);
  }, 90_000);
});

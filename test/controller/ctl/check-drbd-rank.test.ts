import { describe, expect, it } from 'vitest';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { CheckAnswerSchema } from '../../../shared/protocol/ctl-check.js';
import { controllerBed } from '../api/controller-bed.js';
import { hostState, primary } from '../states.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// xenherdctl check against a controller on 127.0.0.1, port 0, with two Dom0s powered off (their
// links closed) whose 50 partners' resources wait for them, and one cable cut between two Dom0s
// that are up: the cut must be among the first lines, not folded away behind the waiting ones.
const bed = controllerBed();

const cut = (name: string, peer: string, role: 'Primary' | 'Secondary' = 'Primary'): LinkDrbdResource => ({ ...primary(name, peer, role), peers: [{ name: peer, role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null }] });
const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `r${from + i}`);

describe('xenherdctl check with many resources waiting for dead Dom0s and one real cut', () => {
  it('says the real cut first (in status too) and the waiting ones once per dead Dom0; --json keeps every one, in the same order', async () => {
    const c = await bed.start();
    const dead = [];
    for (const [host, peer, names] of [['xen7', 'xen3', range(1, 30)], ['xen8', 'xen4', range(31, 50)]] as const) {
      const a = await c.agent(host);
      a.hello();
      a.snapshot(hostState({ drbd: { availability: 'ok', resources: names.map((n) => primary(n, peer, 'Secondary', 'Primary')) } }));
      dead.push(a);
    }
    const live = [
      ['xen1', [cut('r99', 'xen2')]],
      ['xen2', [cut('r99', 'xen1', 'Secondary')]],
      ['xen3', range(1, 30).map((n) => cut(n, 'xen7'))],
      ['xen4', range(31, 50).map((n) => cut(n, 'xen8'))],
    ] as const;
    for (const [host, resources] of live) {
      const a = await c.agent(host);
      a.hello();
      a.snapshot(hostState({ drbd: { availability: 'ok', resources: [...resources] } }));
    }
    await until(() => c.core.hosts().hosts.filter((h) => h.reachable).length === 6, 'all six reachable', { limitMs: 10_000 });
    for (const a of dead) a.link.close(1000, 'powered off');
    await until(() => c.core.hosts().hosts.filter((h) => !h.reachable).length === 2, 'xen7 and xen8 unreachable', { limitMs: 10_000 });

    const ctl = ctlFor(c);
    const r = await ctl(['check']);
    expect(r.code).toBe(2);
    const lines = r.stdout.trimEnd().split('\n');
    // the status line names the real cut among the resources it names
    expect(lines[0]).toContain('51 DRBD resources degraded (r99 between xen1 and xen2, r1 on xen3, r2 on xen3, ...)');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^CRITICAL: xen7: agent unreachable \(last heard \d+ s ago\): check that xen7 is powered and on the network/),
      expect.stringMatching(/^CRITICAL: xen8: agent unreachable \(last heard \d+ s ago\): check that xen8 is powered and on the network/),
      expect.stringMatching(/^WARNING: DRBD r99 between xen1 and xen2: .*both Dom0s are up and report it/),
      `WARNING: 30 DRBD resources degraded, waiting for xen7, unreachable: ${range(1, 20).map((n) => `${n} on xen3`).join(', ')}, ... (10 more); they clear once xen7 is back (xenherdctl check --json lists them)`,
      `WARNING: 20 DRBD resources degraded, waiting for xen8, unreachable: ${range(31, 50).map((n) => `${n} on xen4`).join(', ')}; they clear once xen8 is back (xenherdctl check --json lists them)`,
    ]);

    // status's verdict line is the same status line: the real cut among the first names
    expect((await ctl(['status'])).stdout).toContain('51 DRBD resources degraded (r99 between xen1 and xen2, r1 on xen3, r2 on xen3, ...)');

    const json = CheckAnswerSchema.parse(JSON.parse((await ctl(['check', '--json'])).stdout));
    const drbd = json.details.filter((d) => d.kind === 'drbd-degraded');
    expect(drbd.map((d) => d.subject)).toEqual(['r99 between xen1 and xen2', ...range(1, 30).map((n) => `${n} on xen3`), ...range(31, 50).map((n) => `${n} on xen4`)]);
    expect(drbd.map((d) => d.waitsFor ?? null)).toEqual([null, ...range(1, 30).map(() => 'xen7'), ...range(31, 50).map(() => 'xen8')]);
  });
});

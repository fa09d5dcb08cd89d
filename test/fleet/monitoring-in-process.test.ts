import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderCheck } from '../../controller/ctl/nagios-output.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer, type CheckStatus } from '../../shared/protocol/ctl-check.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { jobEnd } from './controller-job.js';
import { DB1_ON_XEN2, pairFleet } from '../harness/pair-fleet.js';
import { agentsReporting } from './pair-with-controller.js';

// `xenherdctl check`'s verdict on the fleet simulator with real agent cores and a controller core,
// all in this process on one deterministic clock: each condition built on the simulator, and the
// status and plugin exit code it gives.
const FLEET = pairFleet({ connectDelay: 300, drbd: '9', more: DB1_ON_XEN2 });
const MIN = 60_000;

let fleet: Fleet;
afterEach(async () => fleet?.stop());

async function online(text = FLEET, before: (f: Fleet) => void = () => undefined): Promise<Fleet> {
  fleet = await startFleet(text, { controller: true });
  before(fleet);
  return agentsReporting(fleet);
}

const check = (f: Fleet): CheckAnswer => CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS));
const statusOf = (f: Fleet): CheckStatus => check(f).status;
const exitOf = (f: Fleet): number => renderCheck(check(f)).exitCode;
/** The autostart decision of NAME on the first host guarding it, as the controller shows it. */
function decisionOf(f: Fleet, name: string): string | undefined {
  const w = f.controller!.core.where(name);
  return w.ok ? w.value.matches[0]?.autostart[0]?.decision : undefined;
}
const lines = (f: Fleet): string[] => check(f).details.map((d) => `${d.status}: ${d.text}`);

function command(f: Fleet, req: { op: 'migrate'; name: string; target: string } | { op: 'reverse'; name: string }): () => CommandOutcome | null {
  let outcome: CommandOutcome | null = null;
  const r = f.controller!.core.command(req, { name: 'test' }, { progress: () => undefined, done: (o) => void (outcome = o) });
  if (!r.ok) throw new Error(r.error.message);
  return () => outcome;
}

describe('the check verdict on the simulated fleet (real agent cores, in process)', () => {
  it('a healthy fleet: OK, exit 0', async () => {
    const f = await online();
    await f.advance(10_000);
    expect(check(f)).toMatchObject({ status: 'OK', summary: '2 hosts reachable, 2 domUs running', details: [] });
    expect(exitOf(f)).toBe(0);
  });

  it('a Dom0 powered off: its agent unreachable is CRITICAL (exit 2), its partner sees DRBD degraded', async () => {
    const f = await online();
    f.powerOff('xen2');
    f.controller!.cut('xen2');
    await f.until(() => statusOf(f) === 'CRITICAL', 'CRITICAL', 30_000);
    expect(exitOf(f)).toBe(2);
    expect(check(f).summary).toMatch(/^xen2 unreachable/);
    expect(lines(f)[0]).toMatch(/^CRITICAL: xen2: agent unreachable \(last heard \d+ s ago\): check that xen2 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent$/);
    await f.until(() => lines(f).some((l) => /^WARNING: DRBD r1 \(web1\) on xen1: peer xen2 not connected \(\w+\): replication is down, waiting for its peer Dom0 xen2 \(unreachable, last heard \d+ s ago\): see to xen2 first /.test(l)), 'r1 degraded on xen1', 30_000);
  });

  it('a Dom0 in maintenance powered off (a planned reboot): WARNING only (exit 1)', async () => {
    const f = await online();
    const moved = command(f, { op: 'migrate', name: 'web1', target: 'xen2' });
    await f.until(() => moved() !== null, 'web1 migrated', 120_000);
    expect(await jobEnd(f, { kind: 'maintenance', host: 'xen1', on: true })).toMatchObject({ ok: true });
    f.powerOff('xen1');
    f.controller!.cut('xen1');
    await f.until(() => check(f).summary.startsWith('xen1 unreachable (in maintenance)'), 'xen1 unreachable in maintenance', 30_000);
    expect(statusOf(f)).toBe('WARNING');
    expect(exitOf(f)).toBe(1);
  });

  it('DRBD disconnected: WARNING (exit 1), naming the resource and its peer', async () => {
    const f = await online();
    f.sim.drbd('r1', 'disconnect');
    await f.until(() => statusOf(f) === 'WARNING', 'WARNING', 30_000);
    expect(exitOf(f)).toBe(1);
    // both ends report the one link: one line naming web1, once both reports are in
    await f.until(() => lines(f).some((l) => l.includes(' between ')), 'both ends reported', 30_000);
    expect(lines(f)).toHaveLength(1);
    expect(lines(f)[0]).toMatch(/^WARNING: DRBD r1 \(web1\) between xen1 and xen2: /);
    // reconnected: OK again
    f.sim.drbd('r1', 'connect');
    await f.until(() => statusOf(f) === 'OK', 'OK again', 30_000);
  });

  it('a domU running on two hosts: CRITICAL (exit 2)', async () => {
    const f = await online();
    f.sim.force('a second web1', (s) => ({ ...s, domains: [...s.domains, { ...s.domains.find((d) => d.name === 'web1')!, host: 'xen2', domid: 99 }] }));
    await f.until(() => statusOf(f) === 'CRITICAL', 'CRITICAL', 30_000);
    expect(exitOf(f)).toBe(2);
    expect(check(f).summary).toContain('web1 runs on xen1 and xen2');
  });

  it('DRBD Primary on both nodes outside a migration: CRITICAL (exit 2)', async () => {
    // both Dom0s of the pair guard web1 (either may start it after a reboot): both report r1
    const guardedDir = (x: Fleet, host: string): string => join(x.sim.hostRoot(host), 'etc/xen/drbd-auto');
    const f = await online(FLEET, (x) => copyFileSync(join(guardedDir(x, 'xen1'), 'web1.cfg'), join(guardedDir(x, 'xen2'), 'web1.cfg')));
    expect(statusOf(f)).toBe('OK');
    f.sim.force('r1 promoted on xen2 too', (s) => ({ ...s, drbd: { ...s.drbd, r1: { ...s.drbd['r1']!, replicas: { ...s.drbd['r1']!.replicas, xen2: { role: 'Primary', disk: 'UpToDate' } } } } }));
    await f.until(() => statusOf(f) === 'CRITICAL', 'CRITICAL', 30_000);
    expect(check(f).summary).toContain('DRBD r1 Primary on xen1 and xen2');
    expect(exitOf(f)).toBe(2);
  });

  it('DRBD 8.4 (its peer is "peer"), a domU guarded on one Dom0 with a standby config on the other: Primary on both is CRITICAL', async () => {
    const f = await online(pairFleet({ connectDelay: 300, drbd: '8.4.11', more: DB1_ON_XEN2 }));
    expect(statusOf(f)).toBe('OK');
    f.sim.force('r1 promoted on xen2 too', (s) => ({ ...s, drbd: { ...s.drbd, r1: { ...s.drbd['r1']!, replicas: { ...s.drbd['r1']!.replicas, xen2: { role: 'Primary', disk: 'UpToDate' } } } } }));
    await f.until(() => statusOf(f) === 'CRITICAL', 'CRITICAL', 30_000);
    expect(check(f).summary).toContain('DRBD r1 Primary on xen1 and xen2');
  });

  it('a guarded domU deferred (its DRBD peer gone) and running nowhere: WARNING after 5 min, CRITICAL after 15 min', async () => {
    const withApp = `${FLEET}domu app1 mem=1024 vcpus=1 home=xen1 peer=xen2 drbd=r3 running=no\n`;
    const f = await online(withApp, (x) => x.sim.drbd('r3', 'disconnect'));
    const deferral = (): string | undefined => lines(f).find((l) => l.includes('app1: not running anywhere, its start deferred on xen1'));
    await f.until(() => decisionOf(f, 'app1') === 'defer', 'app1 deferred');
    // DRBD r3 is degraded from the start (WARNING); the deferral joins it after 5 min
    expect(deferral()).toBeUndefined();
    await f.advance(5 * MIN);
    expect(deferral()).toMatch(/^WARNING: app1: not running anywhere, its start deferred on xen1 for 5 min \(peer-not-connected: /);
    expect(statusOf(f)).toBe('WARNING');
    await f.advance(10 * MIN);
    expect(deferral()).toMatch(/^CRITICAL: /);
    expect(exitOf(f)).toBe(2);
    expect(check(f).perfdata.find((p) => p.label === 'deferred_max_s')?.value).toBeGreaterThanOrEqual(900);
  });

  it('a domU not home after its home left maintenance: OK while in maintenance, WARNING once online, CRITICAL 30 min later', async () => {
    const f = await online();
    const moved = command(f, { op: 'migrate', name: 'web1', target: 'xen2' });
    await f.until(() => moved() !== null, 'web1 migrated', 120_000);
    expect(moved()).toMatchObject({ ok: true });
    await f.until(() => check(f).summary.includes('web1 away from xen1'), 'web1 away from its online home');
    expect(statusOf(f)).toBe('WARNING');

    expect(await jobEnd(f, { kind: 'maintenance', host: 'xen1', on: true })).toMatchObject({ ok: true });
    await f.until(() => statusOf(f) === 'OK', 'OK: its home is in maintenance');
    expect(check(f).summary).toBe('2 hosts reachable, 2 domUs running, 1 away from a home not online');
    await f.advance(40 * MIN);
    expect(statusOf(f)).toBe('OK');

    const offAt = f.sim.clock.now();
    expect(await jobEnd(f, { kind: 'maintenance', host: 'xen1', on: false })).toMatchObject({ ok: true });
    await f.until(() => statusOf(f) === 'WARNING', 'WARNING: home online again');
    expect(f.controller!.core.hosts().hosts.find((h) => h.host === 'xen1')?.maintenanceSince).toBeGreaterThanOrEqual(offAt);
    expect(lines(f)).toEqual([expect.stringMatching(/^WARNING: web1 runs on xen2, not on its home xen1, which is online: for \d+ s since xen1 came online; CRITICAL after 30 min: xenherdctl restore xen1 brings it home$/)]);
    expect(exitOf(f)).toBe(1);
    await f.advance(29 * MIN);
    expect(statusOf(f)).toBe('WARNING');
    await f.advance(1 * MIN);
    expect(check(f)).toMatchObject({ status: 'CRITICAL', summary: 'web1 not home on xen1 after 30 min' });
    expect(exitOf(f)).toBe(2);

    const back = command(f, { op: 'reverse', name: 'web1' });
    await f.until(() => back() !== null, 'web1 reversed', 120_000);
    await f.until(() => statusOf(f) === 'OK', 'OK: web1 home');
    expect(f.sim.violations).toEqual([]);
    // 100 simulated minutes of two agents' polling: about 2.5 s of CPU here, several times that on a loaded machine
  }, 60_000);
});

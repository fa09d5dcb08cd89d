import { afterEach, describe, expect, it } from 'vitest';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import { join } from 'node:path';
import { ALERT_GRACE_MS } from '../../controller/fleet/alert-book.js';
import { ledgerStore } from '../../agent/adapters/ledger-store.js';
import { settled } from '../../agent/state/ledger.js';
import { creates, runsOn, startFleet, type Fleet } from '../harness/fleet.js';
import { DB1_ON_XEN2, pairFleet } from '../harness/pair-fleet.js';
import { agentsReporting } from './pair-with-controller.js';

// Agent cores reporting to a controller core, with the fleet simulator, all in this process on
// one deterministic clock: the live fleet view, staleness, alerts, routed commands, and guarded
// autostart made stricter by the controller's view.

const FLEET = pairFleet({ connectDelay: 300, more: DB1_ON_XEN2 + 'domu plain1 mem=512 vcpus=1 home=xen1 running=xen2\n' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

async function online(): Promise<Fleet> {
  fleet = await startFleet(FLEET, { controller: true });
  return agentsReporting(fleet);
}

const where = (f: Fleet, name: string) => {
  const w = f.controller!.core.where(name);
  if (!w.ok) throw new Error(w.error.message);
  return w.value.matches[0];
};

function command(f: Fleet, op: 'migrate', name: string, target: string): { lines: string[]; outcome: () => CommandOutcome | null } {
  const lines: string[] = [];
  let outcome: CommandOutcome | null = null;
  const r = f.controller!.core.command({ op, name, target }, { name: 'test' }, { progress: (l) => void lines.push(l), done: (o) => void (outcome = o) });
  if (!r.ok) throw new Error(r.error.message);
  return { lines, outcome: () => outcome };
}

describe('agents reporting to a controller (in process)', () => {
  it('answers where a domU runs, follows it through a migration the controller routed, and the guest learns its Dom0', async () => {
    const f = await online();
    expect(where(f, 'web1')).toMatchObject({ places: [expect.objectContaining({ host: 'xen1', reachable: true })], home: 'xen1' });
    const xs = (host: string): Record<string, string> => f.sim.state().xenstore[host] ?? {};
    const domid1 = f.sim.state().domains.find((d) => d.name === 'web1')?.domid;
    await f.until(() => xs('xen1')[`/local/domain/${domid1}/data/xenherd/dom0`] === 'xen1', 'web1 told its Dom0 is xen1');

    const c = command(f, 'migrate', 'web1', 'xen2');
    await f.until(() => c.outcome() !== null, 'the migration answered', 120_000);
    expect(c.outcome(), JSON.stringify(c.outcome())).toMatchObject({ ok: true });
    expect(c.lines.some((l) => /Migration successful/.test(l))).toBe(true);
    const movedAt = f.sim.clock.now();
    const seenAt = await f.until(() => where(f, 'web1')?.places.map((p) => p.host).join() === 'xen2', 'where follows web1 to xen2');
    expect(seenAt - movedAt).toBeLessThan(500);
    expect(where(f, 'web1')).toMatchObject({ home: 'xen1', away: expect.objectContaining({ currentHost: 'xen2' }), visitor: expect.objectContaining({ host: 'xen2', home: 'xen1' }) });
    const domid2 = f.sim.state().domains.find((d) => d.name === 'web1' && d.host === 'xen2')?.domid;
    await f.until(() => xs('xen2')[`/local/domain/${domid2}/data/xenherd/dom0`] === 'xen2', 'web1 told its new Dom0 is xen2');
    // both ledgers recorded this move: past the grace of an unrecorded one, no alert for web1 (plain1
    // was placed on xen2 by the fleet file, as by hand, and nothing records it: that one is right)
    await f.sim.advance(ALERT_GRACE_MS['away-unrecorded'] + 5_000);
    expect(f.controller!.core.status().alerts.map((a) => a.id)).toEqual(['away-unrecorded:plain1']);
    expect(f.sim.violations).toEqual([]);
  });

  it('follows a migration made by hand with xl migrate: the rename at its end is no domain event, yet where answers within half a second', async () => {
    const f = await online();
    let returned: { exitCode: number | null; stderr: string; at: number } | null = null;
    void f.sim.run('xen1', 'xl', ['migrate', 'web1', 'xen2']).then((r) => (returned = { exitCode: r.exitCode, stderr: r.stderr, at: f.sim.clock.now() }));
    await f.until(() => returned !== null, 'xl migrate returned', 120_000);
    const done = returned as unknown as { exitCode: number | null; stderr: string; at: number };
    expect(done.exitCode, done.stderr).toBe(0);
    const returnedAt = done.at;
    const seenAt = await f.until(() => {
      const places = where(f, 'web1')?.places ?? [];
      return places.length === 1 && places[0]?.host === 'xen2' && places[0].domain.migration === null && places[0].domain.name === 'web1';
    }, 'where shows web1 running on xen2 alone, no migration row');
    expect(seenAt - returnedAt).toBeLessThan(500);
    // and once no migration row stands, the agents stop reading xl list for it
    const lists = (): number => f.sim.commandLog.filter((c) => c.tool === 'xl' && c.argv[0] === 'list').length;
    await f.sim.advance(2_000);
    const before = lists();
    await f.sim.advance(3_000);
    expect(lists() - before).toBeLessThanOrEqual(2);
    // nothing recorded the move: the controller says so once it has stood past its grace, and where marks web1
    const alerted = (): boolean => f.controller!.core.status().alerts.some((a) => a.id === 'away-unrecorded:web1');
    expect(alerted()).toBe(false);
    const alertAt = await f.until(alerted, 'the away-unrecorded alert for web1', 120_000);
    expect(alertAt - seenAt).toBeGreaterThanOrEqual(ALERT_GRACE_MS['away-unrecorded']);
    expect(f.controller!.core.status().alerts.find((a) => a.id === 'away-unrecorded:web1')).toMatchObject({ hosts: ['xen1', 'xen2'], message: expect.stringContaining('xenherd-agent reconcile web1 --home xen1 on xen2') });
    await f.until(() => where(f, 'web1')?.alerts.includes('away-unrecorded:web1') === true, 'where marks web1 with the alert');
    expect(f.sim.violations).toEqual([]);
  });

  it('a migration that ends in an ALARM stays in front of a person until its ledger record is settled: alert, where, no further move', async () => {
    const f = await online();
    f.sim.migrationFault('web1', 'handshake');
    const c = command(f, 'migrate', 'web1', 'xen2');
    await f.until(() => c.outcome() !== null, 'the migration answered', 120_000);
    expect(c.outcome()).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', message: expect.stringContaining("xen1's ledger keeps it as unsettled until `xenherd-agent reconcile web1` on xen1") });
    const store = ledgerStore(join(f.sim.hostRoot('xen1'), 'var/lib/xenherd'), 'xen1');
    const kept = store.read();
    expect(kept.ok && kept.value.unsettled['web1']).toMatchObject({ peer: 'xen2', operation: 'migrate' });
    const id = 'migration-unsettled:web1@xen1';
    const alert = () => f.controller!.core.status().alerts.find((a) => a.id === id);
    await f.until(() => alert() !== undefined, 'the controller alerts about web1');
    expect(alert()).toMatchObject({ kind: 'migration-unsettled', hosts: ['xen1', 'xen2'], message: expect.stringContaining('xenherd-agent reconcile web1') });
    expect(where(f, 'web1')?.alerts).toContain(id);
    // the controller moves it no further: that would be the guess the ALARM left to a person
    const again = f.controller!.core.command({ op: 'migrate', name: 'web1', target: 'xen2' }, { name: 'test' }, { progress: () => undefined, done: () => undefined });
    expect(again).toMatchObject({ ok: false, error: { code: 'XH_ERR_MIGRATION_UNKNOWN' } });
    // what \`reconcile web1\` writes once the person has checked both hosts (its own rules: test/agent/cli/migrate-on-sim.test.ts)
    expect((await store.update((l) => settled(l, 'web1'))).ok).toBe(true);
    await f.until(() => alert() === undefined, 'the alert clears once the ledger no longer keeps it', 120_000);
    expect(where(f, 'web1')?.alerts).not.toContain(id);
  });

  it('an agent killed: its host turns unreachable with its last-seen time, and its answers are marked stale', async () => {
    const f = await online();
    const killedAt = f.sim.clock.now();
    f.crash('xen2');
    f.controller!.cut('xen2');
    await f.until(() => f.controller!.core.hosts().hosts.find((h) => h.host === 'xen2')?.reachable === false, 'xen2 unreachable', 10_000);
    const h = f.controller!.core.hosts().hosts.find((x) => x.host === 'xen2');
    expect(h?.lastSeen).toBeLessThanOrEqual(killedAt + 1_000);
    expect(where(f, 'db1')).toMatchObject({ reachable: false, places: [expect.objectContaining({ host: 'xen2', reachable: false })] });
    // the agent back: reachable and fresh again
    f.startAgent('xen2');
    await f.until(() => f.controller!.core.hosts().hosts.find((x) => x.host === 'xen2')?.reachable === true, 'xen2 back');
  });

  it('an agent killed mid-migration: its xl migrate runs on and moves the domU, but the dead agent records nothing', async () => {
    const f = await online();
    const c = command(f, 'migrate', 'web1', 'xen2');
    await f.until(() => f.sim.state().migrations.some((m) => m.domain === 'web1'), 'the copy began');
    f.crash('xen1');
    await f.until(() => f.sim.state().migrations.length === 0 && runsOn(f.sim, 'web1').join() === 'xen2', 'web1 arrived on xen2', 120_000);
    await f.advance(30_000);
    const kept = ledgerStore(join(f.sim.hostRoot('xen1'), 'var/lib/xenherd'), 'xen1').read();
    expect(kept.ok && kept.value.away['web1']).toBeUndefined();
    expect(c.outcome()?.ok).not.toBe(true);
  });

  it('raises an alert when a domU runs on two hosts', async () => {
    const f = await online();
    f.sim.force('a second web1', (s) => ({ ...s, domains: [...s.domains, { ...s.domains.find((d) => d.name === 'web1')!, host: 'xen2', domid: 99 }] }));
    await f.until(() => f.controller!.core.status().alerts.some((a) => a.kind === 'running-on-two-hosts'), 'alert raised');
    expect(f.controller!.logs.some((l) => l['event'] === 'alert-raised')).toBe(true);
  });

  it('guarded autostart never starts a domU the controller sees running on another host', async () => {
    const f = await online();
    // plain1 (no DRBD disks) is guarded on xen1 but runs on xen2: the DRBD rules alone would start it
    f.crash('xen1');
    f.sim.power('xen1', 'off');
    f.sim.power('xen1', 'on');
    f.startAgent('xen1');
    const skip = await f.log('xen1', (l) => l.domu === 'plain1' && l.decision === 'skip', 'plain1 skipped');
    expect(skip).toMatchObject({ reason: 'running-elsewhere', detail: expect.stringContaining('xen2') });
    await f.advance(30_000);
    expect(creates(f.sim, 'xen1', 'plain1')).toBe(0);
    expect(runsOn(f.sim, 'plain1')).toEqual(['xen2']);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { hostStateOf } from '../../agent/core/host-state.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import { runsOn, type Fleet } from '../harness/fleet.js';
import { checkTexts as checkTextsOf, twoDom0sOnline } from './two-dom0s.js';

// A migration's source falls silent mid-copy, when both ends of the domU's DRBD resource are
// Primary (allow-two-primaries). Its last report says so; the target, live, reports the resource
// Secondary once the move has failed. The silent host's last report alone is no split brain: the
// live partner's word of its own role outranks it (and "xen1 is silent" is its own alert).
let f: Fleet;
afterEach(async () => f?.stop());

async function online(): Promise<Fleet> {
  f = await twoDom0sOnline();
  return f;
}

function migrateWeb1(): void {
  const r = f.controller!.core.command({ op: 'migrate', name: 'web1', target: 'xen2' }, { name: 'op' }, { progress: () => undefined, done: (_: CommandOutcome) => undefined });
  if (!r.ok) throw new Error(r.error.message);
}

const reachable = (host: string): boolean | undefined => f.controller!.core.hosts().hosts.find((h) => h.host === host)?.reachable;
const alertKinds = (): string[] => f.controller!.core.status().alerts.map((a) => a.kind);
const checkTexts = (): string[] => checkTextsOf(f);
/** HOST's agent has r1 in ROLE (and reports it on its next delta). */
const says = (host: string, role: string): boolean => hostStateOf(f.agent(host).core.current).drbd.resources.some((r) => r.name === 'r1' && r.role === role);
/** xen1's agent sees r1 Primary on both ends: what its last report says once it falls silent. */
const bothPrimaryOnXen1 = (): boolean => hostStateOf(f.agent('xen1').core.current).drbd.resources.some((r) => r.name === 'r1' && r.role === 'Primary' && r.peers.some((p) => p.role === 'Primary'));

describe('a silent source whose last report has r1 Primary, its live partner Secondary (in process)', () => {
  it('source powered off mid-copy: no split-brain alert built from its last report alone', async () => {
    await online();
    migrateWeb1();
    await f.until(() => f.sim.state().migrations.length > 0, 'copy began');
    await f.until(bothPrimaryOnXen1, 'xen1 sees r1 Primary on both ends (the copy)');
    await f.advance(3_000);
    f.powerOff('xen1');
    await f.until(() => reachable('xen1') === false, 'xen1 unreachable');
    await f.until(() => says('xen2', 'Secondary'), 'xen2 has r1 Secondary again');
    for (let i = 0; i < 12; i++) {
      await f.advance(5_000);
      expect(f.sim.state().drbd.r1?.replicas.xen2?.role).toBe('Secondary');
      expect(alertKinds()).not.toContain('drbd-primary-on-both');
      expect(checkTexts().filter((t) => /split brain|Primary on/.test(t))).toEqual([]);
    }
    expect(reachable('xen1')).toBe(false);
    expect(checkTexts().join('\n')).toMatch(/xen1: agent unreachable/);
  });

  it('a failed move whose source is partitioned from the controller: no split-brain alert while the partition lasts', async () => {
    await online();
    f.sim.migrationFault('web1', 'target');
    migrateWeb1();
    await f.until(() => f.sim.state().migrations.length > 0, 'copy began');
    await f.until(bothPrimaryOnXen1, 'xen1 sees r1 Primary on both ends (the copy)');
    await f.advance(2_000);
    f.controller!.partition('xen1', true);
    await f.until(() => reachable('xen1') === false, 'xen1 unreachable');
    await f.until(() => f.sim.state().migrations.length === 0 && runsOn(f.sim, 'web1').join() === 'xen1', 'the move failed; web1 resumed on xen1');
    await f.until(() => says('xen2', 'Secondary'), 'xen2 has r1 Secondary again');
    for (let i = 0; i < 12; i++) {
      await f.advance(5_000);
      expect(alertKinds()).not.toContain('drbd-primary-on-both');
      expect(checkTexts().filter((t) => /split brain|Primary on/.test(t))).toEqual([]);
    }
    expect(reachable('xen1')).toBe(false);
  });
});

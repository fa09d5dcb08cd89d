import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent, JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { startFleet, type Fleet } from '../harness/fleet.js';

/**
 * A drain whose move loses the controller's link to one side of the migration while the Dom0s
 * finish it between themselves: the side the controller cannot hear is not a reason to call the
 * move unknown once the other side's reports prove where the domU is.
 */
const FLEET = `
option bandwidth=256 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
domu web1 mem=4096 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu web2 mem=4096 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen1
domu db1 mem=2048 vcpus=2 home=xen2 peer=xen1 drbd=r3 running=xen2
`;
const DRAIN: JobRequest = { kind: 'drain', host: 'xen1', maxParallel: 1, coldFallback: false, allowPartial: false, timeoutMs: null };
type End = Extract<JobEvent, { type: 'end' }>;
type MoveEvent = Extract<JobEvent, { type: 'move' }>;

let f: Fleet;
afterEach(async () => f?.stop());

async function online(): Promise<Fleet> {
  f = await startFleet(FLEET, { controller: { enrolled: () => new Set(['xen1', 'xen2']) } });
  for (const h of ['xen1', 'xen2']) f.startAgent(h);
  await f.until(() => f.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'all reporting');
  await f.advance(5_000);
  return f;
}

function job(req: JobRequest): { end: () => End | undefined; moves: (name: string) => MoveEvent[] } {
  const ev: JobEvent[] = [];
  const r = f.controller!.core.hub.start(req, 'op', (e) => void ev.push(e));
  if (!r.ok) throw new Error(r.error.message);
  return {
    end: () => ev.find((e): e is End => e.type === 'end'),
    moves: (name) => ev.filter((e): e is MoveEvent => e.type === 'move' && e.name === name && e.phase !== 'progress'),
  };
}

const copying = (): Promise<void> => f.until(() => f.sim.state().migrations.length > 0, 'copy began').then(() => f.advance(3_000));
const where = (name: string) => {
  const w = f.controller!.core.where(name);
  if (!w.ok) throw new Error(w.error.message);
  return w.value.matches[0];
};

describe('a move settled while one side is silent to the controller', () => {
  it('the source partitioned from the controller mid-copy: web1 counts as moved once xen2 runs the domain it received, and once only', async () => {
    await online();
    const j = job(DRAIN);
    await copying();
    f.controller!.partition('xen1', true);
    // the Dom0s finish the migration between themselves (~16 s); the controller hears only xen2
    await f.until(() => j.moves('web1').some((m) => m.phase === 'moved'), 'web1 counted as moved', 120_000, 500);
    const moved = j.moves('web1').find((m) => m.phase === 'moved')!;
    expect(moved.elapsedMs).toBeLessThan(60_000);
    expect(moved.line).toMatch(/settled after XH_ERR_AGENT_LINK_LOST: it runs on xen2, where it arrived by migration after xen1 was last heard from; xen1 has not answered, but its agent told xen2 the move is done: its own ledger has it/);
    await f.advance(900_000);
    f.controller!.partition('xen1', false);
    await f.until(() => j.end() !== undefined, 'drain ended', 1_200_000, 500);
    expect(f.sim.state().domains.filter((d) => d.name === 'web1').map((d) => d.host)).toEqual(['xen2']);
    expect(j.end()!.remaining.map((r) => r.name)).not.toContain('web1');
    expect(j.moves('web1').map((m) => m.phase)).toEqual(['started', 'settling', 'settling', 'moved']);
    // back in touch, xen1's own ledger tells the same: away to xen2, nothing unsettled, no alarm
    await f.until(() => f.controller!.core.hosts().hosts.find((h) => h.host === 'xen1')?.reachable === true, 'xen1 reports again', 120_000, 500);
    const w = where('web1');
    expect(w?.places.map((p) => p.host)).toEqual(['xen2']);
    expect(w?.away).toMatchObject({ currentHost: 'xen2' });
    expect(f.controller!.core.status().alerts.filter((a) => a.id.includes('web1'))).toEqual([]);
  });

  it('the target unreachable from the controller when the move ends: the arrival counts once it reports again, no ALARM', async () => {
    await online();
    const j = job(DRAIN);
    await copying();
    f.controller!.partition('xen2', true);
    await f.advance(40_000);
    f.controller!.partition('xen2', false);
    await f.until(() => j.end() !== undefined, 'drain ended', 1_200_000, 500);
    expect(j.end()).toMatchObject({ ok: true, moved: 2 });
    expect(j.moves('web1').map((m) => m.phase)).toEqual(['started', 'moved']);
  });

  it('a target silent for longer than the settle timeout: the move is an ALARM after 10 min that says the target was not heard', async () => {
    await online();
    const j = job(DRAIN);
    await copying();
    f.controller!.partition('xen2', true);
    await f.until(() => j.moves('web1').some((m) => m.phase === 'alarm'), 'web1 alarm', 1_200_000, 1_000);
    const alarm = j.moves('web1').find((m) => m.phase === 'alarm')!;
    expect(alarm.line).toMatch(/xen1's agent reported web1 moved to xen2, but xen2 was not heard from since \(its agent unreachable for 10 min\)/);
    expect(alarm.elapsedMs).toBeGreaterThanOrEqual(600_000);
    f.controller!.partition('xen2', false);
  });
});

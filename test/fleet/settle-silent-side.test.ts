import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent, JobRequest } from '../../shared/protocol/ctl-jobs.js';
import type { Fleet } from '../harness/fleet.js';
import { copyUnderWay, DRAIN_XEN1, twoDom0sOnline, watchJob, type JobEndEvent } from './two-dom0s.js';

/**
 * A drain whose move loses the controller's link to one side of the migration while the Dom0s
 * finish it between themselves: the side the controller cannot hear is not a reason to call the
 * move unknown once the other side's reports prove where the domU is.
 */
const DRAIN = DRAIN_XEN1;
type End = JobEndEvent;
type MoveEvent = Extract<JobEvent, { type: 'move' }>;

let f: Fleet;
afterEach(async () => f?.stop());

async function online(): Promise<Fleet> {
  f = await twoDom0sOnline();
  return f;
}

function job(req: JobRequest): { end: () => End | undefined; moves: (name: string) => MoveEvent[] } {
  const w = watchJob(f, req);
  return {
    end: w.end,
    moves: (name) => w.events.filter((e): e is MoveEvent => e.type === 'move' && e.name === name && e.phase !== 'progress'),
  };
}

const copying = (): Promise<void> => copyUnderWay(f);
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

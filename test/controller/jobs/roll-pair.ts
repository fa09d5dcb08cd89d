import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import type { JobsBed, RunningJob } from './jobs-bed.js';
import type { SimSpec } from './sim-fleet.js';

/** Two Dom0s in one DRBD pair, two domUs homed on each: a roll of both is two groups, a1 then a2 (or the other way). */
export const PAIR: SimSpec = {
  hosts: [{ name: 'a1' }, { name: 'a2' }],
  domus: ['a1', 'a2'].flatMap((home) => [1, 2].map((i) => ({ name: `${home}-${i}`, home, replicas: ['a1', 'a2'], memMiB: 1024 * i }))),
};
export const ROLL: Extract<JobRequest, { kind: 'roll' }> = { kind: 'roll', hosts: ['a1', 'a2'], reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null };

/** the drains HOST was asked to begin or take up (a lease's renewal and release come from draining) */
export const drains = (bed: JobsBed, host: string): number => bed.fleet.host(host).commands.filter((c) => c.op === 'maintenance' && c.state === 'draining' && !c.from.includes('draining')).length;
export const reboots = (job: RunningJob): string[] => job.events.flatMap((e) => (e.type === 'reboot' ? e.hosts : []));
export const notes = (job: RunningJob): string[] => job.events.flatMap((e) => (e.type === 'note' ? [e.line] : []));
export const seen = (bed: JobsBed, host: string) => bed.core.hosts().hosts.find((x) => x.host === host);

/** A controller state dir, removed when the test that made it ends. */
export function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'xenherd-roll-'));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/**
 * Starts ROLL and plays its first group's reboot: the first Dom0 it asks to reboot reboots, its
 * agent back 45 s later. That Dom0 (H), the other one, and the running roll.
 */
export async function rebootFirstGroup(bed: JobsBed): Promise<{ first: RunningJob; h: string; other: string }> {
  const first = bed.start(ROLL);
  await bed.until(() => reboots(first).length > 0, 'the first reboot request');
  const h = reboots(first)[0] as string;
  const other = h === 'a1' ? 'a2' : 'a1';
  const d = bed.fleet.host(h);
  d.reboot();
  bed.clock.schedule(45_000, () => d.restartAgent([bed.core]));
  return { first, h, other };
}

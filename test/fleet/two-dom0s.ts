import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../shared/protocol/ctl-check.js';
import type { JobEvent, JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { pairFleet } from '../harness/pair-fleet.js';

/**
 * Two Dom0s replicating each other: web1 and web2 at home on xen1, db1 on xen2. The link is slow
 * enough (256 MiB/s, 4 GiB domUs) that a copy can be caught halfway through and a fault put in.
 */
export const TWO_DOM0S = pairFleet({ bandwidth: 256, connectDelay: 300, drbd: '9', memMiB: 4096, more: 'domu web2 mem=4096 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen1\ndomu db1 mem=2048 vcpus=2 home=xen2 peer=xen1 drbd=r3 running=xen2\n' });

export const DRAIN_XEN1: JobRequest = { kind: 'drain', host: 'xen1', maxParallel: 1, coldFallback: false, allowPartial: false, timeoutMs: null };

/** FLEET with its controller (both Dom0s enrolled, as serve runs it) and both agents, once the controller hears both. */
export async function twoDom0sOnline(fleet: string = TWO_DOM0S): Promise<Fleet> {
  const f = await startFleet(fleet, { controller: { enrolled: () => new Set(['xen1', 'xen2']) } });
  for (const h of ['xen1', 'xen2']) f.startAgent(h);
  await f.until(() => f.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'all reporting');
  await f.advance(5_000);
  return f;
}

export type JobEndEvent = Extract<JobEvent, { type: 'end' }>;

/** REQ started on F's controller as operator "op", every event kept. */
export function watchJob(f: Fleet, req: JobRequest): { readonly events: readonly JobEvent[]; end(): JobEndEvent | undefined } {
  const events: JobEvent[] = [];
  const r = f.controller!.core.hub.start(req, 'op', (e) => void events.push(e));
  if (!r.ok) throw new Error(r.error.message);
  return { events, end: () => events.find((e): e is JobEndEvent => e.type === 'end') };
}

/** Resolves 3 s into the first migration's copy. */
export const copyUnderWay = (f: Fleet): Promise<void> => f.until(() => f.sim.state().migrations.length > 0, 'copy began').then(() => f.advance(3_000));

/** The controller's check at its defaults, one "STATUS: text" a problem. */
export const checkTexts = (f: Fleet): string[] => CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).details.map((d) => `${d.status}: ${d.text}`);

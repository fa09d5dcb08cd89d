import type { JobEnd, JobRequest } from '../../shared/protocol/ctl-jobs.js';
import type { Fleet } from '../harness/fleet.js';

/** A job of the fleet's controller core (drain, maintenance…) run to its end, in simulated time. */
export async function jobEnd(f: Fleet, req: JobRequest): Promise<JobEnd> {
  let end: JobEnd | null = null;
  const r = f.controller!.core.hub.start(req, 'test', (e) => void (e.type === 'end' && (end = e)));
  if (!r.ok) throw new Error(r.error.message);
  await f.until(() => end !== null, `${req.kind} ended`, 120_000);
  return end as unknown as JobEnd;
}

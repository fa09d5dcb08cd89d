import type { Clock } from '../../shared/clock/clock.js';
import type { RunningServer } from '../api/server.js';
import type { ControllerCore } from '../core/controller-core.js';

/**
 * How long a stopping controller waits for its jobs to send their last line: they end at once (a
 * running move is left to its agent), so this bounds only a job stuck on something unforeseen.
 */
export const JOBS_END_WAIT_MS = 5_000;

/**
 * The end of `serve` (SIGTERM, SIGINT): the jobs stop and the agent links close, then the
 * connections. In that order, an operator's job stream gets the job's end line (cut by this stop,
 * and how to go on) before its connection closes; closed first, it got no end line at all.
 */
export async function stopServing(core: ControllerCore, server: RunningServer, clock: Clock): Promise<void> {
  const jobsEnded = core.close();
  await new Promise<void>((resolve) => {
    const cancel = clock.schedule(JOBS_END_WAIT_MS, resolve);
    void jobsEnded.then(() => {
      cancel();
      resolve();
    });
  });
  await server.close();
}

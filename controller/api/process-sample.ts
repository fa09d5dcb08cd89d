import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ProcessSample } from './metric-families.js';

/** One event-loop delay monitor per process (the loop is the process's), started by the first scrape. */
let loop: IntervalHistogram | null = null;
/** The sampler's interval (ms): each sample is the time between two of its ticks, so this much of it is not lag. */
const RESOLUTION_MS = 20;

/**
 * The controller process's own numbers for /metrics: resident memory, and the event loop's delay
 * (libuv's own sampler, cheap and not keeping the process alive) since the previous scrape. The
 * first scrape starts the sampler, so it reports no delay yet.
 */
export function processSample(): ProcessSample {
  const residentBytes = process.memoryUsage.rss();
  if (loop === null) {
    loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    loop.enable();
    return { residentBytes, eventLoopLagSeconds: null };
  }
  const p99 = loop.count > 0 ? Math.max(0, loop.percentile(99) / 1e6 - RESOLUTION_MS) / 1000 : null;
  loop.reset();
  return { residentBytes, eventLoopLagSeconds: p99 };
}

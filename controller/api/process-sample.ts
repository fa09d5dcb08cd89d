import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { GcPauses, ProcessSample } from './metric-families.js';

/** One event-loop delay monitor per process (the loop is the process's), started by the first scrape. */
let loop: IntervalHistogram | null = null;
/** The sampler's interval (ms): each sample is the time between two of its ticks, so this much of it is not lag. */
const RESOLUTION_MS = 20;

/** The garbage collector's pauses of this thread, counted from the first scrape on. */
let gc: { count: number; totalMs: number; longestMs: number } | null = null;

function watchGc(): void {
  const tally = { count: 0, totalMs: 0, longestMs: 0 };
  // every kind counts (young generation, full, incremental marking steps, weak callbacks): each
  // is a stretch in which the event loop answers nothing
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      tally.count++;
      tally.totalMs += e.duration;
      tally.longestMs = Math.max(tally.longestMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  gc = tally;
}

/**
 * The controller process's own numbers for /metrics: resident memory, the event loop's delay
 * (libuv's own sampler, cheap and not keeping the process alive) since the previous scrape, and
 * the garbage collector's pauses. The first scrape starts both, so it reports no delay and no
 * pauses yet.
 */
export function processSample(): ProcessSample {
  const residentBytes = process.memoryUsage.rss();
  if (loop === null || gc === null) {
    loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    loop.enable();
    watchGc();
    return { residentBytes, eventLoopLagSeconds: null, gcPauses: null };
  }
  const p99 = loop.count > 0 ? Math.max(0, loop.percentile(99) / 1e6 - RESOLUTION_MS) / 1000 : null;
  loop.reset();
  const gcPauses: GcPauses = { count: gc.count, seconds: gc.totalMs / 1000, longestSeconds: gc.longestMs / 1000 };
  gc.longestMs = 0;
  return { residentBytes, eventLoopLagSeconds: p99, gcPauses };
}

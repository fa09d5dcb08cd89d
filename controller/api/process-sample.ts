import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { GcPauses, ProcessSample } from './metric-families.js';

/** The sampler's interval (ms): each sample is the time between two of its ticks, so this much of it is not lag. */
const RESOLUTION_MS = 20;

interface GcTally {
  count: number;
  totalMs: number;
  longestMs: number;
}

/** The garbage collector's pauses of this thread, counted from now on. */
function watchGc(): GcTally {
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
  return tally;
}

/**
 * The controller process's own numbers for /metrics: its memory, the event loop's delay
 * (libuv's own sampler, cheap and not keeping the process alive) since the previous scrape, and
 * the garbage collector's pauses. The first call starts both, so it reports no delay and no
 * pauses yet. Each sampler keeps its own monitors: a test's starts afresh whatever ran before it.
 */
export function processSampler(): () => ProcessSample {
  let loop: IntervalHistogram | null = null;
  let gc: GcTally | null = null;
  return () => {
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    const memory = { resident: rss, heapTotal, heapUsed, external, arrayBuffers };
    if (loop === null || gc === null) {
      loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      loop.enable();
      gc = watchGc();
      return { memory, eventLoopLagSeconds: null, gcPauses: null };
    }
    const p99 = loop.count > 0 ? Math.max(0, loop.percentile(99) / 1e6 - RESOLUTION_MS) / 1000 : null;
    loop.reset();
    const gcPauses: GcPauses = { count: gc.count, seconds: gc.totalMs / 1000, longestSeconds: gc.longestMs / 1000 };
    gc.longestMs = 0;
    return { memory, eventLoopLagSeconds: p99, gcPauses };
  };
}

/** The process's one sampler for /metrics (the event loop and the collector are the process's), started by the first scrape. */
export const processSample: () => ProcessSample = processSampler();

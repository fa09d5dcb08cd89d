// What a soak samples once a second and how it judges "flat": the first window after warm-up
// against the last window of the run.
import { pct } from '../bench/table.js';

export interface Sample {
  /** ms since the soak's measured part began */
  readonly t: number;
  readonly rssKiB: number;
  /** latency of one trivial request, ms (null where the section measures none) */
  readonly lagMs: number | null;
}

export interface WindowFigures {
  readonly samples: number;
  readonly rssMiB: number;
  readonly lagP50: number | null;
  readonly lagP99: number | null;
  readonly lagMax: number | null;
}

/** The window: a minute, or a third of a shorter run (so first and last never overlap). */
export const windowMs = (durationMs: number): number => Math.min(60_000, Math.floor(durationMs / 3));

export function figures(samples: readonly Sample[]): WindowFigures {
  const lags = samples.flatMap((s) => (s.lagMs === null ? [] : [s.lagMs]));
  return {
    samples: samples.length,
    rssMiB: pct(samples.map((s) => s.rssKiB), 50) / 1024,
    lagP50: lags.length ? pct(lags, 50) : null,
    lagP99: lags.length ? pct(lags, 99) : null,
    lagMax: lags.length ? Math.max(...lags) : null,
  };
}

export function firstAndLast(samples: readonly Sample[], durationMs: number): { first: WindowFigures; last: WindowFigures } {
  const w = windowMs(durationMs);
  return { first: figures(samples.filter((s) => s.t < w)), last: figures(samples.filter((s) => s.t >= durationMs - w)) };
}

/**
 * Flat memory: the median RSS of the last window at most 15 % (or 16 MiB, whichever is more)
 * above the first window's. A leak of a few KiB per message or per link over ten minutes of
 * deltas shows as tens to hundreds of MiB; the garbage collector's own swings stay inside this.
 */
export const rssFlat = (f: WindowFigures, l: WindowFigures): boolean => l.rssMiB <= Math.max(f.rssMiB * 1.15, f.rssMiB + 16);

/**
 * Flat lag: the last window's p99 at most twice the first window's (or 5 ms above it, whichever
 * is more). A backlog that builds up, or work that grows with what was seen so far, doubles it.
 */
export const lagFlat = (f: WindowFigures, l: WindowFigures): boolean => f.lagP99 !== null && l.lagP99 !== null && l.lagP99 <= Math.max(f.lagP99 * 2, f.lagP99 + 5);

export const mib = (n: number): string => `${n.toFixed(1)} MiB`;
export const ms = (n: number | null): string => (n === null ? '-' : `${n.toFixed(1)} ms`);

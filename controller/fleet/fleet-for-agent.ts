import type { FleetIndex } from './fleet-index.js';

/**
 * The names an agent wants the controller's view of: the domUs it guards and those it is home
 * of (the ones it might start or pull back).
 */
export function interestOf(index: FleetIndex, host: string): string[] {
  const s = index.record(host)?.state;
  if (!s) return [];
  return [...new Set([...s.guarded.map((g) => g.name), ...s.homes.map((h) => h.name)])].sort();
}

/** domU → hosts reporting a row of it (any state, migration rows included), for NAMES. */
export function runningOnFor(index: FleetIndex, names: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of names) out[n] = [...(index.running.get(n)?.keys() ?? [])].sort();
  return out;
}

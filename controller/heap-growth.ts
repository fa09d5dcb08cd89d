import { setFlagsFromString } from 'node:v8';

/** Old space may grow to twice what the last full collection left alive before the next one runs. */
export const HEAP_GROWING_PERCENT = 100;

/** Whether the operator gave Node a heap growing factor already (on its command line or in NODE_OPTIONS). */
export const heapGrowthGiven = (execArgv: readonly string[], nodeOptions: string | undefined): boolean =>
  [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((f) => /^--heap[-_]growing[-_]percent(=|$)/.test(f));

/**
 * The controller's live heap is its fleet view (about 60 MB at 2,000 hosts and 40,000 domUs);
 * nearly everything else it allocates is short-lived. V8's own rule lets old space grow to
 * several times the live size between full collections when marking is fast, which under a
 * burst of agent messages made the resident size 490 MB, 120 MB of it garbage. Twice the live
 * size keeps it under 400 MB for more frequent full collections (incremental and concurrent, a
 * few ms of pause each). V8 reads this flag whenever it sets the next collection's limit, so
 * setting it at start-up applies. A factor the operator gave Node wins.
 */
export function limitHeapGrowth(execArgv: readonly string[], nodeOptions: string | undefined): HeapGrowth {
  if (heapGrowthGiven(execArgv, nodeOptions)) return 'given by the operator';
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return `${HEAP_GROWING_PERCENT} %`;
}

/** What serve logs at start: the growing percent it set, or that the operator's flag stands. */
export type HeapGrowth = `${number} %` | 'given by the operator';

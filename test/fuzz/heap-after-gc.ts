/** Heap in use after a full collection (for "a flood does not grow the heap"). */
export async function heapAfterGc(): Promise<number> {
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

/**
 * How many young-generation collections (scavenges) ran while FN ran: FN synchronous, nothing else
 * allocates meanwhile, so only what FN made can have filled the young generation (for "this makes
 * no garbage per call").
 */
export async function scavengesDuring(fn: () => void): Promise<number> {
  const { GCProfiler } = await import('node:v8');
  const profiler = new GCProfiler();
  profiler.start();
  fn();
  const stats: unknown = profiler.stop();
  const list = typeof stats === 'object' && stats !== null && 'statistics' in stats && Array.isArray(stats.statistics) ? stats.statistics : [];
  return list.filter((s: unknown) => typeof s === 'object' && s !== null && 'gcType' in s && s.gcType === 'Scavenge').length;
}

/**
 * A planner that can be driven a step at a time: it yields where a caller may give the event loop
 * back, and returns its plan. At 2,000 Dom0s and 40,000 domUs a rebalance of 1,000 moves took 16 s
 * in one go, and the controller answered nothing meanwhile. The planner reads no clock: how long a
 * slice may run is its driver's business (controller/jobs/plan-in-slices.ts).
 */
export type Steps<T> = Generator<void, T, void>;

/** The plan of STEPS at once, for callers with no loop to give back (tests, the per-step plans of a running job). */
export function toEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * True every N-th call: a loop whose items cost about a microsecond yields every N of them, as a
 * yield per item would cost as much as the work (a round of a rebalance looks at 40,000 domUs).
 */
export function everyNth(n: number): () => boolean {
  let k = 0;
  return () => ++k % n === 0;
}

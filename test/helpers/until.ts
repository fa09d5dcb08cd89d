// A test's wait for something that the code under test does not announce. Without a bound, a wait
// whose moment never comes outlives its test (the runner's timeout ends the test, not the loop) and
// goes on spinning in the worker while the next files run there, slowing or failing them.

/** One turn of the event loop: the I/O that has arrived (a socket's data or close) is read first. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A step that waits MS of wall-clock time: for a wait on another process or the network, with no need to spin. */
export const pauseOf =
  (ms: number) =>
  (): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, ms));

/** A step for a wait on an injected clock that also needs I/O: move the clock on by MS, then one turn. */
export const advanceThenTurn =
  (clock: { advance(ms: number): Promise<void> }, ms: number) =>
  async (): Promise<void> => {
    await clock.advance(ms);
    await nextTurn();
  };

/**
 * The step of a wait on what arrives by events (a frame, a log line, a process's output): the
 * source calls wake() as each arrives, and a step ends then, or after MS if nothing does, so the
 * look comes as soon as there is something new and a wait on a quiet source still meets its bound.
 */
export class Wakes {
  private readonly waiting: Array<() => void> = [];

  wake(): void {
    for (const w of this.waiting.splice(0)) w();
  }

  step(ms: number): () => Promise<void> {
    return () =>
      new Promise<void>((resolve) => {
        const quiet = setTimeout(resolve, ms);
        this.waiting.push(() => {
          clearTimeout(quiet);
          resolve();
        });
      });
  }
}

const SPIN_MS = 50;

/**
 * The step a wait takes unless told: turns of the event loop for its first SPIN_MS, then pauses of
 * a millisecond. What a test awaits mostly comes within a few turns, and a turn is the quickest
 * look; a wait whose moment is far off or never comes would otherwise spin turns for its whole
 * bound, millions of them, a core's worth of CPU taken from the other files running beside it.
 */
export const turnsThenPauses = (spinMs = SPIN_MS): (() => Promise<void>) => {
  const spinUntil = performance.now() + spinMs;
  const pause = pauseOf(1);
  return () => (performance.now() < spinUntil ? nextTurn() : pause());
};

export interface UntilBounds {
  /** what to do between looks: turnsThenPauses() unless told (e.g. move an injected clock on, then a turn) */
  readonly step?: () => Promise<void>;
  /** wall-clock bound: under the runner's 20 s test timeout, so the failure names what was awaited */
  readonly limitMs?: number;
  /** at most this many steps: the bound of a wait on an injected clock, where a step is its time */
  readonly steps?: number;
  /** what TAKEN steps were, for the failure ("500 ms of simulated time"): "N steps" unless told */
  readonly stepsSaid?: (taken: number) => string;
}

/**
 * The bounds of a wait on an injected clock alone: the clock moved on STEP_MS at a time, for at
 * most MAX_MS of its time. No wall-clock bound: how long that time takes to run is the machine's,
 * and the test's own timeout bounds it; the steps end the wait, so it never outlives the test.
 */
export const onClock = (clock: { advance(ms: number): Promise<void> }, maxMs: number, stepMs: number): UntilBounds => ({
  step: () => clock.advance(stepMs),
  steps: Math.ceil(maxMs / stepMs),
  limitMs: Infinity,
  stepsSaid: (taken) => `${taken * stepMs} ms of the clock's time (${taken} steps of ${stepMs} ms)`,
});

/**
 * Waits until done() holds, taking a step between looks; fails naming WHAT once a bound passes.
 * WHAT as a function is worded at the failure, so it can say what was seen instead (a count, the
 * output so far) rather than what was there when the wait began. done() may be async, for a look
 * that is itself a question (a command run, a request answered).
 */
export async function until(done: () => boolean | Promise<boolean>, what: string | (() => string), bounds: UntilBounds = {}): Promise<void> {
  await untilFound(async () => ((await done()) ? true : undefined), what, bounds);
}

/**
 * Waits until look() finds something, and gives it: a wait for a log line, a frame or an output
 * line that the test reads next. Its steps, bounds and failure are until's.
 */
export async function untilFound<T>(look: () => T | undefined | Promise<T | undefined>, what: string | (() => string), { step = turnsThenPauses(), limitMs = 15_000, steps = Infinity, stepsSaid = (n) => `${n} steps` }: UntilBounds = {}): Promise<T> {
  const end = performance.now() + limitMs;
  const named = (): string => (typeof what === 'string' ? what : what());
  for (let taken = 0; ; taken++) {
    const found = await look();
    if (found !== undefined) return found;
    if (taken >= steps) throw new Error(`gave up waiting for ${named()}: not so after ${stepsSaid(taken)}`);
    if (performance.now() > end) throw new Error(`gave up waiting for ${named()}: not so after ${limitMs / 1000} s (${taken} steps)`);
    await step();
  }
}

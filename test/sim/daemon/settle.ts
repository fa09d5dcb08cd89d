/**
 * What the deterministic clock waits out after each timer it fires, before the next timer and
 * before advance() resolves: the work that timer started in this process and that has not reached
 * its next wait on the clock. A fixed count of turns of the event loop (it was five) left a chain of
 * six setImmediate callbacks, or a file read that outlasted five turns on a loaded machine, still
 * running when the next timer fired or the test looked: whether a test passed hung on the load.
 */

/**
 * Work Node reports as in flight that ends on its own: a setImmediate callback, a file-system or
 * DNS request, a connect. Handles that live on (a listening socket, a child's pipe, a real timer)
 * are left out: they are not work a turn of the loop finishes. A write to a socket is left out too,
 * as it stays pending for as long as the reader does not read, which is no business of the clock.
 */
const ENDS_ON_ITS_OWN = /^(Immediate|FSReq\w+|GetAddrInfoReqWrap|GetNameInfoReqWrap|QueryReqWrap|TCPConnectWrap|PipeConnectWrap)$/;

/**
 * Five turns at least, as before: bytes written to a socket of this process sit in the kernel
 * until the next turn's poll reads them, and nothing in flight shows that.
 */
const MIN_TURNS = 5;

/** How long, in real time, work may stay pending before advance() fails naming it. */
export const SETTLE_LIMIT_MS = 5_000;

/** Work of each kind in flight now, by count. */
export function inFlight(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (ENDS_ON_ITS_OWN.test(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/**
 * What is in flight beyond BEFORE (what was when advance() began), each kind with its count:
 * "FSReqCallback ×2, Immediate". What was in flight before is no work of the timers: a test
 * polling by setImmediate while it advances the clock, or a loop another test file left running
 * in this worker, stays in flight for as long as the clock does not move.
 */
export function pendingWork(before: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const [kind, n] of inFlight()) {
    const more = n - (before.get(kind) ?? 0);
    if (more > 0) out.push(more === 1 ? kind : `${kind} ×${more}`);
  }
  return out;
}

/**
 * Turns of the event loop until nothing of this process is pending beyond BEFORE (at least
 * MIN_TURNS); still pending after limitMs of real time is an error naming it, not a test that goes
 * on as if it had ended.
 */
export async function settle(limitMs: number, before: ReadonlyMap<string, number>, at: () => string): Promise<void> {
  const began = performance.now();
  for (let turn = 1; ; turn++) {
    await new Promise<void>((r) => setImmediate(r));
    if (turn < MIN_TURNS) continue;
    const pending = pendingWork(before);
    if (pending.length === 0) return;
    if (performance.now() - began > limitMs) {
      throw new Error(`the simulator's clock at ${at()}: work of this process still pending after ${limitMs} ms of settling (${turn} turns of the event loop): ${pending.join(', ')}; work a timer started that never ends holds simulated time still: end it, or start it before advance() is called`);
    }
  }
}

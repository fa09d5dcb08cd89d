import { describe, expect, it } from 'vitest';
import { coalesced } from '../../../agent/run/coalesce.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** a read that only ends when the test says so, counting its runs */
function heldRead(stopped: () => boolean = () => false) {
  const state = { runs: 0, release: (): void => undefined };
  const read = coalesced(
    () =>
      new Promise<void>((r) => {
        state.runs++;
        state.release = r;
      }),
    stopped,
  );
  return { read, state };
}

describe('coalesced', () => {
  it('shares a running read and runs it once more for every burst of calls during it', async () => {
    const { read, state } = heldRead();
    const a = read();
    const b = read();
    const c = read();
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(state.runs).toBe(1);
    state.release();
    await tick();
    // calls during the first run: exactly one more run, same promise
    expect(state.runs).toBe(2);
    state.release();
    await a;
    expect(state.runs).toBe(2);
    // idle again: a new call starts a new run
    const d = read();
    expect(d).not.toBe(a);
    expect(state.runs).toBe(3);
    state.release();
    await d;
  });

  it('does not run again once stopped', async () => {
    let stopped = false;
    const { read, state } = heldRead(() => stopped);
    const a = read();
    void read();
    stopped = true;
    state.release();
    await a;
    expect(state.runs).toBe(1);
  });

  it('a failing read ends the shared promise with its error and frees the next call', async () => {
    let fail = true;
    const read = coalesced(async () => {
      if (fail) throw new Error('boom');
    }, () => false);
    await expect(read()).rejects.toThrow('boom');
    fail = false;
    await expect(read()).resolves.toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { coalesced } from '../../../agent/run/coalesce.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('coalesced', () => {
  it('shares a running read and runs it once more for every burst of calls during it', async () => {
    let runs = 0;
    let release: (() => void) | null = null;
    const read = coalesced(
      () =>
        new Promise<void>((r) => {
          runs++;
          release = r;
        }),
      () => false,
    );
    const a = read();
    const b = read();
    const c = read();
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(runs).toBe(1);
    (release as unknown as () => void)();
    await tick();
    // calls during the first run: exactly one more run, same promise
    expect(runs).toBe(2);
    (release as unknown as () => void)();
    await a;
    expect(runs).toBe(2);
    // idle again: a new call starts a new run
    const d = read();
    expect(d).not.toBe(a);
    expect(runs).toBe(3);
    (release as unknown as () => void)();
    await d;
  });

  it('does not run again once stopped', async () => {
    let runs = 0;
    let stopped = false;
    let release: (() => void) | null = null;
    const read = coalesced(
      () =>
        new Promise<void>((r) => {
          runs++;
          release = r;
        }),
      () => stopped,
    );
    const a = read();
    void read();
    stopped = true;
    (release as unknown as () => void)();
    await a;
    expect(runs).toBe(1);
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

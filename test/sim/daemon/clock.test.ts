import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { deterministicClock } from './clock.js';

const T0 = Date.UTC(2025, 0, 1);
/** A timer's work that goes on for N turns of the event loop, then runs THEN. */
const turns = (n: number, then: () => Promise<void> | void) => (): void => void (async () => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
  await then();
})();

describe("the deterministic clock's advance", () => {
  it('resolves only once the work a timer started has ended, however many turns of the event loop it takes', async () => {
    const clock = deterministicClock(T0);
    const done: string[] = [];
    clock.schedule(1_000, turns(12, async () => {
      done.push('twelve turns');
      await readFile(new URL(import.meta.url));
      done.push('a file read');
    }));
    await clock.advance(1_000);
    expect(done).toEqual(['twelve turns', 'a file read']);
  });

  it('fires the next timer only after the work of the one before it ended', async () => {
    const clock = deterministicClock(T0);
    const seen: string[] = [];
    clock.schedule(10, turns(8, () => void seen.push('first ended')));
    clock.schedule(20, () => seen.push('second fired'));
    await clock.advance(20);
    expect(seen).toEqual(['first ended', 'second fired']);
  });

  it('does not wait for a setImmediate loop that ran before it began: a test polling while it advances the clock', async () => {
    const clock = deterministicClock(T0, 50);
    let polling = true;
    const poll = (): void => { if (polling) setImmediate(poll); };
    poll();
    const seen: string[] = [];
    clock.schedule(1_000, () => seen.push('fired'));
    try {
      await clock.advance(1_000);
      expect(seen).toEqual(['fired']);
    } finally {
      polling = false;
    }
  });

  it('fails naming what is still pending when work never ends, rather than going on as if it had', async () => {
    const clock = deterministicClock(T0, 50);
    let spinning = true;
    const spin = (): void => { if (spinning) setImmediate(spin); };
    clock.schedule(1_000, spin);
    try {
      await expect(clock.advance(1_000)).rejects.toThrow(/^the simulator's clock at 2025-01-01T00:00:01\.000Z: work of this process still pending after 50 ms of settling \(\d+ turns of the event loop\): Immediate; work a timer started that never ends/);
    } finally {
      spinning = false;
    }
  });
});

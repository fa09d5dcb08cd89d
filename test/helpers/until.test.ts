// until's default step: as quick as a turn for a wait met at once, and no spinning for one never
// met, which would take a core from the files running beside it for the whole of its bound.
import { describe, expect, it } from 'vitest';
import { nextTurn, onClock, until, untilFound, Wakes } from './until.js';

describe('until', () => {
  it('is met within the turns its moment takes, with no timer waited on', async () => {
    let looks = 0;
    let met = false;
    void until(() => ++looks >= 3, 'the third look').then(() => (met = true));
    for (let turn = 0; turn < 10 && !met; turn++) await nextTurn();
    expect([met, looks]).toEqual([true, 3]);
  });

  it('waits on timers, not turns, once its first moments have passed, and still fails naming what it awaited', async () => {
    const start = performance.now();
    let late = 0;
    const never = until(
      () => {
        if (performance.now() - start > 200) late++;
        return false;
      },
      'what never comes',
      { limitMs: 600 },
    );
    await expect(never).rejects.toThrow(/^gave up waiting for what never comes: not so after 0\.6 s \(\d+ steps\)$/);
    // 400 ms of millisecond pauses is some 400 looks; turns spun were tens of thousands
    expect(late).toBeGreaterThan(0);
    expect(late).toBeLessThan(1_000);
  });

  it('takes a step given to it at every look, as many as it is bound to', async () => {
    let steps = 0;
    await expect(until(() => false, 'the clock to say so', { step: async () => void steps++, steps: 5 })).rejects.toThrow('gave up waiting for the clock to say so: not so after 5 steps');
    expect(steps).toBe(5);
  });

  it('words what it awaited at the failure when given it as a function, naming what it saw then', async () => {
    let seen = 0;
    await expect(until(() => ++seen > 10, () => `more than 10 (saw ${seen})`, { step: async () => undefined, steps: 3 })).rejects.toThrow('gave up waiting for more than 10 (saw 4): not so after 3 steps');
  });
});

describe('until with a look that is a question', () => {
  it('awaits an async done() at each look, and fails naming what it awaited', async () => {
    let asked = 0;
    await until(async () => ++asked === 3, 'the third answer', { step: async () => undefined, steps: 5 });
    expect(asked).toBe(3);
    await expect(until(async () => false, 'an answer that never says yes', { step: async () => undefined, steps: 2 })).rejects.toThrow('gave up waiting for an answer that never says yes: not so after 2 steps');
  });
});

describe('untilFound', () => {
  it('gives what the look found, once it finds it', async () => {
    const lines: string[] = [];
    const found = untilFound(() => lines.find((l) => l.startsWith('ready')), 'the ready line');
    lines.push('starting', 'ready in 3 ms');
    await expect(found).resolves.toBe('ready in 3 ms');
  });

  it('fails naming what it looked for, worded at the failure', async () => {
    const lines = ['starting'];
    await expect(untilFound(() => lines.find((l) => l === 'ready'), () => `the ready line (saw ${lines.join(', ')})`, { step: async () => undefined, steps: 2 })).rejects.toThrow('gave up waiting for the ready line (saw starting): not so after 2 steps');
  });
});

describe('Wakes', () => {
  it('ends a step at the next wake, and without one after its quiet time', async () => {
    const wakes = new Wakes();
    const lines: string[] = [];
    const started = performance.now();
    const found = untilFound(() => lines.at(-1), 'a line', { step: wakes.step(60_000) });
    await nextTurn();
    lines.push('hello');
    wakes.wake();
    await expect(found).resolves.toBe('hello');
    expect(performance.now() - started).toBeLessThan(5_000);
    await expect(until(() => false, 'a wake that never comes', { step: wakes.step(5), steps: 3 })).rejects.toThrow('gave up waiting for a wake that never comes: not so after 3 steps');
  });
});

describe('onClock', () => {
  it('moves an injected clock on a step at a time, for at most the time it is given', async () => {
    let now = 0;
    const clock = { advance: async (ms: number): Promise<void> => void (now += ms) };
    await until(() => now >= 30, 'the clock at 30 ms', onClock(clock, 100, 10));
    expect(now).toBe(30);
    await expect(until(() => false, 'what the clock never brings', onClock(clock, 50, 10))).rejects.toThrow("gave up waiting for what the clock never brings: not so after 50 ms of the clock's time (5 steps of 10 ms)");
    expect(now).toBe(80);
  });
});

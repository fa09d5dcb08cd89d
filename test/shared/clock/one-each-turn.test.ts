import { describe, expect, it } from 'vitest';
import { oneEachTurn } from '../../../shared/clock/one-each-turn.js';
import { realClock } from '../../../shared/clock/real-clock.js';

/** An "after this turn's I/O" whose turns run only when the test says, one at a time. */
function heldTurns(): { afterIo: (fn: () => void) => void; turnsWaiting: () => number; runTurn: () => void } {
  let queued: Array<() => void> = [];
  return {
    afterIo: (fn) => void queued.push(fn),
    turnsWaiting: () => queued.length,
    // as Node's check phase: what was queued before it began runs in it, what it queues runs in the next
    runTurn: () => {
      const now = queued;
      queued = [];
      for (const fn of now) fn();
    },
  };
}

describe('oneEachTurn', () => {
  it('runs one waiting callback per turn, in the order asked, however many wait', () => {
    const turns = heldTurns();
    const soon = oneEachTurn(turns.afterIo);
    const ran: string[] = [];
    soon(() => ran.push('a'));
    soon(() => ran.push('b'));
    soon(() => ran.push('c'));
    expect(turns.turnsWaiting()).toBe(1);
    const perTurn: string[][] = [];
    while (turns.turnsWaiting() > 0) {
      const before = ran.length;
      turns.runTurn();
      perTurn.push(ran.slice(before));
    }
    expect(perTurn).toEqual([['a'], ['b'], ['c']]);
  });

  it('puts a callback asked for during a turn behind those already waiting (work in slices takes turns)', () => {
    const turns = heldTurns();
    const soon = oneEachTurn(turns.afterIo);
    const ran: string[] = [];
    const slices = (name: string, left: number): void => {
      ran.push(`${name}${left}`);
      if (left > 1) soon(() => slices(name, left - 1));
    };
    soon(() => slices('drain', 3));
    soon(() => slices('look', 2));
    while (turns.turnsWaiting() > 0) turns.runTurn();
    expect(ran).toEqual(['drain3', 'look2', 'drain2', 'look1', 'drain1']);
  });

  it('goes on with the others when a callback throws', () => {
    const turns = heldTurns();
    const soon = oneEachTurn(turns.afterIo);
    const ran: string[] = [];
    soon(() => {
      throw new Error('a slice failed');
    });
    soon(() => ran.push('after'));
    expect(() => turns.runTurn()).toThrow('a slice failed');
    turns.runTurn();
    expect(ran).toEqual(['after']);
    expect(turns.turnsWaiting()).toBe(0);
  });

  it('asks for no turn while nothing waits, and for one again when asked', () => {
    const turns = heldTurns();
    const soon = oneEachTurn(turns.afterIo);
    soon(() => undefined);
    turns.runTurn();
    expect(turns.turnsWaiting()).toBe(0);
    soon(() => undefined);
    soon(() => undefined);
    expect(turns.turnsWaiting()).toBe(1);
  });
});

describe('the real clock’s soon', () => {
  it('lets the event loop turn between two callbacks asked for together (a due timer runs between them)', async () => {
    const order: string[] = [];
    let timerRan: Promise<void> = Promise.resolve();
    const bothRan = new Promise<void>((resolve) => {
      realClock.soon?.(() => {
        // set here, so it cannot run before; due before the next callback could run: only a turn of the loop runs it
        timerRan = new Promise<void>((ran) =>
          realClock.schedule(1, () => {
            order.push('timer');
            ran();
          }),
        );
        const until = performance.now() + 3;
        while (performance.now() < until);
        order.push('first');
      });
      realClock.soon?.(() => {
        order.push('second');
        resolve();
      });
    });
    await bothRan;
    await timerRan;
    expect(order).toEqual(['first', 'timer', 'second']);
  });
});

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { holdHangUps } from '../../../shared/cli/hang-up-hold.js';

// A stand-in for the process: SIGHUP emitted as Node emits it, to the listeners of the moment.
const source = (): EventEmitter & { hangUp(): void } => Object.assign(new EventEmitter(), { hangUp(this: EventEmitter) { this.emit('SIGHUP'); } });

describe('SIGHUP held until the handler takes over', () => {
  it('a hang-up while held is remembered, not acted on; the handler hears of it once, then each one as it comes', () => {
    const p = source();
    const hold = holdHangUps(p);
    p.hangUp();
    p.hangUp();
    let handled = 0;
    expect(hold.take(() => handled++)).toBe(true);
    expect(handled).toBe(0);
    p.hangUp();
    expect(handled).toBe(1);
    expect(p.listenerCount('SIGHUP')).toBe(1);
  });

  it('none while held: the handler is told so', () => {
    const p = source();
    expect(holdHangUps(p).take(() => undefined)).toBe(false);
  });

  // Node closes its signal watcher when the last listener goes, and a signal caught but not yet
  // emitted is lost with it: there is never a moment without one
  it('the process never has no SIGHUP listener while the handler takes over', () => {
    const p = source();
    const hold = holdHangUps(p);
    const counts: number[] = [];
    p.on('removeListener', () => counts.push(p.listenerCount('SIGHUP')));
    hold.take(() => undefined);
    expect(counts).toEqual([1]);
  });
});

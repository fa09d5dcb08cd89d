import { describe, expect, it } from 'vitest';
import { Slots } from '../../../agent/run/slots.js';

describe('Slots', () => {
  it('runs at most size tasks at once, the rest in order as slots free, also after a task fails', async () => {
    const slots = new Slots(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 5 }, () => {
      let open: () => void = () => undefined;
      return { wait: new Promise<void>((r) => (open = r)), open: () => open() };
    });
    const runs = gates.map((g, i) =>
      slots.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(i);
        await g.wait;
        running--;
        if (i === 0) throw new Error('task 0 fails');
        return i;
      }),
    );
    // settled from the start: task 0's rejection is handled when it happens
    const settled = Promise.allSettled(runs);
    for (const g of gates) {
      await new Promise((r) => setImmediate(r));
      g.open();
    }
    const results = await settled;
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  });
});

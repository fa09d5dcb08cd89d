import { describe, expect, it } from 'vitest';
import { closedHome, closedHomesWords } from '../../../controller/plan/closed-homes.js';

describe('closedHomesWords', () => {
  it('nothing when every home takes domUs', () => {
    expect(closedHomesWords([])).toBe('');
  });

  it('each home with its count, its first names and what brings them back, by why it takes none', () => {
    const words = closedHomesWords([
      closedHome('xen1', 'maintenance', ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']),
      closedHome('xen3', 'unreachable', ['c1']),
      closedHome('xen5', 'restoring', ['e1', 'e2']),
    ]);
    expect(words).toBe(
      '; 10 domU(s) stay away from homes that take none now, which a rebalance does not move: ' +
        'xen1 is in maintenance: 7 (a1, a2, a3, a4, a5 and 2 more), `xenherdctl restore xen1` brings them home; ' +
        'xen3 is unreachable (its agent is not connected): 1 (c1), `xenherdctl restore xen3` once it is back brings them home; ' +
        'xen5 is being restored: 2 (e1, e2), its restore is bringing them home',
    );
  });
});

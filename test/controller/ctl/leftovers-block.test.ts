import { describe, expect, it } from 'vitest';
import { leftoversBlock } from '../../../controller/ctl/plan-table.js';
import type { LeftoverAsRead } from '../../../shared/protocol/ctl-jobs-read.js';

const left = (name: string, host: string | null, why: string): LeftoverAsRead => ({
  name,
  host,
  blocker: { kind: 'targets-unavailable', targets: [] },
  message: `${name}: every host that could take it is unavailable: ${why}`,
}) as LeftoverAsRead;

describe('what stays, as a plan prints it', () => {
  it('up to 20: one line each, as before', () => {
    const ls = Array.from({ length: 20 }, (_, i) => left(`web${i}`, 'xen1', 'xen2 is unreachable'));
    const text = leftoversBlock(ls, 'cannot leave');
    expect(text.split('\n')[0]).toBe('cannot leave (20):');
    expect(text.split('\n').filter(Boolean)).toHaveLength(21);
    expect(leftoversBlock([], 'cannot leave')).toBe('');
  });

  it('past 20 (a roll of a big fleet refused for a few dead hosts): one line per host, with how many and the first reason', () => {
    const ls = [
      ...Array.from({ length: 20 }, (_, i) => left(`a${i}`, 'xen101', 'xen102 is unreachable')),
      ...Array.from({ length: 20 }, (_, i) => left(`b${i}`, 'xen7\u001b[2J', 'xen8 is draining')),
      left('c1', null, 'it runs nowhere'),
    ];
    expect(leftoversBlock(ls, 'cannot leave')).toBe(
      [
        'cannot leave (41, by host; --json lists each):',
        '  on xen101: 20 domUs, e.g. a0: every host that could take it is unavailable: xen102 is unreachable',
        '  on xen7\\x1b[2J: 20 domUs, e.g. b0: every host that could take it is unavailable: xen8 is draining',
        '  running nowhere: 1 domU, e.g. c1: every host that could take it is unavailable: it runs nowhere',
        '',
      ].join('\n'),
    );
  });
});

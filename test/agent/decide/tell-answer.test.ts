import { describe, expect, it } from 'vitest';
import { awayAfterTell } from '../../../agent/decide/tell-answer.js';

// The target's answer to a move's closing `status NAME`, and this Dom0's away record of NAME.
describe('awayAfterTell', () => {
  it.each([
    // [peerMayBeHome, goingHome, the home the answer names, the change]
    [true, false, 'xen1', 'drop-away'],
    [true, false, 'xen2', null],
    // the target names itself by its full name where it was asked by its short one, or in capitals
    [true, false, 'xen1.example.org', 'drop-away'],
    [true, false, 'XEN1', 'drop-away'],
    [true, false, 'xen10', null],
    [true, false, null, null],
    [undefined, false, 'xen1', null],
    [undefined, true, 'xen1', null],
    [undefined, null, 'xen1', null],
  ] as const)('peerMayBeHome %s, goingHome %s, the answer names %s: %s', (peerMayBeHome, goingHome, answerHome, change) => {
    const step = { do: 'tell' as const, peer: 'xen1', goingHome, ...(peerMayBeHome ? { peerMayBeHome } : {}) };
    expect(awayAfterTell(step, answerHome)).toBe(change);
  });
});

import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../agent/core/effects.js';
import type { HostRead } from '../../../agent/core/events.js';
import { hostRead, replay, startedAgent } from './host-read.js';

// A full read's `xl info` that fails (an xl whose physical info Xen refuses, say) was dropped without
// a word: the host just had no memory figures for the controller's plans. Said once, again when the
// words change, and when it reads again; a read that ran no `xl info` changes nothing.

const DENIED = 'xl info: xl printed the Xen version but no physical info (nr_cpus … free_memory)';

/** The log lines of each full read in turn, as level and message. */
function logsOf(infos: HostRead['info'][]): string[][] {
  const { effects } = replay(startedAgent(), infos.map((info) => ({ t: 'full-read', read: hostRead({ info }) })), (i) => (i + 1) * 60_000);
  return effects.map((fx) => fx.flatMap((e: Effect) => (e.e === 'log' && /info/.test(e.msg) ? [`${e.level} ${e.msg}`] : [])));
}

describe("a full read's xl info that fails", () => {
  it('is said once at warn, not again each minute, again when its words change, and once when it reads again', () => {
    const logs = logsOf([{ problem: DENIED }, { problem: DENIED }, null, { problem: `${DENIED}; again` }, { problem: null }, { problem: null }]);
    expect(logs).toEqual([
      [`warn cannot read xl info: ${DENIED}; no memory figures for the controller's plans until it reads`],
      [],
      [],
      [`warn cannot read xl info: ${DENIED}; again; no memory figures for the controller's plans until it reads`],
      ['info xl info read again: the memory figures go to the controller again'],
      [],
    ]);
  });

  it('one that answers from the start says nothing', () => {
    expect(logsOf([{ problem: null }, null, { problem: null }])).toEqual([[], [], []]);
  });
});
